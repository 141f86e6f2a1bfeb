"""Published cross-table figures (profile ``checks.figures``): achieved versus published.

Each measure takes its sample from a slice of the truth (or, once, from an agency table); the samples of
every slice are pooled and give ``(value, standard error, n)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from synth.profile.kinds import MIN_N
from synth.profile.models import Figure
from synth.validate.core import CheckResult, RunData
from synth.validate.measures import adult_counts, kaplan_meier, recurrence_sample
from synth.validate.observers.truth import Truth
from synth.validate.pooling import Failure, pool


def _mean(x: npt.ArrayLike) -> tuple[float, float, int]:
    x = np.asarray(x, dtype=float)
    n = len(x)
    return float(x.mean()) if n else float("nan"), float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0, n


def _prop(b: npt.ArrayLike) -> tuple[float, float, int]:
    b = np.asarray(b, dtype=bool)
    n = len(b)
    p = float(b.mean()) if n else float("nan")
    return p, math.sqrt(p * (1 - p) / n) if n else 0.0, n


def children_per_case(run: RunData, t: Truth, fig: Figure) -> pd.Series:
    p = t.proc
    return p.loc[p["law_type"] == fig.law_type, "n_children"]


def adults_per_case(run: RunData, t: Truth, fig: Figure) -> pd.Series:
    return adult_counts(t.proc, t.party, fig.law_type)


def recurrence(run: RunData, t: Truth, fig: Figure) -> tuple[np.ndarray, np.ndarray]:
    return recurrence_sample(t.proc, fig.law_type, t.end)


def care_order_share(run: RunData, t: Truth, fig: Figure) -> pd.Series:
    c = t.pc[t.pc["has_outcome"]]
    law = c["proceeding_id"].map(t.proc.set_index("proceeding_id")["law_type"])
    c = c[law == (fig.law_type or "public")]
    return c["outcome"].isin(["care_order", "care_and_placement_order"])


def newborn_share_of_infants(run: RunData, t: Truth, fig: Figure) -> pd.Series:
    c = t.pc
    law = c["proceeding_id"].map(t.proc.set_index("proceeding_id")["law_type"])
    a = c.loc[law == (fig.law_type or "public"), "age_at_issue_days"]
    infants = a[(a >= 0) & (a < 365.25)]
    return infants < 7


def recurrent_within_month(run: RunData, t: Truth, fig: Figure) -> pd.Series:
    p = t.proc
    rec = p[(p["sequence"] > 1) & (p["law_type"] == "public")]
    subjects = t.pc[t.pc["proceeding_id"].isin(rec["proceeding_id"])]
    youngest = subjects.groupby("proceeding_id")["age_at_issue_days"].min()
    return youngest <= 30


def alf_match_rate(run: RunData, t: Truth, fig: Figure) -> pd.Series:
    if fig.agency is None:
        raise ValueError("alf_match_rate needs the figure's agency")
    agency = run.profile.agencies[fig.agency]
    name, col = next((tb.name, c.name) for tb in agency.tables.values() for c in tb.columns
                     if c.field == "alf_sts_cd")
    df = run.columns(fig.agency, name, [col])
    return pd.to_numeric(df[col], errors="coerce") != 99  # stored as a number or as CHAR(2) text


def returning_mother_share(run: RunData, t: Truth, fig: Figure) -> pd.Series:
    p = t.proc
    return p.loc[p["law_type"] == (fig.law_type or "public"), "returning_mother"]


def _adults(x: npt.ArrayLike) -> tuple[float, float, int]:
    x = np.asarray(x)
    return _mean(x) if len(x) >= 2 else (float("nan"), 0.0, len(x))


def _km(sample: tuple[np.ndarray, np.ndarray], fig: Figure) -> tuple[float, float, int]:
    dur, event = sample
    inc, se = kaplan_meier(dur, event, fig.years or 7.0)
    return inc, se, len(dur)


#: measure -> (its sample on a slice of the families, the figure from the pooled sample).
Sample = Callable[[RunData, Truth, Figure], Any]
Statistic = Callable[[Any, Figure], tuple[float, float, int]]
MEASURES: dict[str, tuple[Sample, Statistic]] = {
    "children_per_case": (children_per_case, lambda x, f: _mean(x)),
    "adults_per_case": (adults_per_case, lambda x, f: _adults(x)),
    "recurrence": (recurrence, _km),
    "care_order_share": (care_order_share, lambda x, f: _prop(x)),
    "newborn_share_of_infants": (newborn_share_of_infants, lambda x, f: _prop(x)),
    "recurrent_within_month": (recurrent_within_month, lambda x, f: _prop(x)),
    "alf_match_rate": (alf_match_rate, lambda x, f: _prop(x)),
    "returning_mother_share": (returning_mother_share, lambda x, f: _prop(x)),
}
#: Measures of agency tables, not of the truth: taken once, not per slice.
WHOLE_RUN = {"alf_match_rate"}


#: Measures that are shares (their standard error comes from the published value).
PROPORTIONS = {"care_order_share", "newborn_share_of_infants", "recurrent_within_month", "alf_match_rate",
               "returning_mother_share"}

#: One slice's samples: figure name -> its sample, or the exception taking it raised.
FigureSamples = dict[str, Any]


def figure_samples(run: RunData, t: Truth, first: bool = True) -> FigureSamples:
    """Each published figure's sample on one slice of the families (whole-run measures on the first only)."""
    out: FigureSamples = {}
    for name, fig in run.profile.checks.figures.items():
        entry = MEASURES.get(fig.measure)
        if entry is None or (fig.agency and fig.agency not in run.profile.agencies):
            continue
        if fig.measure in WHOLE_RUN and not first:
            continue
        try:
            out[name] = entry[0](run, t, fig)
        except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
            out[name] = Failure(f"{type(e).__name__}: {e}")
    return out


def _figure(fig: Figure, parts: list[Any]) -> tuple[float, float, int]:
    return MEASURES[fig.measure][1](pool(parts), fig)


def check_figures(run: RunData, samples: list[FigureSamples]) -> list[CheckResult]:
    """One result per published figure in the profile, from its samples on every slice of the families."""
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
        if fig.measure not in MEASURES:
            out.append(CheckResult("realism", label, False, detail=f"unknown measure '{fig.measure}'; "
                                   f"one of {', '.join(MEASURES)}"))
            continue
        parts = [x[name] for x in samples if name in x]
        failures = [x.reason for x in parts if isinstance(x, Failure)]
        if failures:
            out.append(CheckResult.could_not_run("realism", label, failures[0]))
            continue
        try:
            value, se, n = _figure(fig, parts)
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
