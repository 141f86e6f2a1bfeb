"""truth/case_crosswalk: every id it gives is the id the agency's own tables use for that proceeding."""

from __future__ import annotations

import pandas as pd
import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile
from tests.conftest import Run


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    loaded = load_profile("training_small")
    path = tmp_path_factory.mktemp("crosswalk") / "run"
    generate(loaded, path, families=600, seed=5)
    return Run(path, loaded)


def _cafw(run: Run, key: str) -> pd.DataFrame:
    return run.table("cafcass_cymru", run.profile.agencies["cafcass_cymru"].tables[key].name)


def test_one_row_per_proceeding_party(run):
    cw, pp = run.truth("case_crosswalk"), run.truth("proceeding_party")
    assert len(cw) == len(pp)
    assert set(zip(cw["proceeding_id"], cw["person_id"])) == set(zip(pp["proceeding_id"], pp["person_id"]))


def test_cafcass_case_ids_are_the_agencies_case_ids(run):
    cw = run.truth("case_crosswalk").drop_duplicates("proceeding_id")
    proc = run.truth("proceeding").set_index("proceeding_id")
    country = cw["proceeding_id"].map(proc["country"])
    eng = cw[cw["cafcass_agency"] == "cafcass_england"]
    assert (country[eng.index] == "England").all()
    assert set(eng["cafcass_case_id"]) == set(run.table("cafcass_england", "case")["case_id"])
    cym = cw[cw["cafcass_agency"] == "cafcass_cymru"]
    assert (country[cym.index] == "Wales").all() and len(cym) > 10
    assert set(cym["cafcass_case_id"]) == set(_cafw(run, "case")["incidentid_e"])
    # The same proceeding: the Cymru case's applications are the truth's applications of that proceeding.
    apps = _cafw(run, "application").groupby("cap_incidentid_e").size()
    truth_apps = run.truth("application").groupby("proceeding_id").size()
    got = cym.set_index("cafcass_case_id")["proceeding_id"].map(truth_apps)
    assert (apps.reindex(got.index) == got).all()


def test_familyman_numbers_and_la_child_ids_match_their_proceedings(run):
    cw = run.truth("case_crosswalk")
    proc = run.truth("proceeding").set_index("proceeding_id")
    assert (cw["familyman_case_number"] == cw["proceeding_id"].map(proc["case_number"])).all()
    assert set(cw["familyman_case_number"]) == set(run.table("familyman", "cases")["case_number"])
    kids = cw[cw["la_child_id"].notna()]
    assert (kids["party_role"] == "subject").all() and len(kids) > 20
    header = run.table("ssda903", "header")
    assert set(kids["la_child_id"]) == set(header["CHILD"])
    links = run.truth("links").query("agency == 'ssda903'")
    want = kids["person_id"].map(links.set_index("person_id")["agency_person_id"]).astype(str)
    assert (kids["la_child_id"] == want).all()


def test_alfs_are_the_true_alfs_of_welsh_proceedings(run):
    cw = run.truth("case_crosswalk")
    alf = [c for c in cw.columns if c.startswith("alf_")][0]
    assert cw.loc[cw["country"] == "England", alf].isna().all()
    wales = cw[cw["country"] == "Wales"]
    assert wales[alf].notna().all()
    links = run.truth("links").drop_duplicates("person_id").set_index("person_id")
    true_alf = [c for c in links.columns if c.startswith("true_alf")][0]
    known = wales[wales["person_id"].isin(links.index)]
    assert len(known) > 20
    assert (known[alf] == known["person_id"].map(links[true_alf])).all()
