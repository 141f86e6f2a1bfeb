"""Validators: correct runs pass at several seeds and sizes; each breakage fails the right check."""

import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import make_run

from synth.validate.runner import validate


def failing(path, **kw) -> set[tuple[str, str]]:
    results, _ = validate(path, **kw)
    return {(r.group, r.name) for r in results if not r.passed}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_run(tmp_path_factory, "england_wales", 3000, seed=11)


@pytest.mark.parametrize("profile,families,seed", [("training_small", 1, 5), ("training_small", 5, 6),
                                                   ("training_small", 300, 1), ("training_small", 300, 2),
                                                   ("wales_sail", 1500, 3), ("england_wales", 3000, 11)])
def test_a_correct_run_passes_every_check(tmp_path_factory, base, profile, families, seed):
    run = base if (profile, seed) == ("england_wales", 11) else make_run(tmp_path_factory, profile, families, seed)
    results, meta = validate(run.path)
    assert meta["verdict"]["passed"], [(r.name, r.table, r.column, r.detail) for r in results if not r.passed]
    groups = {r.group for r in results}
    assert groups == {"integrity", "realism", "privacy"}
    assert len([r for r in results if r.name.startswith("distribution:")]) >= len(run.profile.world.distributions)


def test_the_large_quality_run_passes_too(quality_run):
    results, meta = validate(quality_run.path)
    assert meta["verdict"]["passed"], [(r.name, r.column, r.detail) for r in results if not r.passed]


def _copy(base, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(base.path, dst)
    return dst


def _rewrite(path, folder, name, fn):
    p = path / folder / name / "part-00000.parquet"
    df = pd.read_parquet(p)
    fn(df)
    # Keep the file's own schema: only the values change, as when a generator bug writes them.
    pq.write_table(pa.Table.from_pandas(df, schema=pq.read_schema(p), preserve_index=False), p)


def test_orphaned_foreign_keys_fail_foreign_key_resolves_only(base, tmp_path):
    path = _copy(base, tmp_path)
    _rewrite(path, "cafcass_cymru", "CAFW_APPLICATION_20240630",
             lambda df: df.__setitem__("cap_incidentid_e", df["cap_incidentid_e"].where(df.index >= 3, 12345)))
    results, _ = validate(path)
    bad = [r for r in results if not r.passed]
    assert {(r.name, r.table, r.column) for r in bad} == {
        ("foreign_key_resolves", "cafcass_cymru/CAFW_APPLICATION_20240630", "cap_incidentid_e")}
    assert bad[0].violations == 3 and len(bad[0].examples) == 3


def test_a_code_outside_its_list_fails_code_list_only(base, tmp_path):
    path = _copy(base, tmp_path)
    _rewrite(path, "cafcass_cymru", "CAFW_CASE_20240630",
             lambda df: df.__setitem__("cap_lawtypename", df["cap_lawtypename"].where(df.index != 0, "Civil")))
    results, _ = validate(path)
    bad = [(r.name, r.column, r.violations) for r in results if not r.passed]
    assert bad == [("code_list", "cap_lawtypename", 1)]


def test_a_bad_nhs_checksum_fails_the_nhs_checks_only(base, tmp_path):
    path = _copy(base, tmp_path)

    def corrupt(df):
        n = df.loc[5, "nhs_number"]
        df.loc[5, "nhs_number"] = n[:-1] + str((int(n[-1]) + 1) % 10)

    _rewrite(path, "truth", "person", corrupt)
    person_id = pd.read_parquet(path / "truth" / "person").loc[5, "person_id"]
    results, _ = validate(path)
    bad = [r for r in results if not r.passed]
    assert {(r.group, r.name) for r in bad} == {("integrity", "nhs_number_format"), ("privacy", "nhs_safe_range")}
    assert all(r.examples == [person_id] for r in bad)


def test_a_shuffled_age_column_fails_the_age_checks(base, tmp_path):
    path = _copy(base, tmp_path)
    rng = np.random.default_rng(0)
    _rewrite(path, "truth", "proceeding_child",
             lambda df: df.__setitem__("age_at_issue_days", rng.permutation(df["age_at_issue_days"].to_numpy())))
    bad = failing(path)
    assert ("integrity", "age_matches_dates") in bad
    assert ("realism", "distribution:youngest_child_age_at_issue") in bad
    # Only checks that read ages may fail.
    age_based = {"age_matches_dates", "distribution:youngest_child_age_at_issue", "distribution:sibling_spacing",
                 "distribution:recurrence_baby_age_at_issue", "distribution:recurrence_new_baby",
                 "figure:newborns_among_infants", "figure:recurrent_issued_within_a_month_of_birth"}
    assert {name for _, name in bad} <= age_based


def test_a_changed_outcome_distribution_fails_realism_for_that_distribution(base, tmp_path):
    path = _copy(base, tmp_path)

    def all_care(df):
        public = df["outcome"].notna() & (df["age_band"] == "5-9")
        df.loc[public, "outcome"] = "care_order"

    _rewrite(path, "truth", "proceeding_child", all_care)
    bad = failing(path)
    assert ("realism", "distribution:outcome") in bad
    assert all(g == "realism" for g, _ in bad)


def test_a_whole_agency_from_another_seed_as_reference_raises_no_privacy_alarm(base, tmp_path_factory, tmp_path):
    other = make_run(tmp_path_factory, "england_wales", 3000, seed=12)
    ref = tmp_path / "ref"
    shutil.copytree(other.path / "cafcass_cymru", ref)
    results, _ = validate(base.path, reference=ref)
    privacy = [r for r in results if r.group == "privacy"]
    assert any(r.name == "reference_exact_copies" for r in privacy)
    assert all(r.passed for r in privacy), [(r.name, r.table, r.detail) for r in privacy if not r.passed]
