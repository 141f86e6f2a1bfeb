"""Agency tables carry the LA code valid on the record's date (issue 12 point 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.views.la_dated import is_la_field
from synth.world.la_codes import la_codes, valid_on
from tests.conftest import Run, make_run

#: (agency, table key) -> how to find each row's day: a date column, or "YEAR" (31 March of the year).
DATED = {
    ("cafcass_england", "case"): "case_start_date",
    ("cafcass_england", "adult_party"): "case_id",  # the day of its case
    ("cafcass_cymru", "case"): "cap_casestartdate",
}
#: Public reference tables: today's codes and the code history itself.
REFERENCE = {"sail_reference", "la_reference"}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    return make_run(tmp_path_factory, "england_wales", 4000, seed=3)


def _day(run: Run, akey: str, tkey: str, df: pd.DataFrame) -> np.ndarray:
    if "YEAR" in df.columns:
        return pd.to_datetime(df["YEAR"].astype(int).astype(str) + "-03-31").to_numpy("datetime64[D]")
    how = DATED[(akey, tkey)]
    if how == "case_id":
        case = run.table(akey, run.profile.agencies[akey].tables["case"].name)
        return pd.to_datetime(df["case_id"].map(case.set_index("case_id")["case_start_date"])).to_numpy("datetime64[D]")
    return pd.to_datetime(df[how]).to_numpy("datetime64[D]")


def test_every_la_code_in_every_table_is_valid_on_the_rows_date(run):
    checked = 0
    for akey, tkey, spec, df in run.agency_tables():
        for col in spec.columns:
            if not is_la_field(col.field) or akey in REFERENCE:
                continue
            codes = df[col.name]
            d = _day(run, akey, tkey, df)
            ok = valid_on(codes.to_numpy(object), d) | codes.isna().to_numpy()
            assert ok.all(), f"{akey}/{spec.name}.{col.name}: {codes[~ok].unique()[:5]} not valid on their dates"
            checked += 1
    assert checked >= 10  # the Cafcass cases and adults, CAFW cases and every SSDA903 table


def test_old_codes_appear_before_and_new_ones_after_the_reorganisations(run):
    case = run.table("cafcass_england", "case")
    year = pd.to_datetime(case["case_start_date"]).dt.year
    past = set(la_codes().loc[lambda t: t["end"] != "", "la_code"])
    early, late = set(case.loc[year <= 2012, "la_code"]), set(case.loc[year >= 2024, "la_code"])
    assert early & past  # e.g. Dorset County, Northamptonshire, Cumbria
    assert not late & past
    # The truth keeps today's geography: the same cases' proceedings carry today's codes only.
    assert not set(run.truth("proceeding")["la_code"]) & past


def test_the_shipped_lookup_harmonises_to_todays_codes(run):
    case = run.table("cafcass_england", "case")
    lookup = run.table("la_reference", "LA_CODE_LOOKUP")
    whole = lookup[lookup["LSOA_FIRST"].isna()].groupby("LA_CODE")["CURRENT_CODE"].nunique()
    assert set(case["la_code"]) <= set(lookup["LA_CODE"])
    # Every code maps to today's codes only: the harmonised table has no past code left.
    current = set(run.table("la_reference", "LA_CODES").query("END_DATE.isna()", engine="python")["LA_CODE"])
    harmonised = case[["case_id", "la_code"]].merge(lookup, left_on="la_code", right_on="LA_CODE")
    assert set(harmonised["CURRENT_CODE"]) <= current and set(harmonised["case_id"]) == set(case["case_id"])
    assert len(whole) and (whole >= 1).all()
