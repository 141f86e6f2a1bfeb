"""Every exercise's key, recomputed another way: the truth with pandas where the key is the extracts'
SQL, DuckDB SQL where the key is pandas, a learner's cleaning method where the key is the fault log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.exercises.conftest import key, same


def _truth(run, name: str) -> pd.DataFrame:
    return run.table(f"truth/{name}")


def test_sql_01_counts_are_the_truths_proceedings(clean_run, clean_pack):
    p = _truth(clean_run, "proceeding")
    receipt, issue = pd.to_datetime(p["receipt_date"]).dt.year, pd.to_datetime(p["issue_date"]).dt.year
    parts = [p[p["country"] == "England"].assign(agency="cafcass_england", year=receipt),
             p[p["country"] == "Wales"].assign(agency="cafcass_cymru", year=receipt),
             p.assign(agency="familyman", year=issue)]
    want = (pd.concat(parts).groupby(["agency", "year", "law_type"]).size().rename("cases").reset_index())
    same(key(clean_pack, "sql-01"), want, ["agency", "year", "law_type"])


def test_sql_02_alf_join_in_pandas(clean_run, clean_pack):
    sub = clean_run.table("cafcass_cymru/CAFW_APPLICATION_SUBJECT_20240630")
    alf = clean_run.table("cafcass_cymru/CAFW_CAFCASS_ALF_20240630")
    wdsd = clean_run.table("wds/WDSD_AR_PERS_20240630")
    people = sub.loc[sub["record2roleidname"] == "Subject", "record2id_e"].drop_duplicates()
    pct = pd.to_numeric(alf["ALF_MTCH_PCT"])
    usable = alf[alf["ALF_STS_CD"].isin(["1", "4", "39"]) & (pct.isna() | (pct >= 0.9)) & alf["ALF_E"].notna()]
    alfs = usable.set_index("SYSTEM_ID_E")["ALF_E"]
    got = people.map(alfs)
    want = pd.DataFrame({"subject_records": [len(people)], "with_usable_alf": [got.notna().sum()],
                         "distinct_alfs": [got.nunique()], "alfs_in_wdsd": [got[got.isin(wdsd["ALF_E"])].nunique()]})
    same(key(clean_pack, "sql-02"), want, ["subject_records"])
    assert 0 < want["alfs_in_wdsd"][0] < want["subject_records"][0]


def test_sql_03_cohort_in_pandas(clean_run, clean_pack):
    rel = clean_run.table("cafcass_england/relationship")
    case = clean_run.table("cafcass_england/case")
    m = rel.loc[rel["relationship"] == "mother", ["adult_id", "case_id"]].merge(
        case.loc[case["law_type"] == "public", ["case_id", "case_start_date"]], on="case_id").drop_duplicates()
    m["start"] = pd.to_datetime(m["case_start_date"])
    first = m.groupby("adult_id")["start"].min().rename("first")
    m = m.join(first, on="adult_id")
    recur = m[(m["start"] > m["first"]) & (m["start"] <= m["first"] + pd.DateOffset(years=3))]["adult_id"].unique()
    f = first[first < pd.Timestamp("2021-04-01")].reset_index()
    want = (f.assign(cohort_year=f["first"].dt.year, r=f["adult_id"].isin(recur))
            .groupby("cohort_year").agg(mothers=("adult_id", "size"), recurrent_within_3y=("r", "sum")).reset_index())
    same(key(clean_pack, "sql-03"), want, ["cohort_year"])
    assert want["recurrent_within_3y"].sum() > 0


def test_sql_04_familyman_counts_are_the_truths_court_events(clean_run, clean_pack):
    ev = _truth(clean_run, "court_event")
    ev = ev[ev["error"] == "N"]
    law = _truth(clean_run, "proceeding").set_index("proceeding_id")["law_type"]
    ev = ev.assign(year=pd.to_datetime(ev["event_date"]).dt.year,
                   case_type=ev["proceeding_id"].map(law).map({"public": "C", "private": "P"}),
                   app=ev["event_model"].isin(["U22", "G50"]), disp=ev["disposal_type"].notna())
    want = ev.groupby(["year", "case_type"]).agg(applications=("app", "sum"), disposals=("disp", "sum")).reset_index()
    same(key(clean_pack, "sql-04"), want, ["year", "case_type"])
    apps = _truth(clean_run, "application")
    assert want["applications"].sum() <= len(apps) and want["disposals"].sum() > 0


LINK_BASE = """
WITH cy AS (SELECT f.*, l.person_id FROM SAIL0000V.CAFW_FILE1 f
            JOIN truth.links l ON l.agency = 'cafcass_cymru' AND l.system_id = CAST(f.SYSTEM_ID AS BIGINT)),
     wd AS (SELECT f.*, l.person_id FROM SAIL0000V.WDSD_FILE1 f
            JOIN truth.links l ON l.agency = 'wds' AND l.system_id = CAST(f.SYSTEM_ID AS BIGINT)),
     truth_pairs AS (SELECT DISTINCT cy.SYSTEM_ID AS l, wd.SYSTEM_ID AS r FROM cy JOIN wd USING (person_id)),
     exact AS (SELECT DISTINCT cy.SYSTEM_ID AS l, wd.SYSTEM_ID AS r FROM cy JOIN wd
               ON cy.NHS_NUMBER = wd.NHS_NUMBER AND cy.DATE_OF_BIRTH = wd.DATE_OF_BIRTH)
