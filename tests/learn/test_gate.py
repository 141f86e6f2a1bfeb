"""The privacy gate (no sdv needed): copies fail, an independent sample passes, planted rare people are caught."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import make_run

from synth.cli.main import cli
from synth.export.sdv_metadata import id_columns
from synth.learn.gate import describe, passed, run_gate, split_holdout

FAMILIES = 1500


def _tables(run) -> dict[str, pd.DataFrame]:
    agency = run.loaded.profile.agencies["cafcass_england"]
    return {t.name: pd.read_parquet(run.path / "cafcass_england" / t.name)
            for k, t in agency.tables.items() if k != "file1"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    train_run = make_run(tmp_path_factory, "england_wales", FAMILIES, seed=7, duckdb=False)
    other_run = make_run(tmp_path_factory, "england_wales", FAMILIES, seed=8, duckdb=False)
    agency = train_run.loaded.profile.agencies["cafcass_england"]
    ids = {t.name: sorted(id_columns(t)) for t in agency.tables.values()}
    real = _tables(train_run)
    train, hold = {}, {}
    for name, df in real.items():
        mask = split_holdout(df[[c for c in df.columns if c not in ids[name]]], 0.2)
        train[name], hold[name] = df[~mask].reset_index(drop=True), df[mask].reset_index(drop=True)
    return train, hold, _tables(other_run), ids, train_run.path


def _by(results, check, table):
    (r,) = [r for r in results if r["check"] == check and r["table"] == table]
    return r


def test_a_model_that_copies_its_training_rows_is_stopped(runs):
    train, hold, _, ids, _ = runs
    results = run_gate(train, train, hold, ids)
    assert not passed(results)
    for table in ("case", "application", "child_subject", "adult_party"):
        assert not _by(results, "exact_copies", table)["passed"], table
        assert not _by(results, "dcr", table)["passed"], table
    assert not _by(results, "rare_combinations", "child_subject")["passed"]
    # Link tables with one value column hold nothing to copy.
    assert _by(results, "exact_copies", "relationship")["passed"]


def test_an_independent_sample_passes(runs):
    train, hold, other, ids, _ = runs
    results = run_gate(train, other, hold, ids)
    assert passed(results), "\n".join(describe(results, failed_only=True))


def test_an_independent_sample_passes_without_a_holdout(runs):
    train, _, other, ids, _ = runs
    results = run_gate(train, other, None, ids, checks=("exact_copies", "rare_combinations"))
    assert passed(results), "\n".join(describe(results, failed_only=True))
    assert {r["check"] for r in results} == {"exact_copies", "rare_combinations"}


def test_planted_rare_people_reproduced_verbatim_are_flagged(runs):
    train, hold, other, ids, _ = runs
    cs = train["child_subject"]
    planted = cs.head(40).copy()  # enough to stand out of a holdout with a chance copy or two
    planted["ethnicity"] = [f"PLANTED{i}" for i in range(40)]  # combinations seen once
    train = {**train, "child_subject": pd.concat([cs, planted], ignore_index=True)}
    leaky = {**other, "child_subject": pd.concat([other["child_subject"], planted], ignore_index=True)}
    results = run_gate(train, leaky, hold, ids)
    r = _by(results, "rare_combinations", "child_subject")
    assert not r["passed"]
    assert r["rare_rows_copied"] >= 40
    assert "rare people copied verbatim" in r["detail"]
    # The same sample without the planted rows passes.
    assert _by(run_gate(train, other, hold, ids), "rare_combinations", "child_subject")["passed"]


def test_results_never_quote_training_values(runs):
    train, hold, _, ids, _ = runs
    results = run_gate(train, train, hold, ids)
    text = " ".join(describe(results))
    for value in train["child_subject"]["final_outcome"].dropna().unique()[:5]:
        assert str(value) not in text


def test_synth_learn_runs_the_gate_and_stops_on_a_breach(runs, tmp_path, monkeypatch):
    *_, run_path = runs
    out = tmp_path / "learned.yaml"
    args = ["learn", str(run_path / "cafcass_england"), "--agency", "cafcass_england", "--out", str(out)]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    log = json.loads(out.with_name("learned.disclosure.json").read_text())
    assert log["privacy_gate"]["passed"] and not log["privacy_gate"]["allow_risk"]
    assert {x["check"] for x in log["privacy_gate"]["results"]} == {"exact_copies", "rare_combinations"}

    from synth.learn import profile_gate

    def breach(*a, **k):
        return [{"check": "exact_copies", "table": "case", "passed": False, "detail": "planted failure"}]

    monkeypatch.setattr(profile_gate, "check_profile", breach)
    out2 = tmp_path / "second.yaml"
    r = CliRunner().invoke(cli, args[:-1] + [str(out2)])
    assert r.exit_code == 1
    assert "planted failure" in r.output
    assert not any(tmp_path.glob("second*"))
    r = CliRunner().invoke(cli, args[:-1] + [str(out2), "--allow-risk"])
    assert r.exit_code == 0, r.output
    assert json.loads(out2.with_name("second.disclosure.json").read_text())["privacy_gate"]["allow_risk"] is True


@pytest.mark.parametrize("dtype", ["Int64", "float64"])
def test_an_all_missing_age_column_is_one_band_and_ages_in_days_still_band_by_years(dtype):
    from synth.learn.gate.singling_out import rare_combinations

    qi = {"sex": "code", "age": "age_band"}
    blank = pd.DataFrame({"sex": ["1", "2", "1"], "age": pd.array([None] * 3, dtype=dtype)})
    assert rare_combinations(blank, blank, blank, "t", qi=qi)["rare_combinations"] == 2
    # 400 and 4000 days are bands 1-5 and 10-16 years; a missing age is a third combination.
    days = pd.DataFrame({"sex": ["1"] * 3, "age": pd.array([400, 4000, None], dtype=dtype)})
    assert rare_combinations(days, days, days, "t", qi=qi)["rare_combinations"] == 3


def test_a_few_chance_copies_are_not_a_breach_but_a_planted_batch_is():
    from synth.learn.gate.stats import ALPHA, tail_p
    assert tail_p(3, 3300, 0, 3300) > ALPHA  # three chance coincidences against none: p = 1/8
    assert tail_p(0, 3300, 5, 3300) == 1.0
    assert tail_p(40, 2500, 1, 500) < ALPHA
    assert tail_p(12, 3000, 0, 3000) < ALPHA  # 2^-12
    # Exact against the binomial sum for a small case: P(X >= 2 | 3 trials, q = 0.5) = 0.5.
    assert abs(tail_p(2, 100, 1, 100) - 0.5) < 1e-12
