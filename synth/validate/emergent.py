"""Figures nobody calibrated: what the mechanisms produce unasked, beside a published value where one exists.

Issue 11 point 7: a figure the profile states and the output repeats proves little; these are the
figures no parameter was tuned to. Each is reported, not judged (statistic ``not_judged``; status
passed, as nothing was stated that it could fail), in the report's "Not calibrated" section,
so a user sees where the world model stands against the world on things it was not told: men
across families, half-siblings, birth intervals and multiple births, children in several
proceedings, the care population.

Everything is read from the truth tables with DuckDB SQL over their parts (a million-family run is
not loaded into memory).
"""

from __future__ import annotations

import math

from synth.validate.core import CheckResult, RunData
from synth.validate.registry import check

GROUP = "realism"
#: Result names start with this; the report lists them in their own section, not among the judged checks.
PREFIX = "not_calibrated:"

#: Children looked after in England at 31 March (stats.md 8: DfE CLA releases).
CLA_ENGLAND = {2015: 69_540, 2020: 80_080, 2024: 83_630}


def _figure(name: str, value: float | None, unit: str, detail: str, published: float | None = None,
            source: str = "") -> CheckResult:
    """One reported figure (never failed: nothing was stated for it)."""
    name = PREFIX + name
    if value is None or not math.isfinite(value):
        return CheckResult(GROUP, name, True, table="truth", detail=f"not calibrated: {detail}: nothing to measure")
    text = (f"not calibrated: {detail}: {number(value)} {unit}"
            + (f"; published {number(published)} ({source})" if published is not None else "; nothing published"))
    return CheckResult(GROUP, name, True, table="truth",
                       statistic={"name": "not_judged", "value": round(float(value), 5), "tolerance": None,
                                  "unit": unit, "published": published},
                       detail=text)


def number(v: float) -> str:
    """A figure as people read it: whole thousands with commas, small values to 3 significant digits."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def _one(run: RunData, sql: str) -> float | None:
    row = run.sql.df(sql)
    v = row.iloc[0, 0] if len(row) else None
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


@check(GROUP, "emergent_figures", truth=("person", "partnership", "proceeding", "proceeding_party",
                                          "proceeding_child", "care_episode"))
def emergent_figures(run: RunData) -> list[CheckResult]:
    """Men across families, half-siblings, birth intervals, multiple births, repeat subjects, care numbers."""
    person, pship = run.source("truth", "person"), run.source("truth", "partnership")
    proc, party = run.source("truth", "proceeding"), run.source("truth", "proceeding_party")
    pc = run.source("truth", "proceeding_child")
    # TRY_CAST: a CSV-only run's truth is text (synth/validate/core.py reads its parts as they are).
    kids = (f"(SELECT person_id, mother_id, father_id, TRY_CAST(date_of_birth AS DATE) AS date_of_birth "
            f"FROM {person} WHERE family_role = 'child')")
    out = [
        _figure("men_with_children_by_several_mothers", _one(run, f"""
            SELECT avg(CASE WHEN n > 1 THEN 100.0 ELSE 0 END) FROM (
              SELECT man_id, count(DISTINCT woman_id) AS n FROM {pship} GROUP BY man_id)"""),
                "% of fathers", "fathers with children by two or more mothers"),
        _figure("fathers_party_in_several_families", _one(run, f"""
            SELECT avg(CASE WHEN n > 1 THEN 100.0 ELSE 0 END) FROM (
              SELECT pp.person_id, count(DISTINCT p.family_id) AS n FROM {party} pp
              JOIN {proc} p USING (proceeding_id) WHERE pp.relationship = 'father' GROUP BY pp.person_id)"""),
                "% of fathers who are parties", "fathers who are parties in more than one family's proceedings"),
        _figure("mothers_with_half_siblings", _one(run, f"""
            SELECT avg(CASE WHEN f > 1 THEN 100.0 ELSE 0 END) FROM (
              SELECT mother_id, count(DISTINCT father_id) AS f, count(*) AS n FROM {kids}
              GROUP BY mother_id HAVING count(*) > 1)"""),
                "% of mothers of 2+ children",
                "mothers of two or more children whose children have more than one father"),
        _figure("median_birth_interval", _one(run, f"""
            SELECT median(gap) / 30.4375 FROM (
              SELECT date_diff('day', lag(date_of_birth) OVER (PARTITION BY mother_id ORDER BY date_of_birth),
                               date_of_birth) AS gap FROM {kids}) WHERE gap > 0"""),
                "months", "median interval between a mother's consecutive births (different days)"),
        _figure("multiple_maternities", _one(run, f"""
            SELECT 1000.0 * avg(CASE WHEN n > 1 THEN 1 ELSE 0 END) FROM (
              SELECT mother_id, date_of_birth, count(*) AS n FROM {kids} GROUP BY mother_id, date_of_birth)"""),
                "per 1,000 maternities", "maternities of twins or more (children of one mother born the same day)",
                15.0, "ONS birth characteristics, stats.md 8"),
        _figure("children_in_several_proceedings", _one(run, f"""
            SELECT avg(CASE WHEN n > 1 THEN 100.0 ELSE 0 END) FROM (
              SELECT person_id, count(*) AS n FROM {pc} GROUP BY person_id)"""),
                "% of subject children", "subject children who are subjects of two or more proceedings"),
    ]
    out += _looked_after(run)
    return out


def _looked_after(run: RunData) -> list[CheckResult]:
    """Children looked after in England at 31 March, on the published scale of English public law cases."""
    if not run.has("truth", "care_episode"):
        return []
    from synth.validate.volumes import PROC_COLUMNS, scale, volume_figures

    truth = run.truth("proceeding")[PROC_COLUMNS]
    factor = scale(volume_figures(run), truth).get("England")
    if not factor:
        return []
    ep, proc = run.source("truth", "care_episode"), run.source("truth", "proceeding")
    out = []
    for year, published in CLA_ENGLAND.items():
        n = _one(run, f"""
            SELECT count(DISTINCT e.person_id) FROM {ep} e JOIN {proc} p USING (proceeding_id)
            WHERE p.country = 'England' AND TRY_CAST(e.start_date AS DATE) <= DATE '{year}-03-31'
              AND (e.end_date IS NULL OR TRY_CAST(e.end_date AS DATE) > DATE '{year}-03-31')""")
        out.append(_figure(f"looked_after_31_march_{year}", None if n is None else n * factor, "children",
                           f"children looked after in England at 31 March {year} (the run's care episodes on the "
                           "published scale of English proceedings)", float(published),
                           "DfE children looked after, stats.md 8"))
    return out