"""


def test_linkage_01_exact_linkage_in_sql(clean_run, clean_pack):
    got = clean_run.sql(LINK_BASE + """
        SELECT (SELECT COUNT(*) FROM exact) AS predicted_pairs,
               (SELECT COUNT(*) FROM exact JOIN truth_pairs USING (l, r)) AS true_positives,
               (SELECT COUNT(*) FROM truth_pairs) AS true_pairs""")
    got["precision"] = got["true_positives"] / got["predicted_pairs"]
    got["recall"] = got["true_positives"] / got["true_pairs"]
    same(key(clean_pack, "linkage-01"), got, ["predicted_pairs"])
    assert 0.5 < got["recall"][0] < 1


def test_linkage_02_thresholds_in_sql(clean_run, clean_pack):
    got = clean_run.sql(LINK_BASE + """
    , scored AS (
      SELECT DISTINCT cy.SYSTEM_ID AS l, wd.SYSTEM_ID AS r,
        4 * COALESCE((TRIM(cy.NHS_NUMBER) = TRIM(wd.NHS_NUMBER))::INT, 0)
        + 2 * COALESCE((UPPER(TRIM(cy.SURNAME)) = UPPER(TRIM(wd.SURNAME)))::INT, 0)
        + COALESCE((UPPER(TRIM(cy.FORENAME)) = UPPER(TRIM(wd.FORENAME)))::INT, 0)
        + COALESCE((UPPER(TRIM(cy.POSTCODE)) = UPPER(TRIM(wd.POSTCODE)))::INT, 0)
        + COALESCE((TRIM(cy.GENDER_CD) = TRIM(wd.GENDER_CD))::INT, 0) AS score
      FROM cy JOIN wd ON cy.DATE_OF_BIRTH = wd.DATE_OF_BIRTH)
    SELECT t.range AS threshold, COUNT(s.l) AS predicted_pairs, COUNT(tp.l) AS true_positives
    FROM range(1, 10) t LEFT JOIN scored s ON s.score >= t.range
    LEFT JOIN truth_pairs tp ON tp.l = s.l AND tp.r = s.r
    GROUP BY 1 ORDER BY 1""")
    total = int(clean_run.sql(LINK_BASE + "SELECT COUNT(*) AS n FROM truth_pairs")["n"][0])
    got["precision"] = (got["true_positives"] / got["predicted_pairs"].replace(0, np.nan))
    got["recall"] = got["true_positives"] / total
    same(key(clean_pack, "linkage-02"), got, ["threshold"])
    assert got["recall"].is_monotonic_decreasing and got["recall"][0] > got["recall"].iloc[-1]


def test_linkage_03_recall_by_error_field_in_sql(clean_run, clean_pack):
    got = clean_run.sql(LINK_BASE + """
    , fields AS (SELECT DISTINCT l.system_id, e.field FROM truth.identifier_errors e
                 JOIN truth.links l ON l.agency = e.agency AND l.agency_person_id = e.agency_person_id
                 WHERE e.agency = 'cafcass_cymru')
    SELECT COALESCE(f.field, 'none') AS error_field, COUNT(*) AS true_pairs, COUNT(x.l) AS found
    FROM truth_pairs t LEFT JOIN fields f ON f.system_id = CAST(t.l AS BIGINT)
    LEFT JOIN exact x ON x.l = t.l AND x.r = t.r
    GROUP BY 1""")
    got["recall"] = got["found"] / got["true_pairs"]
    same(key(clean_pack, "linkage-03"), got, ["error_field"])
    recall = got.set_index("error_field")["recall"]
    assert recall["none"] > 0.95 and recall.get("nhs_number", 0) < 0.2


def test_analysis_01_duration_from_the_truth(clean_run, clean_pack):
    p = _truth(clean_run, "proceeding")
    p = p[(p["law_type"] == "public") & p["disposal_date"].notna()]
    d = (pd.to_datetime(p["disposal_date"]) - pd.to_datetime(p["issue_date"])).dt.days
    year = pd.to_datetime(p["disposal_date"]).dt.year
    t = pd.DataFrame({"year": year, "weeks": d / 7, "in26": d <= 182})[year.between(2017, 2023)]
    want = t.groupby("year").agg(cases=("weeks", "size"), mean_weeks=("weeks", "mean"),
                                 share_within_26w=("in26", "mean")).reset_index()
    same(key(clean_pack, "analysis-01")[list(want.columns)], want, ["year"])
    assert key(clean_pack, "analysis-01")["published_mean_weeks"].notna().sum() >= 4


def test_analysis_02_recurrence_in_sql(clean_run, clean_pack):
    got = clean_run.sql("""
    WITH m AS (SELECT DISTINCT r.parent_id, p.issue_date FROM truth.proceeding_relationship r
               JOIN truth.proceeding p USING (proceeding_id)
               WHERE r.parent_role = 'mother' AND p.law_type = 'public'),
         f AS (SELECT parent_id, MIN(issue_date) AS first FROM m GROUP BY 1),
         g AS (SELECT f.*, f.first + INTERVAL 3 YEAR <= DATE '2024-03-31' AS followed,
                      EXISTS (SELECT 1 FROM m WHERE m.parent_id = f.parent_id AND m.issue_date > f.first
                              AND m.issue_date <= f.first + INTERVAL 3 YEAR) AS recurs FROM f)
    SELECT YEAR(first) AS year, COUNT(*) AS mothers, COUNT(*) FILTER (WHERE followed) AS followed_3y,
           COUNT(*) FILTER (WHERE followed AND recurs) AS recurrent_3y,
           CAST(COUNT(*) FILTER (WHERE followed AND recurs) AS DOUBLE) / NULLIF(COUNT(*) FILTER (WHERE followed), 0)
             AS share_recurrent_3y
    FROM g GROUP BY 1""")
    same(key(clean_pack, "analysis-02"), got, ["year"])
    assert got["recurrent_3y"].sum() > 0 and (got["followed_3y"] < got["mothers"]).any()


def test_analysis_03_areas_in_sql(clean_run, clean_pack):
    got = clean_run.sql("""
    SELECT p.country, COUNT(*) AS children,
      AVG((c.outcome IN ('care_order', 'care_and_placement_order'))::INT) AS share_care_order,
      AVG((c.outcome = 'supervision_order')::INT) AS share_supervision_order,
      AVG((c.outcome = 'special_guardianship_order')::INT) AS share_special_guardianship_order
    FROM truth.proceeding_child c JOIN truth.proceeding p USING (proceeding_id)
    WHERE p.law_type = 'public' AND YEAR(p.disposal_date) BETWEEN 2017 AND 2023 AND c.outcome IS NOT NULL
    GROUP BY 1""")
    same(key(clean_pack, "analysis-03")[list(got.columns)], got, ["country"])
    assert set(got["country"]) == {"England", "Wales"} and (got["children"] > 20).all()


def test_cleaning_01_a_learners_recoding_gives_the_key(dirty_run, dirty_pack):
    t = dirty_run.table("cafcass_england/application")["application_type"]
    old = {"residence_order": "child_arrangements_order", "contact_order": "child_arrangements_order"}
    fixed = t.str.strip().str.lower().str.replace(" ", "_").map(lambda v: old.get(v, v))
    want = fixed.fillna("(blank)").value_counts().rename_axis("application_type").rename("applications").reset_index()
    same(key(dirty_pack, "cleaning-01"), want, ["application_type"])
    q = dirty_run.table("truth/quality_issues")
    assert ((q["table"] == "application") & (q["column"] == "application_type")).sum() > 0


def test_cleaning_02_grouping_normalised_records_finds_the_duplicates(dirty_run, dirty_pack):
    f = dirty_run.table("familyman/file1")
    cols = [c for c in f.columns if c != "SYSTEM_ID"]
    n = f[cols].apply(lambda s: s.astype("string").str.strip().str.upper())
    n["id"] = pd.to_numeric(f["SYSTEM_ID"])
    g = n.groupby(cols, dropna=False)["id"]
    n = n.assign(original=g.transform("min"), size=g.transform("size"))
    dup = n[(n["size"] > 1) & (n["id"] != n["original"])]
    want = pd.DataFrame({"duplicate_id": dup["id"].to_numpy(), "original_id": dup["original"].to_numpy()})
    got = key(dirty_pack, "cleaning-02")
    same(got, want, ["duplicate_id"])
    assert len(got) > 5


def test_cleaning_03_scanning_the_dates_finds_every_logged_impossible_date(dirty_run, dirty_pack):
    got = key(dirty_pack, "cleaning-03")
    rows = []
    for table, k, cols in (("cases", "case_number", ["entry_date", "case_closed_date", "last_disposal_date"]),
                           ("events", "event", ["receipt_date", "entry_date"])):
        t = dirty_run.table(f"familyman/{table}")
        for c in cols:
            d = pd.to_datetime(t[c])
            bad = (d.dt.year < 1901) | (d > pd.Timestamp("2024-06-30"))
            rows += [(table, str(r), c) for r in t.loc[bad, k]]
    assert sorted(rows) == sorted(zip(got["table"], got["row_key"].astype(str), got["column"]))
    q = dirty_run.table("truth/quality_issues")
    logged = q[(q["agency"] == "familyman") & (q["fault"] == "impossible_date") & q["table"].isin(["cases", "events"])
               & q["column"].isin(["entry_date", "case_closed_date", "last_disposal_date", "receipt_date"])]
    assert set(zip(logged["table"], logged["row_key"], logged["column"])) <= set(rows) and len(logged) > 3
    assert got["clean_value"].notna().all()


def test_answers_differ_between_seeds(clean_pack, tmp_path):
    import synth
    from synth.exercises.pack import write_pack

    other = synth.generate("training_small", seed=8, out=tmp_path / "run8")
    write_pack(other.path, tmp_path / "pack8")
    differ = [e for e in ("sql-01", "sql-02", "linkage-01", "analysis-01", "analysis-03")
              if not key(clean_pack, e).equals(key(tmp_path / "pack8", e))]
    assert len(differ) == 5
    assert (tmp_path / "pack8" / "sql-01.md").read_text().split("## Task")[1] == \
        (clean_pack / "sql-01.md").read_text().split("## Task")[1]
