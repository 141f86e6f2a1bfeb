"""The Cafcass Cymru (CAFW) tables keep the SAIL / CRM shape a researcher's code relies on (schemas.md 2.2)."""

from __future__ import annotations

import pandas as pd
import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile, with_agencies
from tests.conftest import Run

FAMILIES = 2000


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    loaded = with_agencies(load_profile("england_wales"), ["cafcass_cymru"])
    path = tmp_path_factory.mktemp("cafw") / "run"
    generate(loaded, path, families=FAMILIES)
    return Run(path, loaded)


def _t(run: Run, key: str) -> pd.DataFrame:
    return run.table("cafcass_cymru", run.profile.agencies["cafcass_cymru"].tables[key].name)


def test_applications_one_row_each_several_per_case_as_the_world_has_them(run):
    app = _t(run, "application")
    truth = run.truth("application")
    wales = run.truth("proceeding").query("country == 'Wales'")["proceeding_id"]
    truth = truth[truth["proceeding_id"].isin(wales)]
    assert len(app) == len(truth) and app["cap_applicationid_e"].is_unique
    per_case = app.groupby("cap_incidentid_e").size()
    assert (per_case > 1).sum() == (truth.groupby("proceeding_id").size() > 1).sum() > 0
    first = app["cap_applicationtypename"] == "First application"
    assert first.sum() == app["cap_incidentid_e"].nunique()  # exactly one first application per case
    # Every application has its subjects, and the orders it sought.
    asu = _t(run, "application_subject")
    subjects = asu[asu["record2roleidname"] == "Subject"]
    assert set(subjects["record1id_e"]) == set(app["cap_applicationid_e"])
    orders = _t(run, "application_order")
    assert set(orders["cap_applicationid_e"]) <= set(app["cap_applicationid_e"])
    assert orders.groupby("cap_applicationid_e").size().max() > 1  # e.g. a care order and an interim care order


def test_outcomes_interim_and_final_only_final_says_yes(run):
    ho = _t(run, "hearing_outcome")
    co = run.truth("court_order")
    final = ho["cap_hearingoutcomefinalname"] == "Yes"
    assert set(ho["cap_hearingoutcomefinalname"]) == {"Yes", "No"}
    assert final.sum() == co.loc[co["proceeding_id"].isin(run.truth("proceeding").query("country == 'Wales'")
                                                          ["proceeding_id"]), "is_final"].sum()
    assert "Interim Care Order" in set(ho.loc[~final, "cap_hearingoutcometypeidname"])
    assert not ho.loc[final, "cap_hearingoutcometypeidname"].str.startswith("Interim").any()
    assert "Other Order" not in set(ho["cap_hearingoutcometypeidname"])  # every order type has its label
    hoa = _t(run, "hearing_outcome_application")
    assert len(hoa) == len(ho) and set(hoa["cap_hearingoutcomeid_e"]) == set(ho["cap_hearingoutcomeid_e"])


def test_hearings_are_listed_at_a_spread_of_court_times(run):
    when = pd.to_datetime(_t(run, "hearing")["cap_hearingdatetime"])
    times = when.dt.strftime("%H:%M").value_counts(normalize=True)
    n = len(when)
    assert times.index[0] == "10:00" and abs(times["10:00"] - 0.38) < 4 * (0.38 * 0.62 / n) ** 0.5
    assert {"10:30", "14:00"} <= set(times.index) and set(times.index) <= {
        "10:00", "10:30", "11:00", "11:30", "12:00", "14:00", "14:30", "15:00", "15:30"}


def test_the_dictionary_gives_every_cafw_column_a_source(run):
    for key, spec in run.profile.agencies["cafcass_cymru"].tables.items():
        if key == "file1":
            continue  # the identifiable File 1, shared by every agency (tests of File 1)
        for col in spec.columns:
            d = col.description
            assert d and ("modelled" in d or "S-" in d or "schemas.md" in d), f"{spec.name}.{col.name}: {d!r}"
