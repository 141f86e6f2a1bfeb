"""SQL track: counting across agencies, SAIL's ALF join, an FJDP-style cohort, FCSQ-style counts.

Each key is the run's answer to the exercise's DuckDB solution query, run on the agency extracts
through :func:`synth.sql.query`; tests/exercises recompute every one from the truth or the
extracts with pandas.
"""

from __future__ import annotations

import pandas as pd

from synth.exercises.model import Exercise, RunContext

COUNTS_SQL = """
SELECT 'cafcass_england' AS agency, YEAR(case_start_date) AS year, law_type, COUNT(*) AS cases
FROM {T_cafcass_england_case} GROUP BY ALL
UNION ALL
SELECT 'cafcass_cymru', YEAR(cap_casestartdate), LOWER(cap_lawtypename), COUNT(*)
FROM {T_cafcass_cymru_case} GROUP BY ALL
UNION ALL
SELECT 'familyman', YEAR(entry_date), CASE main_case_type WHEN 'C' THEN 'public' ELSE 'private' END, COUNT(*)
FROM {T_familyman_cases} GROUP BY ALL
ORDER BY agency, year, law_type
"""

ALF_SQL = """
WITH subjects AS (
  SELECT DISTINCT s.{c_record2id_e} AS person
  FROM {T_cafcass_cymru_application_subject} s
  WHERE s.record2roleidname = 'Subject'
), usable AS (
  SELECT a.{C_SYSTEM_ID_E} AS person, a.{C_ALF_E} AS alf
  FROM {T_cafcass_cymru_alf} a
  WHERE a.ALF_STS_CD IN ('1', '4', '39') AND (a.ALF_MTCH_PCT IS NULL OR a.ALF_MTCH_PCT >= 0.9)
    AND a.{C_ALF_E} IS NOT NULL
)
SELECT COUNT(*) AS subject_records,
       COUNT(u.alf) AS with_usable_alf,
       COUNT(DISTINCT u.alf) AS distinct_alfs,
       COUNT(DISTINCT w.{C_ALF_E}) AS alfs_in_wdsd
FROM subjects s
LEFT JOIN usable u ON u.person = s.person
LEFT JOIN {T_wds_ar_pers} w ON w.{C_ALF_E} = u.alf
"""

COHORT_SQL = """
WITH mothers AS (
  SELECT DISTINCT r.adult_id AS mother, c.case_id, c.case_start_date AS start
  FROM {T_cafcass_england_relationship} r
  JOIN {T_cafcass_england_case} c ON c.case_id = r.case_id
  WHERE r.relationship = 'mother' AND c.law_type = 'public'
), firsts AS (
  SELECT mother, MIN(start) AS first_start FROM mothers GROUP BY mother
)
SELECT YEAR(f.first_start) AS cohort_year,
       COUNT(*) AS mothers,
       COUNT(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM mothers m WHERE m.mother = f.mother AND m.start > f.first_start
           AND m.start <= f.first_start + INTERVAL 3 YEAR)) AS recurrent_within_3y
FROM firsts f
WHERE f.first_start < DATE '2021-04-01'
GROUP BY 1 ORDER BY 1
"""

FAMILYMAN_SQL = """
WITH live AS (
  SELECT case_number, event_model, receipt_date FROM {T_familyman_events} WHERE error = 'N'
)
SELECT YEAR(receipt_date) AS year, SUBSTR(case_number, 5, 1) AS case_type,
       COUNT(*) FILTER (WHERE event_model IN ('U22', 'G50')) AS applications,
       COUNT(*) FILTER (WHERE event_model IN ('C23', 'C32A', 'C33', 'C35A', 'C35B', 'C43', 'C43A',
                                              'A21', 'G63', 'ORDNOM', 'ORDREF')) AS disposals
FROM live
GROUP BY 1, 2 ORDER BY 1, 2
"""


def _sql(text: str):
    def answer(ctx: RunContext) -> pd.DataFrame:
        return ctx.sql(text)
    return answer


