"""Published cross-table figures (profile ``checks.figures``): achieved versus published.

Each measure returns ``(value, standard error, n)`` from the truth and agency tables.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from synth.profile.kinds import MIN_N
from synth.profile.models import Figure
from synth.validate.core import CheckResult, RunData
from synth.validate.measures import adult_counts, recurrence_km
from synth.validate.observers.truth import Truth


def _mean(x: npt.ArrayLike) -> tuple[float, float, int]:
    x = np.asarray(x, dtype=float)
    n = len(x)
    return float(x.mean()) if n else float("nan"), float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0, n


def _prop(b: npt.ArrayLike) -> tuple[float, float, int]:
    b = np.asarray(b, dtype=bool)
    n = len(b)
    p = float(b.mean()) if n else float("nan")
    return p, math.sqrt(p * (1 - p) / n) if n else 0.0, n


def children_per_case(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    p = t.proc
    return _mean(p.loc[p["law_type"] == fig.law_type, "n_children"])


def adults_per_case(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    counts = adult_counts(t.proc, t.party, fig.law_type)
    return _mean(counts) if len(counts) >= 2 else (float("nan"), 0.0, len(counts))


def recurrence(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    return recurrence_km(t.proc, fig.law_type, t.end, fig.years or 7.0)


def care_order_share(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    c = t.pc[t.pc["has_outcome"]]
    law = c["proceeding_id"].map(t.proc.set_index("proceeding_id")["law_type"])
    c = c[law == (fig.law_type or "public")]
    return _prop(c["outcome"].isin(["care_order", "care_and_placement_order"]))


def newborn_share_of_infants(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    c = t.pc
    law = c["proceeding_id"].map(t.proc.set_index("proceeding_id")["law_type"])
    a = c.loc[law == (fig.law_type or "public"), "age_at_issue_days"]
    infants = a[(a >= 0) & (a < 365.25)]
    return _prop(infants < 7)


def recurrent_within_month(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    p = t.proc
    rec = p[(p["sequence"] > 1) & (p["law_type"] == "public")]
    subjects = t.pc[t.pc["proceeding_id"].isin(rec["proceeding_id"])]
    youngest = subjects.groupby("proceeding_id")["age_at_issue_days"].min()
    return _prop(youngest <= 30)


def alf_match_rate(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    if fig.agency is None:
        raise ValueError("alf_match_rate needs the figure's agency")
    agency = run.profile.agencies[fig.agency]
    key, col = next((k, c.name) for k, tb in agency.tables.items() for c in tb.columns if c.field == "alf_sts_cd")
    df = run.agency_table(fig.agency, key)
    return _prop(pd.to_numeric(df[col], errors="coerce") != 99)  # stored as a number or as CHAR(2) text


def returning_mother_share(run: RunData, t: Truth, fig: Figure) -> tuple[float, float, int]:
    p = t.proc
    return _prop(p.loc[p["law_type"] == (fig.law_type or "public"), "returning_mother"])


MEASURES = {
    "children_per_case": children_per_case,
    "adults_per_case": adults_per_case,
    "recurrence": recurrence,
    "care_order_share": care_order_share,
    "newborn_share_of_infants": newborn_share_of_infants,
    "recurrent_within_month": recurrent_within_month,
    "alf_match_rate": alf_match_rate,
    "returning_mother_share": returning_mother_share,
}


#: Measures that are shares (their standard error comes from the published value).
PROPORTIONS = {"care_order_share", "newborn_share_of_infants", "recurrent_within_month", "alf_match_rate",
               "returning_mother_share"}


def check_figures(run: RunData, t: Truth) -> list[CheckResult]:
    """One result per published figure in the profile."""
    z = run.profile.checks.realism_z
    out = []
    for name, fig in run.profile.checks.figures.items():
        label = f"figure:{name}"
        if fig.agency and fig.agency not in run.profile.agencies:
            if fig.agency in getattr(run, "profile_agencies", ()):
                out.append(CheckResult.skipped(
                    "realism", label, f"needs agency {fig.agency}, which this run was generated without",
                    f"{fig.agency}/*"))
            else:
                out.append(CheckResult.could_not_run(
                    "realism", label, f"agency {fig.agency!r} is not in profile {run.profile.name}",
                    f"{fig.agency}/*"))
            continue
        fn = MEASURES.get(fig.measure)
        if fn is None:
            out.append(CheckResult("realism", label, False, detail=f"unknown measure '{fig.measure}'; "
                                   f"one of {', '.join(MEASURES)}"))
            continue
        try:
            value, se, n = fn(run, t, fig)
        except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
            out.append(CheckResult.could_not_run("realism", label, f"{type(e).__name__}: {e}"))
            continue
        if n < MIN_N or value != value:
            out.append(CheckResult("realism", label, True, "truth", fig.law_type,
                                   statistic={"name": "n", "value": n, "tolerance": MIN_N},
                                   detail=f"only {n} observations: too few to judge (needs {MIN_N})"))
            continue
        if fig.measure in PROPORTIONS:
            # Judge a share by its standard error under the published value (never zero).
            se = math.sqrt(fig.target * (1 - fig.target) / n)
        tol = z * se + fig.allowance
        ok = abs(value - fig.target) <= tol
        out.append(CheckResult(
            "realism", label, ok, "truth", fig.law_type,
            statistic={"name": "abs_error", "value": round(abs(value - fig.target), 5), "tolerance": round(tol, 5),
                       "n": n},
            detail=f"{fig.measure}: achieved {value:.4f} vs published {fig.target} (±{fig.allowance} for an "
                   f"approximate figure); {fig.source or fig.assumption or ''}",
            series={"labels": [name], "target": [fig.target], "achieved": [round(value, 5)]}))
    return out
