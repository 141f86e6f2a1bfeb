"""synth.generate / synth.open: the Run a pipeline developer gets, its tables, SQL, truth and clean-up."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import synth
from synth.errors import InputError, SynthError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return synth.generate("training_small", seed=3, out=tmp_path_factory.mktemp("api") / "run")


def test_tables_lists_every_agency_table_and_the_truth_sorted(run):
    names = run.tables()
    assert names == sorted(names)
    assert set(names) == set(run.manifest["counts"])
    assert {"familyman/cases", "cafcass_england/case", "truth/person", "truth/proceeding"} <= set(names)


def test_table_and_arrow_give_the_rows_the_manifest_counts(run):
    for name in ("familyman/cases", "truth/person", "cafcass_cymru/CAFW_CASE_20240630"):
        df, at = run.table(name), run.arrow(name)
        assert isinstance(df, pd.DataFrame) and isinstance(at, pa.Table)
        assert len(df) == at.num_rows == run.manifest["counts"][name]
        assert list(df.columns) == at.column_names
    assert list(run.table("familyman/cases", columns=["case_number"]).columns) == ["case_number"]


def test_truth_is_a_mapping_of_the_truth_tables(run):
    assert "person" in run.truth and "nope" not in run.truth
    assert sorted(run.truth) == sorted(k.split("/", 1)[1] for k in run.tables() if k.startswith("truth/"))
    assert len(run.truth["person"]) == run.manifest["counts"]["truth/person"]
    with pytest.raises(KeyError):
        run.truth["nope"]


def test_sql_runs_over_the_files_and_agrees_with_the_dataframe(run):
    n = run.sql("SELECT count(*) AS n FROM familyman.cases")["n"].iloc[0]
    assert n == len(run.table("familyman/cases"))
    joined = run.sql("SELECT count(*) AS n FROM truth.person p JOIN truth.family f USING (family_id)")["n"].iloc[0]
    assert joined == len(run.truth["person"])


def test_an_unknown_table_names_the_closest(run):
    with pytest.raises(synth.UnknownTableError, match="did you mean familyman/cases"):
        run.table("familyman/case")
    with pytest.raises(SynthError):
        run.table("familyman/cases", columns=["no_such_column"])


def test_open_reads_the_same_run_and_rejects_a_folder_that_is_not_one(run, tmp_path):
    again = synth.open(run.path)
    assert again.tables() == run.tables() and again.seed == 3 and again.families == 400
    assert again.table("truth/family").equals(run.table("truth/family"))
    with pytest.raises(InputError, match="no such run folder"):
        synth.open(tmp_path / "missing")
    with pytest.raises(InputError, match="empty folder"):
        synth.open(tmp_path)


def test_a_temporary_run_is_removed_on_close_and_nothing_else_is(run):
    with synth.generate("training_small", families=40, seed=1) as tmp:
        folder = tmp.path
        assert folder.is_dir() and len(tmp.table("truth/family")) == 40
    assert not folder.exists() and not folder.parent.exists() and tmp.closed
    with pytest.raises(InputError, match="closed"):
        tmp.table("truth/family")
    run.close()  # a run given an out= folder belongs to the caller: close() leaves it
    assert run.path.is_dir() and not run.closed


def test_a_dropped_temporary_run_is_removed_by_its_finalizer():
    tmp = synth.generate("training_small", families=20, seed=1)
    folder = tmp.path.parent
    del tmp
    import gc

    gc.collect()
    assert not folder.exists()


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in (".parquet", ".csv")}


def test_the_api_writes_the_same_bytes_as_the_cli(tmp_path):
    from click.testing import CliRunner

    from synth.cli.main import cli

    res = CliRunner().invoke(cli, ["generate", "training_small", "-n", "60", "-s", "9", "-o", str(tmp_path / "cli"),
                                   "--no-duckdb", "--no-validate", "-q", "--agencies", "familyman"])
    assert res.exit_code == 0, res.output
    api = synth.generate("training_small", families=60, seed=9, agencies=["familyman"], out=tmp_path / "api")
    assert _digests(api.path) == _digests(tmp_path / "cli") != {}


def test_seed_none_is_the_profile_seed_as_in_the_cli():
    with synth.generate("training_small", families=20) as r:
        assert r.seed == 42  # training_small.yaml: seed: 42


def test_a_csv_only_run_reads_the_same_rows(run, tmp_path):
    csv = synth.generate("training_small", seed=3, formats=["csv"], agencies=["familyman"], out=tmp_path / "csv")
    assert not list(csv.path.rglob("*.parquet"))
    for name in ("familyman/cases", "truth/person"):
        a, b = csv.table(name), run.table(name)
        assert list(a.columns) == list(b.columns) and len(a) == len(b)
        assert csv.arrow(name).num_rows == len(b)
    assert csv.table("familyman/cases")["case_number"].tolist() == run.table("familyman/cases")["case_number"].tolist()
