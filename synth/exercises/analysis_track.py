"""Analysis track: duration and the 26-week limit, recurrence with censoring, England against Wales.

Each exercise sets the run's answer beside the published figure it imitates (stats.md addresses in
the text; the key CSV carries them as unmarked ``published_*`` columns where they are per row).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.exercises.model import Exercise, RunContext

#: FCSQ mean weeks to first disposal and share within 26 weeks, care and supervision (stats.md 4a).
PUBLISHED_DURATION = {2016: (26.6, 0.63), 2017: (28.0, 0.59), 2019: (33.0, 0.42), 2020: (39.0, 0.31),
                      2021: (45.0, 0.23), 2023: (44.0, 0.29)}

DURATION_SQL = """
SELECT YEAR(last_disposal_date) AS year, COUNT(*) AS cases,
       AVG(DATEDIFF('day', entry_date, last_disposal_date) / 7.0) AS mean_weeks,
       AVG(CASE WHEN DATEDIFF('day', entry_date, last_disposal_date) <= 182 THEN 1.0 ELSE 0.0 END) AS share_within_26w
FROM {T_familyman_cases}
WHERE main_case_type = 'C' AND last_disposal_date IS NOT NULL
  AND YEAR(last_disposal_date) BETWEEN 2017 AND 2023
