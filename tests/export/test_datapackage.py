"""datapackage.json: a Frictionless Data Package the frictionless library validates with no errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile

frictionless = pytest.importorskip("frictionless")


@pytest.mark.parametrize("formats", [("parquet",), ("csv",)])
def test_small_run_validates(tmp_path: Path, formats: tuple[str, ...]) -> None:
    loaded = load_profile("training_small")
    out = tmp_path / "run"
    generate(loaded, out, families=150, seed=2, formats=formats, duckdb=False)
    doc = json.loads((out / "datapackage.json").read_text())
    assert doc["synthetic"] is True and doc["licenses"][0]["name"] == "MIT"
    manifest = json.loads((out / "manifest.json").read_text())
    assert {r["name"].split(".", 1)[0] for r in doc["resources"]} == {*manifest["agencies"], "truth"}
    for res in doc["resources"]:
        assert res["format"] == formats[0]
        assert all(f["description"] for f in res["schema"]["fields"]), res["name"]
    assert any("foreignKeys" in r["schema"] for r in doc["resources"])
    assert any("primaryKey" in r["schema"] for r in doc["resources"])
    report = frictionless.validate(str(out / "datapackage.json"))
    problems = [(t.name, e.type, e.note[:120]) for t in report.tasks for e in t.errors][:5]
    assert report.valid, problems or [e.note for e in report.errors][:5]
