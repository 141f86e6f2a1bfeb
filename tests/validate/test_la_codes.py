"""The validator's check that LA codes were in use on their rows' dates (issue 12 point 6)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile
from synth.validate.core import RunData
from synth.validate.la_codes import la_code_valid_on_date
from synth.validate.registry import AgencyTable


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("la") / "run"
    generate(load_profile("training_small"), out, duckdb=False)
    return out


def _results(path, agency: str, key: str):
    run = RunData(path)
    spec = run.profile.agencies[agency].tables[key]
    return la_code_valid_on_date(run, AgencyTable(agency, key, spec, f"{agency}/{spec.name}"))


def test_a_generated_run_passes(run_dir):
    for agency, key in (("cafcass_england", "case"), ("ssda903", "episodes"), ("cafcass_england", "adult_party")):
        assert all(r.passed for r in _results(run_dir, agency, key))


def test_a_code_used_before_its_authority_existed_fails(run_dir, tmp_path):
    bad = tmp_path / "run"
    shutil.copytree(run_dir, bad)
    part = next((bad / "ssda903" / "episodes").glob("*.parquet"))
    df = pd.read_parquet(part)
    early = df["YEAR"] <= 2019
    assert early.any()
    df.loc[early, "LA"] = "E06000060"  # Buckinghamshire Council, from April 2020
    df.to_parquet(part, index=False)
    res, = _results(bad, "ssda903", "episodes")
    assert not res.passed and res.violations == int(early.sum())
    assert res.examples[0].startswith("E06000060 on ")
