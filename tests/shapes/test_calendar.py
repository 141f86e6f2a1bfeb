"""Shape tests: Presto queries on the FamilyMan tables see the court calendar the world made.

Written in our own words in the dialect MoJ's FCSQ code uses (``familyman_dev_v2`` schema,
``error = 'N'``, one ``mojap_snapshot_date``; schemas.md 5.1): new applications (``U22`` events) by
day of the week, and FCSQ's care timeliness measure (stats.md 4a: weeks from issue to disposal of
care and supervision cases, the share within 26 weeks, by year of disposal) from ``cases``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import Run
from tests.shapes.helpers import ask

SNAPSHOT = "DATE '2024-06-30'"

#: New applications received on a Saturday or Sunday, by case type (day_of_week: 1 Monday ... 7 Sunday).
WEEKEND_APPLICATIONS = f"""
SELECT SUBSTR(e.case_number, 5, 1) AS case_type, COUNT(*) AS n
FROM familyman_dev_v2.events e
WHERE e.event_model = 'U22' AND e.error = 'N' AND e.mojap_snapshot_date = {SNAPSHOT}
  AND day_of_week(e.receipt_date) IN (6, 7)
GROUP BY 1
"""

#: Care and supervision (case type C) timeliness by year of disposal: cases, within 26 weeks, mean days.
TIMELINESS = f"""
SELECT EXTRACT(year FROM c.last_disposal_date) AS yr, COUNT(*) AS cases,
       SUM(CASE WHEN date_diff('day', c.entry_date, c.last_disposal_date) <= 182 THEN 1 ELSE 0 END) AS within_26w,
       SUM(date_diff('day', c.entry_date, c.last_disposal_date)) AS total_days
FROM familyman_dev_v2.cases c
WHERE c.main_case_type = 'C' AND c.last_disposal_date IS NOT NULL AND c.mojap_snapshot_date = {SNAPSHOT}
GROUP BY 1
"""


@pytest.fixture(scope="module")
def run(familyman_run: Run) -> Run:
    return familyman_run


def test_weekend_applications_are_the_urgent_public_law_ones(run):
    got = ask(run, "presto", WEEKEND_APPLICATIONS).set_index("case_type")["n"].astype("int64")
    p = run.truth("proceeding")
    weekend = pd.to_datetime(p["issue_date"]).dt.dayofweek >= 5
    assert not (weekend & ~p["urgent"]).any()
    want = p[weekend].assign(case_type=lambda d: d["case_number"].str[4]).groupby("case_type").size()
    assert want.get("C", 0) > 0
    assert got.to_dict() == want.astype("int64").to_dict()


def test_fcsq_timeliness_by_year_of_disposal_matches_the_truth(run):
    got = ask(run, "presto", TIMELINESS).astype("int64").set_index("yr").sort_index()
    p = run.truth("proceeding")
    done = p[(p["law_type"] == "public") & p["disposal_date"].notna()]
    days = (pd.to_datetime(done["disposal_date"]) - pd.to_datetime(done["issue_date"])).dt.days
    year = pd.to_datetime(done["disposal_date"]).dt.year.astype("int64")
    want = pd.DataFrame({"cases": days.groupby(year).size(), "within_26w": (days <= 182).groupby(year).sum(),
                         "total_days": days.groupby(year).sum()}).astype("int64")
    want.index.name = "yr"
    pd.testing.assert_frame_equal(got[want.columns], want.sort_index(), check_names=False)
