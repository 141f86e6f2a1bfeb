"""Volumes compared like with like: cases with cases, children with children, adults with adults.

A run holds a sample of families, so its counts are put on the published scale by one factor: the
published volume rows of the profile (``source:`` rows of its volumes table, in cases, the world's
unit) over the run's proceedings in the same strata. Each published figure is then compared in its
own unit with the run's count in that unit times the factor:

* ``cases``: proceedings issued in the financial year(s); ``applications``: public proceedings
  opened by an s31 (care or supervision) application, private ones all;
* ``children``: the subject children of those proceedings;
* ``adults``: adult parties whose first proceeding of the law type and country was issued in the years;
* ``open_cases`` / ``open_children``: proceedings (their children) issued by the date that Cafcass is
  still working on (``cafcass_end_date``: in private law its work ends at the first hearing unless a
  welfare report is ordered; synth/world/cafcass.py), as Cafcass counts its open cases.

A count of cases in another scope than the world's (all public-law case types, where the world models
s31 cases) gives its ``per_case`` factor: the run's count is multiplied by it (stated in the figure);
children, applications and adults the run counts itself.
Figures come from the profile's volumes table and ``synth/profiles/reference/volume_checks.csv``.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from synth.profile.kinds import MIN_N
from synth.profile.reference import read_reference
from synth.validate.core import CheckResult, RunData
from synth.validate.registry import check
from synth.world.volumes import in_cases

CHECKS_CSV = "reference/volume_checks.csv"
#: Application types that open an s31 case.
S31 = ("care_order", "supervision_order")
PROC_COLUMNS = ["proceeding_id", "fy", "country", "law_type", "issue_date", "disposal_date", "n_children",
                "application_type"]
#: The day Cafcass's own work on a case ended (synth/world/cafcass.py); a run without it is judged
#: on the court's disposal instead.
CAFCASS_END = "cafcass_end_date"


@lru_cache(maxsize=1)
def published_checks() -> pd.DataFrame:
    """The published volume figures in units other than the volume table's (package data)."""
    with resources.as_file(resources.files("synth.profiles").joinpath(CHECKS_CSV)) as path:
        return pd.read_csv(path, dtype={"law_type": str, "date": str}, keep_default_na=False)


def _filled(run: RunData) -> set[tuple[int, str]]:
    """(fy, law type) rows the profile fills from a year effect instead of the table (not checked)."""
    place = getattr(run.profile.world, "place", None)
    effect = getattr(getattr(place, "year_effects", None), "private_law_volume", None)
    if effect is None:
        return set()
    return {(int(y), str(effect.law_type)) for y in effect.fill_years}


def _fy(day: object) -> int:
    """Financial year (April to March) of a date."""
    t = pd.Timestamp(day)  # type: ignore[arg-type]
    return t.year if t.month >= 4 else t.year - 1


def volume_figures(run: RunData) -> pd.DataFrame:
    """Every published figure to compare: the volume table's ``source:`` rows and the extra checks."""
    w = run.profile.world
    path = run.loaded.reference_path(w.volumes.file)
    v = in_cases(read_reference(path, "volumes"), path)
    src = v["source"].astype(str) if "source" in v else pd.Series("", index=v.index)
    filled = _filled(run)
    keep = src.str.startswith("source:") & v["country"].isin(w.countries)
    keep &= ~pd.Series([(int(f), lt) in filled for f, lt in zip(v["fy"], v["law_type"], strict=True)], index=v.index)
    rows = v[keep]
    rows = rows[rows["fy"].between(_fy(run.profile.period.start), _fy(run.profile.period.end))]
    table = pd.DataFrame({
        "check": [f"{u}_{c}_{lt}_{int(f)}" for u, c, lt, f in zip(rows["unit"], rows["country"], rows["law_type"],
                                                                    rows["fy"], strict=True)],
        "unit": rows["unit"], "country": rows["country"], "law_type": rows["law_type"],
        "fy": rows["fy"].astype(int), "fy_last": rows["fy"].astype(int), "date": "", "count": rows["count"],
        # The run counts children, applications and adults itself; a count of cases in another scope
        # (all public-law case types) is the run's cases times the row's per_case.
        "per_case": np.where(rows["unit"] == "cases", rows["per_case"].astype(float), 1.0),
        "to_cases": rows["per_case"].astype(float), "allowance": 0.05, "source": rows["source"],
        "in_volumes": True})
    extra = published_checks().assign(in_volumes=False)
    first, last = int(v["fy"].min()), int(v["fy"].max())
    first, last = max(first, _fy(run.profile.period.start)), min(last, _fy(run.profile.period.end))
    fy = pd.to_numeric(extra["fy"], errors="coerce")
    fy_last = pd.to_numeric(extra["fy_last"], errors="coerce")
    day = pd.to_datetime(extra["date"].replace("", None))
    inside = (fy >= first) & (fy_last <= last) | (day >= pd.Timestamp(run.profile.period.start)) & (
        day <= pd.Timestamp(run.profile.period.end))
    extra = extra[extra["country"].isin(w.countries) & inside.to_numpy()]
    return pd.concat([table, extra], ignore_index=True)


