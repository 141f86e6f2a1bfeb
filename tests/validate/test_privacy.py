"""Privacy validator: no false alarms on correct runs, and every planted leak is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_run

from synth.errors import InputError
from synth.validate.copies import compare_records
from synth.validate.core import RunData
from synth.validate.privacy import check_privacy
from synth.world.ids import UPN_ALPHABET, nhs_check_digit

FAMILIES = 800
ALWAYS = {"nhs_safe_range", "upn_safe_range", "postcode_safe_range", "truth_id_leak"}
PEOPLE_QI = ["forename", "surname", "date_of_birth", "sex", "postcode"]


@pytest.fixture(scope="module")
def run_a(tmp_path_factory):
    return make_run(tmp_path_factory, "training_small", FAMILIES)


@pytest.fixture(scope="module")
def run_b(tmp_path_factory):
    return make_run(tmp_path_factory, "training_small", FAMILIES, seed=7)


def failed(results):
    return [r for r in results if not r.passed]


def corrupted(run, tmp_path: Path, folder: str, name: str, change) -> RunData:
    """A copy of ``run`` with one table rewritten by ``change(df) -> df``."""
    dest = tmp_path / "run"
    shutil.copytree(run.path, dest)
    path = dest / folder / name / "part-00000.parquet"
    change(pd.read_parquet(path)).to_parquet(path, index=False)
    return RunData(dest)


@pytest.mark.parametrize("which", ["a", "b"])
def test_correct_runs_pass_every_check(run_a, run_b, which):
    run = {"a": run_a, "b": run_b}[which]
    results = check_privacy(RunData(run.path))
    assert {r.name for r in results} == ALWAYS
    assert all(r.group == "privacy" for r in results)
    assert not failed(results), [r.detail for r in failed(results)]
    leak = [r for r in results if r.name == "truth_id_leak"]
    assert len(leak) == sum(len(a.tables) for a in run.profile.agencies.values())


def _bad_nhs(df, i):
    number = int(df.at[i, "nhs_number"])
    wrong = (number % 10 + 1) % 10
    assert nhs_check_digit(np.array([number // 10]))[0] != wrong
    df.at[i, "nhs_number"] = str(number - number % 10 + wrong)


def _bad_upn(df, i):
    upn = df.at[i, "upn"]
    df.at[i, "upn"] = next(c for c in UPN_ALPHABET if c != upn[0]) + upn[1:]


def _bad_postcode(df, i):
    df.at[i, "postcode"] = "SW1A 1AA"


@pytest.mark.parametrize("check, column, plant", [
    ("nhs_safe_range", "nhs_number", _bad_nhs),
    ("upn_safe_range", "upn", _bad_upn),
    ("postcode_safe_range", "postcode", _bad_postcode),
])
def test_planted_identifier_fails_only_its_check(run_a, tmp_path, check, column, plant):
    person = run_a.truth("person")
    i = int(np.flatnonzero(person[column].notna().to_numpy())[7])
    pid = int(person.at[i, "person_id"])

    def change(df):
        plant(df, i)
        return df

    results = check_privacy(corrupted(run_a, tmp_path, "truth", "person", change))
    bad = failed(results)
    assert [(r.name, r.table, r.column) for r in bad] == [(check, "truth/person", column)]
    assert bad[0].violations == 1 and bad[0].examples == [pid]


def test_truth_id_in_agency_table_fails_truth_id_leak(run_a, tmp_path):
    spec = run_a.profile.agencies["cafcass_england"].tables["child_subject"]
    truth_pid = int(run_a.truth("person")["person_id"].iloc[3])

    def change(df):
        df.loc[df.index[0], "child_id"] = truth_pid
        return df

    results = check_privacy(corrupted(run_a, tmp_path, "cafcass_england", spec.name, change))
    bad = failed(results)
    assert [(r.name, r.table) for r in bad] == [("truth_id_leak", f"cafcass_england/{spec.name}")]
    assert bad[0].violations == 1 and bad[0].examples == ["child_id"]


def _unique_people(run) -> pd.DataFrame:
    people = run.truth("person")[["person_id", *PEOPLE_QI]]
    return people[~people.duplicated(PEOPLE_QI, keep=False)]


def test_reference_with_copies_finds_all_of_them(run_a, run_b, tmp_path):
    copies = _unique_people(run_a).sample(50, random_state=3)
    others = run_b.truth("person")[PEOPLE_QI].sample(2000, random_state=4)
    ref = tmp_path / "ref"
    ref.mkdir()
    pd.concat([others, copies[PEOPLE_QI]]).sample(frac=1, random_state=5).to_csv(ref / "people.csv", index=False)

    results = {r.name: r for r in check_privacy(RunData(run_a.path), ref) if r.name.startswith("reference")}
    exact = results["reference_exact_copies"]
    assert exact.table == "truth/person" and not exact.passed
    assert exact.violations == 50
    assert set(exact.examples) <= set(copies["person_id"]) and len(exact.examples) == 5
    assert exact.statistic["value"] == pytest.approx(50 / len(run_a.truth("person")))
    near = results["reference_near_copies"]
    assert near.statistic["name"] == "share_within_1_field" and not near.passed and near.violations >= 50


def test_reference_from_another_seed_passes(run_a, run_b, tmp_path):
    ref = tmp_path / "ref"
    ref.mkdir()
    run_b.truth("person")[PEOPLE_QI].to_parquet(ref / "people.parquet", index=False)
    results = [r for r in check_privacy(RunData(run_a.path), ref) if r.name.startswith("reference")]
    assert [r.name for r in results] == ["reference_exact_copies", "reference_near_copies"]
    assert all(r.passed for r in results), [r.detail for r in results]
    assert results[0].violations == 0


def test_reference_agency_table_matched_by_stem(run_a, tmp_path):
    spec = run_a.profile.agencies["cafcass_cymru"].tables["alf"]
    ref = tmp_path / "ref"
    ref.mkdir()
    shutil.copy(run_a.path / "cafcass_cymru" / spec.name / "part-00000.parquet", ref / f"{spec.name.lower()}.parquet")
    results = [r for r in check_privacy(RunData(run_a.path), ref) if r.name == "reference_exact_copies"]
    assert [r.table for r in results] == [f"cafcass_cymru/{spec.name}"]
    n = len(run_a.table("cafcass_cymru", spec.name))
    assert results[0].violations == n and not results[0].passed
    assert "SYSTEM_ID_E" not in results[0].detail and "ALF_E" not in results[0].detail


def test_reference_with_too_few_columns_fails_saying_what_it_needs(run_a, tmp_path):
    ref = tmp_path / "ref"
    ref.mkdir()
    pd.DataFrame({"Forename": ["Ann"], "person_id": [1]}).to_csv(ref / "names.csv", index=False)
    results = [r for r in check_privacy(RunData(run_a.path), ref) if r.name.startswith("reference")]
    assert len(results) == 2 and not any(r.passed for r in results)
    assert "at least 2" in results[0].detail and "surname" in results[0].detail


@pytest.mark.parametrize("make", ["missing", "empty", "unreadable"])
def test_bad_reference_raises_input_error(run_a, tmp_path, make):
    ref = tmp_path / "ref"
    if make != "missing":
        ref.mkdir()
        (ref / "notes.txt").write_text("not data")
    if make == "unreadable":
        (ref / "people.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="ref"):
        check_privacy(RunData(run_a.path), ref)


def test_compare_records_distances_and_normalisation():
    syn = pd.DataFrame({
        "name": ["Ann ", "BOB", "Cy", "Di"],
        "dob": pd.to_datetime(["2001-02-03", "1990-01-01", "1980-05-05", "1970-07-07"]),
        "sex": [2, 1, 1, 2],
    })
    ref = pd.DataFrame({
        "name": ["ann", "Bob", "Zed", "Eve"],
        "dob": ["2001-02-03", "1990-01-01", "1980-05-05", "1960-01-01"],
        "sex": [2.0, 2.0, 9.0, np.nan],
    })
    stats = compare_records(syn, ref)
    assert stats.exact.tolist() == [True, False, False, False]  # case, spaces, date text, 2.0 == 2
    assert stats.near.tolist() == [True, True, False, False]  # Bob differs in sex only; Cy in two fields
    assert stats.reference_copied == 1
    assert stats.n_holdout + (stats.n_reference - stats.n_holdout) == 4
