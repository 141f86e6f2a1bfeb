"""The validator's recall on planted faults (integrity.planted_faults_found), and a dirty run validates."""

from __future__ import annotations

from synth.dirty import FAULTS
from synth.validate.core import RunData
from synth.validate.quality import RECALL_FLOOR
from synth.validate.registry import REGISTRY, registered
from synth.validate.runner import run_check


def _results(path):
    registered()
    return run_check(REGISTRY["integrity.planted_faults_found"], RunData(path))


def test_recall_is_reported_per_fault_kind_and_meets_its_floor(pair):
    results = _results(pair[1])
    by_kind = {r.column: r for r in results}
    assert set(FAULTS) <= set(by_kind)
    for fault in FAULTS:
        r = by_kind[fault]
        assert r.status == "passed", (fault, r.detail, r.examples)
        stat = r.statistic
        assert stat["name"] == "recall" and stat["planted"] > 0
        assert stat["value"] == round(stat["found"] / stat["planted"], 4) >= RECALL_FLOOR[fault]
        assert r.violations == stat["planted"] - stat["found"]
    precision = by_kind["(all detectors)"].statistic
    assert precision["name"] == "precision" and 0.5 < precision["value"] <= 1


def test_a_clean_run_skips_the_recall_check(pair):
    (r,) = _results(pair[0])
    assert r.status == "skipped" and "not a --dirty run" in r.detail


def test_synth_validate_reads_a_dirty_run_and_reports_the_faults_as_findings(pair):
    from synth.validate.runner import validate

    results, meta = validate(pair[1])
    crashed = [(r.name, r.table, r.detail) for r in results if r.status == "could_not_run"]
    assert crashed == []
    failed = {r.name for r in results if r.status == "failed"}
    assert {"code_list", "required_not_blank"} <= failed  # planted faults found by the integrity checks
    assert meta["verdict"]["passed"] is False