def run_count(proc: pd.DataFrame, party: pd.DataFrame, fig: pd.Series) -> float:
    """The run's count in the figure's unit (before scaling)."""
    unit = fig["unit"]
    p = proc[proc["country"] == fig["country"]]
    if fig["law_type"]:
        p = p[p["law_type"] == fig["law_type"]]
    if unit in ("open_cases", "open_children"):
        day = np.datetime64(fig["date"], "D")
        issue = pd.to_datetime(p["issue_date"]).to_numpy("datetime64[D]")
        # Cafcass counts a case open while it is working on it, which in private law usually ends at
        # the first hearing (synth/world/cafcass.py), not at the court's disposal.
        ended = p[CAFCASS_END] if CAFCASS_END in p.columns else p["disposal_date"]
        disposed = pd.to_datetime(ended).to_numpy("datetime64[D]")
        open_ = (issue <= day) & (np.isnat(disposed) | (disposed > day))
        return float(open_.sum() if unit == "open_cases" else p.loc[open_, "n_children"].sum())
    if unit == "adults":
        adults = party[party["party_role"] != "subject"][["proceeding_id", "person_id"]]
        a = adults.merge(p[["proceeding_id", "issue_date", "fy"]], on="proceeding_id")
        first = a.sort_values(["person_id", "issue_date"], kind="stable").drop_duplicates("person_id")
        return float(first["fy"].between(int(fig["fy"]), int(fig["fy_last"])).sum())
    p = p[p["fy"].between(int(fig["fy"]), int(fig["fy_last"]))]
    if unit == "children":
        return float(p["n_children"].sum())
    if unit == "applications" and fig["law_type"] == "public":
        return float(p["application_type"].isin(S31).sum())
    return float(len(p))


def scale(figures: pd.DataFrame, proc: pd.DataFrame) -> dict[str, float]:
    """Published cases per run proceeding over the volume table's published strata, for each country that has some.

    One factor for the whole run (so a country's share is judged too), given only to the countries
    with published rows: a profile that oversamples a country (``training_small``: Wales x8, rows
    marked ``assumption:``) has none there, and its figures of that country are not judged.
    """
    rows = figures[figures["in_volumes"]]
    cases = (rows["count"].astype(float) / rows["to_cases"].astype(float)).sum()
    keys = pd.MultiIndex.from_arrays([rows["fy"].astype(int), rows["country"], rows["law_type"]])
    have = pd.MultiIndex.from_arrays([proc["fy"].astype(int), proc["country"], proc["law_type"]])
    n = int(have.isin(keys).sum())
    return {str(c): float(cases / n) for c in rows["country"].unique()} if n else {}


def compare(figures: pd.DataFrame, proc: pd.DataFrame, party: pd.DataFrame, factor: float | dict[str, float],
            z: float, min_n: int = MIN_N) -> list[CheckResult]:
    """One result per figure: the run's count in the figure's unit, scaled, against the published count.

    Args:
        figures: rows as :func:`volume_figures` gives them.
        proc, party: the truth proceedings and parties.
        factor: published cases per run proceeding, one for all or by country (:func:`scale`).
        z: the realism z; the tolerance is ``z / sqrt(run count)`` plus the figure's allowance.
        min_n: run counts below this are too few to judge (passed, with the reason).
    """
    out = []
    for _, fig in figures.iterrows():
        f = factor if isinstance(factor, float) else factor.get(str(fig["country"]), float("nan"))
        if not math.isfinite(f):
            out.append(CheckResult.skipped("realism", f"volume:{fig['check']}",
                                           f"no published volume row of {fig['country']} in the profile sets the scale",
                                           "truth/proceeding"))
            continue
        raw = run_count(proc, party, fig)
        m = raw * float(fig["per_case"])
        label = f"volume:{fig['check']}"
        published = float(fig["count"])
        if raw < min_n:
            out.append(CheckResult("realism", label, True, "truth", fig["law_type"] or None,
                                   statistic={"name": "n", "value": int(raw), "tolerance": min_n},
                                   detail=f"only {raw:.0f} {fig['unit']} in the run: too few to judge against "
                                          f"{published:,.0f} (needs {min_n})"))
            continue
        achieved = m * f
        ratio = achieved / published
        tol = z / math.sqrt(raw) + float(fig["allowance"])
        out.append(CheckResult(
            "realism", label, abs(ratio - 1) <= tol, "truth", fig["law_type"] or None,
            statistic={"name": "relative_error", "value": round(ratio - 1, 4), "tolerance": round(tol, 4),
                       "n": int(round(m))},
            detail=f"{fig['unit']} {fig['country']} {fig['law_type'] or 'all'} "
                   f"{fig['date'] or (str(fig['fy']) if fig['fy'] == fig['fy_last'] else f'{fig.fy}-{fig.fy_last}')}: "
                   f"run {achieved:,.0f} (x{f:.3g} to the published scale) vs published {published:,.0f}; "
                   f"{fig['source']}",
            series={"labels": [str(fig["check"])], "target": [published], "achieved": [round(achieved, 1)]}))
    return out


@check("realism", "volumes", truth=("proceeding", "proceeding_party"))
def volumes_like_with_like(run: RunData) -> list[CheckResult]:
    """Published volumes (cases, children, adults, open cases) against the run's count in the same unit."""
    truth = run.truth("proceeding")
    proc = truth[PROC_COLUMNS + [c for c in (CAFCASS_END,) if c in truth.columns]]
    party = run.truth("proceeding_party")[["proceeding_id", "person_id", "party_role"]]
    figures = volume_figures(run)
    return compare(figures, proc, party, scale(figures, proc), run.profile.checks.realism_z)
