"""The dated LA code table, code_on and the lookup to today's codes (issue 12 point 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.world.la_codes import code_on, la_code_lookup, la_codes, valid_on
from tests.profile.test_reference import REFERENCE


def days(*iso: str) -> np.ndarray:
    return np.array(iso, dtype="datetime64[D]")


@pytest.mark.parametrize(("today", "lsoa", "old", "changed"), [
    ("E06000059", "E01020001", "E10000009", "2019-04-01"),  # Dorset Council <- Dorset County
    ("E06000058", "E01020350", "E10000009", "2019-04-01"),  # BCP, a Christchurch LSOA <- Dorset County
    ("E06000058", "E01015301", "E06000028", "2019-04-01"),  # BCP, 'Bournemouth 001A' <- Bournemouth
    ("E06000058", "E01015400", "E06000029", "2019-04-01"),  # BCP, a Poole LSOA <- Poole
    ("E06000060", None, "E10000002", "2020-04-01"),  # Buckinghamshire
    ("E06000061", None, "E10000021", "2021-04-01"),  # North Northamptonshire
    ("E06000062", None, "E10000021", "2021-04-01"),  # West Northamptonshire
    ("E06000063", None, "E10000006", "2023-04-01"),  # Cumberland
    ("E06000064", None, "E10000006", "2023-04-01"),  # Westmorland and Furness
    ("E06000065", None, "E10000023", "2023-04-01"),  # North Yorkshire
    ("E06000066", None, "E10000027", "2023-04-01"),  # Somerset
    ("E06000057", None, "E06000048", "2013-04-01"),  # Northumberland recoded
    ("E08000037", None, "E08000020", "2013-04-01"),  # Gateshead recoded
])
def test_a_2010_record_carries_the_old_code_a_2024_record_the_new(today, lsoa, old, changed):
    d = days("2010-06-01", str(np.datetime64(changed, "D") - 1), changed, "2024-01-15")
    got = code_on(np.array([today] * 4, dtype=object), d, None if lsoa is None else np.array([lsoa] * 4, object))
    assert list(got) == [old, old, today, today]
    assert valid_on(got, d).all()
    assert not valid_on(np.array([today, old], dtype=object), days("2010-06-01", "2024-01-15")).any()


def test_unchanged_and_welsh_codes_and_nulls_pass_through():
    la = np.array(["E09000001", "W06000015", None, "E06000058"], dtype=object)
    got = code_on(la, days("2010-06-01", "2010-06-01", "2010-06-01", "NaT"))
    assert list(got) == ["E09000001", "W06000015", None, "E06000058"]  # no day: today's code


def test_without_an_lsoa_a_split_area_takes_its_largest_part():
    got = code_on(np.array(["E06000058"], dtype=object), days("2015-01-01"))
    assert got[0] == "E06000028"  # Bournemouth holds most of BCP's LSOAs


def test_every_current_code_is_in_the_table_and_current():
    las = pd.read_csv(REFERENCE / "local_authorities.csv", dtype=str)
    t = la_codes().set_index("la_code")
    assert set(las["la_code"]) <= set(t.index)
    assert (t.loc[las["la_code"], "end"] == "").all()
    past = t[t["end"] != ""]
    assert len(past) == 10 and (past["successors"] != "").all()


def test_the_lookup_maps_every_historical_code_to_current_ones():
    t = la_codes()
    lk = la_code_lookup()
    current = set(t.loc[t["end"] == "", "la_code"])
    assert set(lk["la_code"]) == set(t["la_code"])  # every code, past or current, has a row
    assert set(lk["current_code"]) <= current
    for _, row in t[t["end"] != ""].iterrows():
        assert set(lk.loc[lk["la_code"] == row["la_code"], "current_code"]) == set(row["successors"].split())


def test_the_bcp_parts_cover_its_lsoas_once():
    lsoa = pd.read_csv(REFERENCE / "lsoa.csv", dtype=str)
    bcp = lsoa.loc[lsoa["la_code"] == "E06000058", "lsoa_code"].to_numpy(str)
    parts = la_code_lookup()
    parts = parts[(parts["current_code"] == "E06000058") & (parts["lsoa_first"] != "")]
    inside = sum(((bcp >= lo) & (bcp <= hi)).astype(int) for lo, hi in zip(parts["lsoa_first"], parts["lsoa_last"],
                                                                              strict=True))
    assert (inside == 1).all() and len(bcp) == parts["lsoas"].astype(int).sum() == 233
    old = code_on(np.full(len(bcp), "E06000058", dtype=object), np.full(len(bcp), np.datetime64("2012-01-01")), bcp)
    assert pd.Series(old).value_counts().to_dict() == {"E06000028": 116, "E06000029": 87, "E10000009": 30}
