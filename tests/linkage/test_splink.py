"""``synth linkage splink``: the default Splink model links a small run and is scored against the truth."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from synth.cli.main import cli

from . import build_run

pytest.importorskip("splink")


def test_splink_links_a_run_and_reports_scores_and_a_threshold_curve(tmp_path):
    path = tmp_path / "run"
    build_run(path, n_people=300, coverage=0.9, duplicates=0.05, missing_nhs=20, errors=10, seed=3)
    out = tmp_path / "splink.parquet"
    result = CliRunner().invoke(cli, ["linkage", "splink", str(path), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    clusters = pd.read_parquet(out)
    assert list(clusters.columns) == ["agency", "id", "cluster"] and len(clusters) == s["records"]
    # Records without an NHS number or with errors are still found through names, DOB and postcode.
    assert s["score"]["recall"] > 0.9 and s["score"]["precision"] > 0.9
    curve = s["curve"]
    assert [c["threshold"] for c in curve] == sorted(c["threshold"] for c in curve)
    assert all(a["predicted_pairs"] >= b["predicted_pairs"] for a, b in zip(curve, curve[1:]))


def test_splink_rejects_a_threshold_outside_zero_to_one(tmp_path):
    path = tmp_path / "run"
    build_run(path, n_people=20)
    result = CliRunner().invoke(cli, ["linkage", "splink", str(path), "-o", str(tmp_path / "x.parquet"),
                                      "--threshold", "1.5"])
    assert result.exit_code == 2 and "--threshold" in result.output + (result.stderr if result.stderr_bytes else "")
