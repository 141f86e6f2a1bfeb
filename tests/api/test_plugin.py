"""The pytest plugin (entry point pytest11): synth_run and make_synth_run in a suite that uses them."""

from __future__ import annotations

from importlib.metadata import distributions

pytest_plugins = ["pytester"]

SUITE = '''
import pytest

def test_default_run(synth_run):
    assert synth_run.manifest["profile"]["name"] == "training_small"
    assert synth_run.seed == 42 and synth_run.families == 30
    cases = synth_run.table("familyman/cases")
    assert len(cases) == synth_run.sql("SELECT count(*) AS n FROM familyman.cases")["n"][0] > 0

def test_same_run_is_shared(synth_run, make_synth_run):
    assert make_synth_run("training_small", 30, 42) is synth_run

@pytest.mark.synth_run(seed=7, families=25)
def test_marker_chooses_another_run(synth_run, make_synth_run):
    assert synth_run.seed == 7 and synth_run.families == 25
    assert synth_run is make_synth_run("training_small", families=25, seed=7)

def test_factory_keys_by_seed(make_synth_run):
    a, b = make_synth_run("training_small", 25, 7), make_synth_run("training_small", 25, 8)
    assert a is not b and a.path != b.path
    assert not a.truth["family"].equals(b.truth["family"])
'''


def test_the_plugin_is_declared_as_a_pytest11_entry_point():
    # Every installed copy of the package is looked at (a stale egg-info in a checkout may come first).
    found = {(ep.name, ep.value) for d in distributions() if d.metadata["Name"] == "family-justice-synth"
             for ep in d.entry_points if ep.group == "pytest11"}
    assert found == {("synth", "synth.pytest_plugin")}


def test_a_suite_gets_cached_runs_from_both_fixtures(pytester):
    pytester.makeini("[pytest]\nsynth_families = 30\n")
    pytester.makepyfile(test_pipeline=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_a_bad_ini_value_is_a_usage_error(pytester):
    pytester.makeini("[pytest]\nsynth_seed = forty-two\n")
    pytester.makepyfile("def test_x(synth_run):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*synth_seed = 'forty-two' is not a whole number*"])
