"""The registry of checks: a new decorated function is all a check needs; the runner never raises."""

from __future__ import annotations

import json

import pytest
from conftest import make_run

from synth.validate import registry
from synth.validate.core import CheckResult
from synth.validate.registry import check, registered
from synth.validate.report import render_html, render_json
from synth.validate.runner import validate


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_run(tmp_path_factory, "training_small", 200, seed=3)


@pytest.fixture
def scratch(monkeypatch):
    """A copy of the registry, so checks registered by a test vanish after it."""
    registered()  # import the shipped checks first, so the copy holds them
    monkeypatch.setattr(registry, "REGISTRY", dict(registry.REGISTRY))


def test_a_newly_registered_check_appears_in_the_report(base, scratch):
    @check("integrity", "families_exist", truth=("family",))
    def families_exist(run):
        n = len(run.truth("family"))
        return CheckResult("integrity", "families_exist", n > 0, "truth/family", detail=f"{n} families")

    results, meta = validate(base.path)
    mine = [r for r in results if r.name == "families_exist"]
    assert [(r.status, r.table) for r in mine] == [("passed", "truth/family")]
    doc = json.loads(render_json(results, meta))
    assert any(r["name"] == "families_exist" and r["status"] == "passed" for r in doc["results"])


def test_a_check_that_raises_could_not_run_and_the_others_still_run(base, scratch):
    @check("privacy", "explodes")
    def explodes(run):
        yield CheckResult("privacy", "explodes", True, detail="the first result is kept")
        raise ZeroDivisionError("boom")

    results, meta = validate(base.path)
    mine = [r for r in results if r.name == "explodes"]
    assert [r.status for r in mine] == ["passed", "could_not_run"]
    assert mine[1].detail == "could not run: ZeroDivisionError: boom" and not mine[1].passed
    assert meta["verdict"]["passed"] is False
    assert meta["verdict"]["groups"]["privacy"]["could_not_run"] == 1
    assert meta["verdict"]["groups"]["integrity"]["passed"] is True  # the others ran and passed
    assert "COULD NOT RUN" in render_html(results, meta)


def test_a_check_needing_an_agency_the_run_lacks_is_skipped(base, scratch):
    calls = []

    @check("realism", "needs_unknown_agency", agencies=("no_such_agency",))
    def needs(run):
        calls.append(run)
        return []

    results, meta = validate(base.path)
    mine = [r for r in results if r.name == "needs_unknown_agency"]
    assert [r.status for r in mine] == ["skipped"] and mine[0].passed and not calls
    assert "no_such_agency" in mine[0].detail
    assert meta["verdict"]["passed"] is True


def test_a_per_table_check_runs_once_per_agency_table(base, scratch):
    seen = []

    @check("integrity", "per_table", each="agency_table", applies=lambda spec: spec.name == "case")
    def per_table(run, t):
        seen.append(t.label)
        return CheckResult("integrity", "per_table", True, t.label)

    validate(base.path)
    assert seen == ["cafcass_england/case"]


def test_the_registry_refuses_an_unknown_group_or_a_second_function_under_one_id(scratch):
    with pytest.raises(ValueError, match="group"):
        check("style")
    with pytest.raises(ValueError, match="registered twice"):
        check("integrity", "table_present")(lambda run: [])


def test_every_shipped_check_is_in_a_known_group_with_a_unique_id():
    checks = registered()
    assert len({c.id for c in checks}) == len(checks)
    assert {c.group for c in checks} == {"integrity", "realism", "privacy"}
    assert all(c.doc for c in checks)  # each says what it checks
