"""Care episode rules: a correct run passes; a broken chain, a bad code or a gap each fail their check only."""


import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import make_run

from synth.validate.care_rules import check_care, episode_table_rules, truth_rules
from synth.validate.core import RunData
from synth.validate.runner import validate

from .test_validators import _copy, _rewrite


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_run(tmp_path_factory, "england_wales", 1500, seed=21)




def _failing(path) -> set[tuple[str, str, str]]:
    results, _ = validate(path)
    return {(r.group, r.name, r.table) for r in results if not r.passed}


def _middle(df: pd.DataFrame) -> int:
    """Row of an episode that is neither the first nor the last of its period, longer than two days."""
    nxt = (df[["person_id", "period"]].shift(-1) == df[["person_id", "period"]]).all(axis=1)
    prv = (df[["person_id", "period"]].shift(1) == df[["person_id", "period"]]).all(axis=1)
    long = (pd.to_datetime(df["end_date"]) - pd.to_datetime(df["start_date"])).dt.days > 2
    return int(df.index[nxt & prv & long][0])


def test_a_correct_run_passes_every_care_rule(base):
    results = check_care(RunData(base.path))
    names = {r.name for r in results}
    assert {"care_episodes_contiguous", "care_x1_chain", "care_codes", "care_legal_status_order",
            "care_adoption_after_placement_order", "care_dates_in_life", "care_follows_orders",
            "903_episodes_contiguous", "903_x1_chain", "903_dec_blank_only_last"} <= names
    assert all(r.passed for r in results), [(r.name, r.examples) for r in results if not r.passed]


def _cut_chain(df):
    df.loc[_middle(df), "reason_ceased"] = "E8"


def _bad_code(df):
    df.loc[_middle(df), "cin"] = "N9"


def _gap(df):
    i = _middle(df)
    df.loc[i, "start_date"] = pd.to_datetime(df.loc[i, "start_date"]) + pd.Timedelta(days=1)


@pytest.mark.parametrize("breakage, check", [
    (_cut_chain, "care_x1_chain"),
    (_bad_code, "care_codes"),
    (_gap, "care_episodes_contiguous"),
], ids=["broken_chain", "bad_code", "gap"])
def test_a_broken_episode_fails_its_check_only(base, tmp_path, breakage, check):
    path = _copy(base, tmp_path)
    _rewrite(path, "truth", "care_episode", breakage)
    assert _failing(path) == {("integrity", check, "truth/care_episode")}


def test_a_gap_in_the_903_episodes_fails_the_903_contiguity_check_only(base, tmp_path):
    path = _copy(base, tmp_path)

    def gap(df):
        e = df.assign(s=pd.to_datetime(df["DECOM"])).sort_values(["YEAR", "CHILD", "s"])
        later = e[(e[["YEAR", "CHILD"]].shift(1) == e[["YEAR", "CHILD"]]).all(axis=1) & (e["RNE"] != "S")]
        later = later[(pd.to_datetime(later["DEC"]) - later["s"]).dt.days > 2]
        i = later.index[0]
        df.loc[i, "DECOM"] = (pd.to_datetime(df.loc[i, "DECOM"]) + pd.Timedelta(days=1)).date()

    _rewrite(path, "ssda903", "episodes", gap)
    assert _failing(path) == {("integrity", "903_episodes_contiguous", "ssda903/episodes")}


def test_rules_report_rather_than_raise(base):
    run = RunData(base.path)
    eps = run.truth("care_episode").drop(columns=["rne"])
    with pytest.raises(KeyError):
        truth_rules(eps, run.truth("person"), pd.Timestamp("2024-03-31"))


def test_a_care_table_without_a_column_could_not_run(base, tmp_path):
    path = _copy(base, tmp_path)
    part = path / "truth" / "care_episode" / "part-00000.parquet"
    pq.write_table(pq.read_table(part).drop_columns(["rne"]), part)
    results = check_care(RunData(path))
    broken = [r for r in results if r.name == "care_rules"]
    assert [(r.status, r.table) for r in broken] == [("could_not_run", None)]
    assert "rne" in broken[0].detail and broken[0].detail.startswith("could not run")
    run = RunData(base.path)
    spec = run.profile.agencies["ssda903"].tables["episodes"]
    ok = episode_table_rules(run.agency_table("ssda903", "episodes"), spec, "ssda903/episodes")
    assert all(r.passed for r in ok)
