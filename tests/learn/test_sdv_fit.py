"""``synth fit`` -> ``synth sample`` with SDV's HMASynthesizer on a small generated extract (sdv extra)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import make_run

pytest.importorskip("sdv")

from synth.errors import OutputError  # noqa: E402
from synth.learn import sdv_model  # noqa: E402
from synth.learn.read import coerce_column  # noqa: E402

FAMILIES = 200


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return make_run(tmp_path_factory, "england_wales", FAMILIES, seed=11, duckdb=False)


def test_plan_picks_case_and_its_children_within_hma_limits(source):
    agency = source.loaded.profile.agencies["cafcass_england"]
    plan = sdv_model.plan_subtree(agency, None, "cafcass_england")
    assert plan.root == "case"
    assert set(plan.tables) == {"case", "application", "child_subject", "adult_party"}
    assert "file1" in plan.left_out and "relationship" in plan.left_out
    assert "child_id" in plan.dropped["child_subject"]


def test_fit_then_sample_round_trips_with_the_gate(source, tmp_path):
    data = source.path / "cafcass_england"
    model = tmp_path / "model"
    fitted = sdv_model.fit(data, "cafcass_england", model, seed=5)
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["allow_risk"] is False and manifest["gate"]
    assert (model / "synthesizer.pkl").is_file() and (model / "metadata.json").is_file()
    assert {r["check"] for r in fitted.gate} == {"exact_copies", "dcr", "rare_combinations"}
    with pytest.raises(OutputError, match="already exists"):
        sdv_model.fit(data, "cafcass_england", model, seed=5)

    out = tmp_path / "sample"
    res = sdv_model.sample(model, out, scale=0.5, seed=1)
    agency = source.loaded.profile.agencies["cafcass_england"]
    for key in ("case", "application", "child_subject", "adult_party"):
        table = agency.tables[key]
        got = pd.read_parquet(out / "cafcass_england" / f"{table.name}.parquet")
        assert list(got.columns) == [c.name for c in table.columns]
        assert len(got) > 0
        for c in table.columns:  # values read back as the declared type
            coerce_column(got[c.name], c.type)
    case = pd.read_parquet(out / "cafcass_england" / "case.parquet")
    app = pd.read_parquet(out / "cafcass_england" / "application.parquet")
    assert case["case_id"].is_unique and app["case_id"].isin(case["case_id"]).all()
    assert json.loads((out / "cafcass_england" / "manifest.json").read_text())["rows"] == res.rows
    # Seeded through the synthesizer's own seeds only: the same seed samples the same rows again.
    again = tmp_path / "sample-again"
    sdv_model.sample(model, again, scale=0.5, seed=1)
    for f in sorted((out / "cafcass_england").glob("*.parquet")):
        assert pd.read_parquet(f).equals(pd.read_parquet(again / "cafcass_england" / f.name)), f.name