GROUP BY 1 ORDER BY 1
"""


def duration_answer(ctx: RunContext) -> pd.DataFrame:
    """Mean weeks from issue to disposal and the 26-week share of FamilyMan public law cases, by year."""
    out = ctx.sql(DURATION_SQL)
    pub = out["year"].map(lambda y: PUBLISHED_DURATION.get(int(y), (np.nan, np.nan)))
    out["published_mean_weeks"] = [p[0] for p in pub]
    out["published_share_within_26w"] = [p[1] for p in pub]
    return out


def recurrence_answer(ctx: RunContext) -> pd.DataFrame:
    """Mothers by year of their first public law proceeding: followed 3 years, and recurrent within 3."""
    proc = ctx.table("truth/proceeding")
    rel = ctx.table("truth/proceeding_relationship")
    m = rel.loc[rel["parent_role"] == "mother", ["proceeding_id", "parent_id"]].drop_duplicates()
    m = m.merge(proc.loc[proc["law_type"] == "public", ["proceeding_id", "issue_date"]], on="proceeding_id")
    m["issue_date"] = pd.to_datetime(m["issue_date"])
    first = m.groupby("parent_id")["issue_date"].min().rename("first").reset_index()
    m = m.merge(first, on="parent_id")
    later = m[(m["issue_date"] > m["first"]) & (m["issue_date"] <= m["first"] + pd.DateOffset(years=3))]
    first["recurrent"] = first["parent_id"].isin(later["parent_id"])
    first["followed"] = first["first"] + pd.DateOffset(years=3) <= ctx.period_end
    first["year"] = first["first"].dt.year
    out = first.groupby("year").agg(mothers=("parent_id", "size"), followed_3y=("followed", "sum"),
                                    recurrent_3y=("recurrent", lambda s: int(s[first.loc[s.index, "followed"]].sum())))
    out = out.reset_index()
    out["share_recurrent_3y"] = np.where(out["followed_3y"] > 0, out["recurrent_3y"] / out["followed_3y"].clip(lower=1),
                                         np.nan)
    return out.astype({"followed_3y": "int64", "recurrent_3y": "int64"})


#: Outcome groups of the area comparison.
OUTCOMES = {"care_order": ("care_order", "care_and_placement_order"), "supervision_order": ("supervision_order",),
            "special_guardianship_order": ("special_guardianship_order",)}
#: Published England shares (stats.md 4c): care order about 50%, SO 15% and SGO 17% in 2016/17.
PUBLISHED_OUTCOMES = {"care_order": 0.50, "supervision_order": 0.15, "special_guardianship_order": 0.17}


def areas_answer(ctx: RunContext) -> pd.DataFrame:
    """Final outcomes of children in public law proceedings disposed 2017-2023, England against Wales."""
    proc = ctx.table("truth/proceeding")
    kids = ctx.table("truth/proceeding_child")
    d = kids.merge(proc[["proceeding_id", "law_type", "country", "disposal_date"]], on="proceeding_id")
    year = pd.to_datetime(d["disposal_date"]).dt.year
    d = d[(d["law_type"] == "public") & year.between(2017, 2023) & d["outcome"].notna()]
    rows = []
    for country, g in d.groupby("country"):
        row: dict[str, object] = {"country": country, "children": len(g)}
        for name, values in OUTCOMES.items():
            row[f"share_{name}"] = float(g["outcome"].isin(values).mean())
        rows.append(row)
    out = pd.DataFrame(rows)
    for name, share in PUBLISHED_OUTCOMES.items():
        out[f"published_england_{name}"] = share
    return out


EXERCISES = (
    Exercise(
        id="analysis-01", track="analysis", level=1, title="Time to final order and the 26-week limit",
        task="Since 2014 care and supervision proceedings should finish within 26 weeks. From FamilyMan "
             "(`{T_familyman_cases}`, public law: `main_case_type = 'C'`), take cases disposed in calendar "
             "years 2017 to 2023 and give, by year of `last_disposal_date`: `cases`, `mean_weeks` (from "
             "`entry_date`, the issue, to `last_disposal_date`, in days / 7) and `share_within_26w` (at most "
             "182 days). Published FCSQ figures (stats.md 4a; mean weeks, share within 26 weeks): "
             "Jul-Sep 2016 26.6, 63%; Jul-Sep 2017 28, 59%; Jul-Sep 2019 33, 42%; 2020 39, 31%; 2021 45, 23%; "
             "Apr-Jun 2023 44, 29%. How close is this synthetic run, and why would a few hundred cases "
             "wander?",
        tables=("familyman/cases",),
        hints=("`DATEDIFF('day', a, b)` in DuckDB; pandas: `(b - a).dt.days`.",
               "The average of a 0/1 flag is a share.",
               "FCSQ measures to the *first* disposal of the case; our cases have one disposal date."),
        answer=duration_answer, key=("year",), tolerance=5e-3, solution=DURATION_SQL,
        published="stats.md 4a (FCSQ)"),
    Exercise(
        id="analysis-02", track="analysis", level=2, title="Recurrence with censoring",
        task="Recurrent care proceedings: how many mothers come back within 3 years of their first set of "
             "proceedings? Use the linked research tables `truth.proceeding_relationship` (`parent_role = "
             "'mother'`, the mother in `parent_id`) and `truth.proceeding` (`law_type = 'public'`, "
             "`issue_date`). A mother's index proceeding is her first public law one; she recurs when another "
             "is issued after the index and at most 3 years later. The data end on {period_end}, so a mother "
             "whose index was issued after {followed_from} has not been followed for 3 years: count her in "
             "`mothers` but not in `followed_3y`, and count recurrences only among the followed. Answer by "
             "year of the index issue: `year, mothers, followed_3y, recurrent_3y, share_recurrent_3y` (empty "
             "when none is followed). Published (stats.md 3): 24% of mothers return within 7 years "
             "(Broadhurst et al. 2015), about 1 in 4 within 10 years, most repeats within 3 years.",
        tables=("truth/proceeding_relationship", "truth/proceeding"),
        hints=("One row per (mother, proceeding) first; then each mother's first issue date.",
               "`first + INTERVAL 3 YEAR <= DATE '<the end of the data>'` says she was followed for 3 years.",
               "A survival curve (Kaplan-Meier) uses the censored mothers too: try it with lifelines."),
        answer=recurrence_answer, key=("year",), tolerance=5e-4, published="stats.md 3"),
    Exercise(
        id="analysis-03", track="analysis", level=2, title="England against Wales: final outcomes",
        task="Compare the final outcomes of children in public law proceedings in England and in Wales. From "
             "`truth.proceeding_child` (`outcome`) and `truth.proceeding` (`law_type = 'public'`, `country`, "
             "`disposal_date` in 2017-2023), for children with an outcome give per `country`: `children`, "
             "`share_care_order` (care orders, with or without a placement order: `care_order`, "
             "`care_and_placement_order`), `share_supervision_order`, `share_special_guardianship_order`. "
             "Published for England (stats.md 4c): care order about 50% of children; supervision order 15% "
             "and special guardianship order 17% of final outcomes in 2016/17. Is the difference between the "
             "two countries larger than chance would give with these numbers of children?",
        tables=("truth/proceeding_child", "truth/proceeding"),
        hints=("Join children to their proceeding, filter, then group by country.",
               "`AVG(CASE WHEN outcome IN (...) THEN 1 ELSE 0 END)`.",
               "A share p of n children has a standard error of about sqrt(p(1-p)/n)."),
        answer=areas_answer, key=("country",), tolerance=5e-4, published="stats.md 4c"),
)

#: Columns of the keys that carry published figures: shown, never marked.
UNMARKED = {"analysis-01": ("published_mean_weeks", "published_share_within_26w"),
            "analysis-03": tuple(f"published_england_{n}" for n in PUBLISHED_OUTCOMES)}