EXERCISES = (
    Exercise(
        id="sql-01", track="sql", level=1, title="Cases by year and law type in three agencies",
        task="Count the cases each agency holds by calendar year of the case's start and law type "
             "(`public` / `private`): Cafcass England (`{T_cafcass_england_case}`, by `case_start_date`), "
             "Cafcass Cymru (`{T_cafcass_cymru_case}`, by `cap_casestartdate`, law type in lower case) and "
             "FamilyMan (`{T_familyman_cases}`, by `entry_date`; `main_case_type` C is public, P private). "
             "One row per agency, year and law type with columns `agency, year, law_type, cases`. "
             "Do the English and Welsh Cafcass counts add up to FamilyMan's? Why not exactly?",
        tables=("cafcass_england/case", "cafcass_cymru/case", "familyman/cases"),
        hints=("Three `GROUP BY` queries glued with `UNION ALL`.",
               "`YEAR(date)` gives the calendar year; `LOWER('Public')` is `public`.",
               "FamilyMan's case type is also the fifth character of `case_number` (C or P)."),
        answer=_sql(COUNTS_SQL), key=("agency", "year", "law_type"), solution=COUNTS_SQL),
    Exercise(
        id="sql-02", track="sql", level=2, title="Cafcass Cymru children in the WDSD through their ALFs",
        task="SAIL analysts join Cafcass Cymru people to the Welsh Demographic Service (WDSD) by the "
             "anonymised linking field (ALF), keeping only trusted matches. Take the distinct child "
             "subjects of applications (`record2roleidname = 'Subject'` in "
             "`{T_cafcass_cymru_application_subject}`, the person in `{c_record2id_e}`), look up their ALF "
             "in `{T_cafcass_cymru_alf}` (a usable ALF: `ALF_STS_CD` 1, 4 or 39 and `ALF_MTCH_PCT` null or at "
             "least 0.9), and find those ALFs in `{T_wds_ar_pers}`. Answer one row: `subject_records` (distinct "
             "subject person ids), `with_usable_alf` (of those, how many have a usable ALF), `distinct_alfs` "
             "and `alfs_in_wdsd` (distinct usable ALFs found in the WDSD).",
        tables=("cafcass_cymru/application_subject", "cafcass_cymru/alf", "wds/ar_pers"),
        hints=("The subject table's `{c_record2id_e}` is the ALF table's `{C_SYSTEM_ID_E}`.",
               "Use LEFT JOINs so children without a usable ALF still count in `subject_records`.",
               "`COUNT(col)` skips nulls; `COUNT(DISTINCT col)` also removes repeats (two records, one ALF)."),
        answer=_sql(ALF_SQL), key=(), solution=ALF_SQL),
    Exercise(
        id="sql-03", track="sql", level=3, title="An FJDP-style cohort: mothers' first proceedings and recurrence",
        task="Following the Family Justice Data Partnership's recurrence studies, build a cohort of "
             "mothers from Cafcass England: an adult is a mother on a case when `{T_cafcass_england_relationship}` "
             "links them to a child with `relationship = 'mother'`. Keep public law cases only "
             "(`{T_cafcass_england_case}`.`law_type`). A mother's index case is her earliest public law case "
             "(by `case_start_date`); she *recurs* when another public law case of hers starts after the index "
             "and at most 3 years later. So that every mother is followed for 3 years, keep index cases that "
             "start before 1 April 2021. Answer `cohort_year` (year of the index start), `mothers`, "
             "`recurrent_within_3y`.",
        tables=("cafcass_england/relationship", "cafcass_england/case"),
        hints=("First a distinct (mother, case, start) list, then each mother's `MIN(start)`.",
               "`first_start + INTERVAL 3 YEAR` is the end of the window; the index case itself must not count.",
               "Cafcass gives the same woman a second person id now and then (duplicates): compare your count "
               "with truth/proceeding_relationship to see what that costs."),
        answer=_sql(COHORT_SQL), key=("cohort_year",), solution=COHORT_SQL),
    Exercise(
        id="sql-04", track="sql", level=2, title="FamilyMan applications and disposals, the MoJ way",
        task="MoJ's Family Court Statistics count applications and disposals from FamilyMan events. From "
             "`{T_familyman_events}` (events entered in error have `error = 'Y'`: drop them), count by "
             "calendar year of `receipt_date` and case type (the fifth character of `case_number`: C public, "
             "P private) the applications (event models U22, the C110A care application, and G50, the C100 "
             "private application) and the disposals (order and disposal events: C23, C32A, C33, C35A, C35B, "
             "C43, C43A, A21, G63 withdrawals, ORDNOM no order, ORDREF refused). Columns `year, case_type, "
             "applications, disposals`.",
        tables=("familyman/events",),
        hints=("`SUBSTR(case_number, 5, 1)`.",
               "`COUNT(*) FILTER (WHERE event_model IN (...))` counts two things in one pass.",
               "The FCSQ notebooks go further (orders named in event fields, children per application): "
               "see tests/shapes/test_familyman.py for those queries."),
        answer=_sql(FAMILYMAN_SQL), key=("year", "case_type"), solution=FAMILYMAN_SQL),
)
