"""Volumes in their units: the generator converts to cases, the validator compares like with like (issue 12 point 7)."""

from __future__ import annotations

import pandas as pd
import pytest

from synth.errors import ProfileError
from synth.validate.volumes import compare, published_checks, run_count
from synth.world.volumes import in_cases, read_volumes
from tests.profile.test_reference import REFERENCE

#: Six proceedings: 2015 England public (two s31, one SGO-opened), 2015 private, 2014 and 2016 Welsh private.
PROC = pd.DataFrame({
    "proceeding_id": [1, 2, 3, 4, 5, 6],
    "fy": [2015, 2015, 2015, 2015, 2014, 2016],
    "country": ["England", "England", "England", "England", "Wales", "Wales"],
    "law_type": ["public", "public", "public", "private", "private", "private"],
    "issue_date": pd.to_datetime(["2015-05-01", "2015-06-01", "2016-01-01", "2015-07-01", "2014-05-01",
                                  "2016-05-01"]),
    "disposal_date": pd.to_datetime(["2015-12-01", None, "2016-02-01", "2016-06-01", "2014-09-01", "2016-09-01"]),
    "n_children": [3, 1, 2, 2, 1, 1],
    "application_type": ["care_order", "supervision_order", "special_guardianship_order",
                         "child_arrangements_order", "child_arrangements_order", "child_arrangements_order"],
})
#: Adults: person 10 in both Welsh cases (new only in 2014), 11 in 2014 only, 12 in 2016 only.
PARTY = pd.DataFrame({
    "proceeding_id": [5, 5, 5, 6, 6, 6],
    "person_id": [10, 11, 20, 10, 12, 21],
    "party_role": ["applicant", "respondent", "subject", "applicant", "respondent", "subject"],
})


def fig(unit: str, country: str = "England", law: str = "public", fy: int = 2015, fy_last: int | None = None,
        date: str = "", count: float = 1, per_case: float = 1, allowance: float = 0.05) -> pd.Series:
    return pd.Series({"check": f"{unit}_test", "unit": unit, "country": country, "law_type": law, "fy": fy,
                      "fy_last": fy if fy_last is None else fy_last, "date": date, "count": count,
                      "per_case": per_case, "allowance": allowance, "source": "test"})


@pytest.mark.parametrize(("f", "want"), [
    (fig("cases"), 3),  # every public proceeding of the year
    (fig("applications"), 2),  # only those opened by an s31 application
    (fig("children"), 6),  # a children row is compared with the run's children, not its cases
    (fig("adults", "Wales", "private", 2014), 2),  # adults new in 2014
    (fig("adults", "Wales", "private", 2016), 1),  # person 10 is not new in 2016
    (fig("adults", "Wales", "private", 2014, 2016), 3),
    (fig("open_cases", law="", date="2015-12-31"), 2),  # issued by then, not yet disposed of: 2 and 4
    (fig("open_children", law="", date="2015-12-31"), 3),
])
def test_the_run_is_counted_in_the_figures_unit(f, want):
    assert run_count(PROC, PARTY, f) == want


def test_a_children_figure_passes_only_against_the_childrens_count():
    # 6 children, scale 100: a published 600 children agrees; the same 600 as cases (3 x 100 = 300) does not.
    ok, = compare(pd.DataFrame([fig("children", count=600)]), PROC, PARTY, 100.0, 0.0, min_n=1)
    bad, = compare(pd.DataFrame([fig("cases", count=600)]), PROC, PARTY, 100.0, 0.0, min_n=1)
    assert ok.passed and ok.statistic["value"] == 0
    assert not bad.passed and bad.statistic["value"] == -0.5


def test_a_figure_of_all_public_law_cases_scales_the_s31_cases_by_its_factor():
    f = fig("cases", count=417.3, per_case=1.391)
    res, = compare(pd.DataFrame([f]), PROC, PARTY, 100.0, 0.0, min_n=1)  # 3 cases x 1.391 x 100
    assert res.passed and abs(res.statistic["value"]) < 1e-3


def test_the_shipped_volumes_state_units_and_convert_to_cases():
    raw = pd.read_csv(REFERENCE / "volumes.csv")
    assert set(raw["unit"]) == {"cases", "applications", "adults"}
    assert raw["source"].str.match(r"(source|assumption): ").all()
    v = read_volumes(REFERENCE / "volumes.csv", 2010, 2023).set_index(["fy", "country", "law_type"])
    assert v.loc[(2021, "England", "public"), "cases"] == pytest.approx(16500 / 1.391)  # public-law cases -> s31
    assert v.loc[(2016, "Wales", "private"), "cases"] == pytest.approx(3109 / 2)  # adults -> cases
    assert v.loc[(2016, "England", "public"), "cases"] == 14599  # s31 applications, one per case
    checks = published_checks()
    assert {"children", "adults", "open_cases", "open_children", "cases"} <= set(checks["unit"])


def test_legacy_tables_in_cases_and_rows_without_a_factor(tmp_path):
    legacy = pd.DataFrame({"fy": [2016], "country": ["Wales"], "law_type": ["public"], "cases": [10.0]})
    assert in_cases(legacy)["cases"].tolist() == [10.0]
    no_factor = pd.DataFrame({"fy": [2016], "country": ["Wales"], "law_type": ["public"], "count": [10.0],
                              "unit": ["children"]})
    with pytest.raises(ProfileError, match="per_case"):
        in_cases(no_factor, tmp_path / "v.csv")
