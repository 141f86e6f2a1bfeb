"""File 1 split as SAIL receives it: source ids in File 1, different encrypted ids in the anonymised tables.

A SAIL provider's identifiable File 1 carries the source system's record ids; the tables SAIL
provisions carry them encrypted (``SYSTEM_ID_E``, ``PERS_ID_E``), so the two never share a value and
only the truth map joins them (schemas.md 1.1; synth/views/file1.py).
"""

from __future__ import annotations

import pandas as pd
import pytest

from synth.linkage.deterministic import link_exact
from synth.linkage.io import open_run, read_linkage
from synth.linkage.score import score
from tests.conftest import make_run

SAIL = ("cafcass_cymru", "wds")
NOT_ANONYMISED = ("cafcass_england", "familyman", "ssda903")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return make_run(tmp_path_factory, "england_wales", 3000, seed=11)


@pytest.fixture(scope="module")
def pe_run(tmp_path_factory):
    return make_run(tmp_path_factory, "wales_sail", 1500, seed=12)


def _file1(run, agency: str) -> pd.DataFrame:
    return run.table(agency, run.profile.agencies[agency].tables["file1"].name)


def _id_values(run, agency: str, skip_file1: bool = True) -> set[int]:
    """Every value of every integer id column (person ids and all _E / _PE ids) of the agency's tables."""
    out: set[int] = set()
    for tkey, spec in run.profile.agencies[agency].tables.items():
        if skip_file1 and tkey == "file1":
            continue
        df = run.table(agency, spec.name)
        for col in spec.columns:
            if col.id is not None or col.name.lower().endswith(("_e", "_pe")):
                out |= set(pd.to_numeric(df[col.name].dropna(), errors="coerce").dropna().astype("int64"))
    return out


def _person_ids(run, agency: str) -> set[int]:
    """Person ids of the agency's tables other than File 1."""
    out: set[int] = set()
    for tkey, spec in run.profile.agencies[agency].tables.items():
        df = run.table(agency, spec.name)
        for col in spec.columns:
            if tkey != "file1" and col.id == "person":
                out |= set(pd.to_numeric(df[col.name].dropna()).astype("int64"))
    return out


@pytest.mark.parametrize("which", ["run", "pe_run"])
def test_sail_file1_ids_never_appear_in_the_anonymised_tables(which, request):
    run = request.getfixturevalue(which)
    for agency in SAIL:
        if agency not in run.profile.agencies:
            continue
        ids = set(_file1(run, agency)["SYSTEM_ID"].astype("int64"))
        assert len(ids) > 100
        assert not ids & _id_values(run, agency), f"{agency}: a File 1 SYSTEM_ID reappears unencrypted"
    # Nor in any other SAIL dataset of the run (one project sees them all).
    if all(a in run.profile.agencies for a in SAIL):
        assert not set(_file1(run, "cafcass_cymru")["SYSTEM_ID"].astype("int64")) & _id_values(run, "wds", False)


def test_file1_ids_are_unique_whole_number_text_within_varchar_50(run):
    for agency in (*SAIL, *NOT_ANONYMISED):
        sid = _file1(run, agency)["SYSTEM_ID"]
        assert sid.notna().all() and sid.is_unique
        assert sid.str.fullmatch(r"[1-9]\d*").all() and (sid.str.len() <= 50).all()


def test_truth_links_join_file1_to_the_anonymised_records_one_to_one(run):
    links = run.truth("links")
    for agency in SAIL:
        mine = links[links["agency"] == agency]
        f1 = set(_file1(run, agency)["SYSTEM_ID"].astype("int64"))
        assert set(mine["system_id"]) == f1
        assert set(mine["agency_person_id"]) == _person_ids(run, agency)
        assert mine["system_id"].is_unique and mine["agency_person_id"].is_unique
        assert not (mine["system_id"] == mine["agency_person_id"]).any()


def test_the_join_pairs_each_alf_row_with_its_own_file1_record(run):
    """Through truth/links the ALF row meets the File 1 record it was derived from (same recorded DOB and sex)."""
    links = run.truth("links").query("agency == 'cafcass_cymru'")
    alf = run.table("cafcass_cymru", run.profile.agencies["cafcass_cymru"].tables["alf"].name)
    f1 = _file1(run, "cafcass_cymru").assign(system_id=lambda d: d["SYSTEM_ID"].astype("int64"))
    m = alf.merge(links, left_on="SYSTEM_ID_E", right_on="agency_person_id", validate="one_to_one") \
        .merge(f1, on="system_id", validate="one_to_one")
    assert len(m) == len(alf) == len(f1)
    dob = pd.to_datetime(m["DATE_OF_BIRTH"], format="%d.%m.%Y")
    week = dob - pd.to_timedelta(dob.dt.weekday, unit="D")
    known = dob.notna()
    assert known.mean() > 0.95
    assert (week[known] == pd.to_datetime(m.loc[known, "WOB"])).all()
    sex = m["GNDR_CD"].notna() & m["GENDER_CD"].isin(["1", "2"])
    assert (m.loc[sex, "GNDR_CD"].astype(str) == m.loc[sex, "GENDER_CD"]).all()
    # Without the map, joining on the ids as they look matches nothing.
    assert not set(alf["SYSTEM_ID_E"]) & set(f1["system_id"])


def _all_values(run, agency: str) -> set[int]:
    """Every whole-number value (numbers or digit text) in the agency's tables other than File 1."""
    out: set[int] = set()
    for tkey, spec in run.profile.agencies[agency].tables.items():
        if tkey != "file1":
            for _, values in run.table(agency, spec.name).items():
                num = pd.to_numeric(values, errors="coerce") if values.dtype.kind in "iuO" else values.iloc[0:0]
                out |= set(num.dropna().astype("int64"))
    return out


def test_non_anonymised_agencies_use_their_table_ids_in_file1(run):
    links = run.truth("links")
    for agency in NOT_ANONYMISED:
        mine = links[links["agency"] == agency]
        assert (mine["system_id"] == mine["agency_person_id"]).all()
        f1 = set(_file1(run, agency)["SYSTEM_ID"].astype("int64"))
        assert f1 == set(mine["agency_person_id"]) and f1 <= _all_values(run, agency), agency


def test_linkage_of_file1s_scores_against_the_truth(run, tmp_path):
    linkage = open_run(run.path)
    # A perfect clustering of the File 1 records, built through the truth map, scores 1.
    links = run.truth("links")
    links = links[links["agency"].isin(SAIL)]
    perfect = pd.DataFrame({"agency": links["agency"], "id": links["system_id"], "cluster": links["person_id"]})
    perfect.to_csv(tmp_path / "perfect.csv", index=False)
    result = score(linkage, read_linkage(tmp_path / "perfect.csv", linkage))
    assert result["records"] == len(links)
    scored = [r for r in result["rows"] if r["true_pairs"]]  # no duplicates within these agencies: 0 pairs there
    assert len(scored) == 3 and all(r["precision"] == r["recall"] == 1.0 for r in scored)
    # Exact agreement on NHS number across the two File 1s: precise, and finds most true pairs.
    summary = link_exact(linkage, ["NHS_NUMBER"], tmp_path / "nhs.parquet", "parquet", list(SAIL))
    assert summary["linked_records"] > 0
    between = next(r for r in score(linkage, read_linkage(tmp_path / "nhs.parquet", linkage))["rows"]
                   if {r["agency_l"], r["agency_r"]} == set(SAIL))
    assert between["precision"] > 0.99 and between["recall"] > 0.6
