"""Hostile inputs to ``synth returns``, ``synth learn``, ``synth fit`` and ``synth sample``."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from hostile.harness import Case, Inputs, Spec, check, copy_run, workdir

AGENCY = "cafcass_england"
#: cafcass_england tables with a case_id column (file1 is identifiable and never read).
CASE_TABLES = ("case", "application", "child_subject", "adult_party", "relationship")


# -- returns --------------------------------------------------------------------------------------

def _returns(*extra: str, run_edit=None, out: str = "returns", existing_out: bool = False, run_name: str = "run",
             may_succeed: bool = False):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        run = copy_run(inputs, cwd / "run")
        if run_edit is not None:
            run_edit(run)
        if existing_out:
            (cwd / out).write_text("someone's file\n")
        return Spec(["returns", str(cwd / run_name), "--out", str(cwd / out), *extra], cwd,
                    dest=cwd / out if may_succeed else None)
    return build


def not_a_run(run: Path) -> None:
    shutil.rmtree(run)
    run.mkdir()
    (run / "notes.txt").write_text("not a run\n")


def ssda(edit, table: str = "episodes"):
    def damage(run: Path) -> None:
        folder = run / "ssda903" / table
        p = folder / "part-00000.parquet"
        if edit == "delete":
            shutil.rmtree(folder)
        elif edit == "truncate":
            p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
        else:
            pq.write_table(edit(pq.read_table(p)), p)
    return damage


def drop_la(t: pa.Table) -> pa.Table:
    return t.drop_columns(["LA"])


def year_as_text(t: pa.Table) -> pa.Table:
    i = t.schema.get_field_index("YEAR")
    return t.set_column(i, "YEAR", pa.array(["soon"] * t.num_rows))


R = "H1/H6"
RETURNS = [
    Case("returns-run_missing", _returns(run_name="nothere"), names=("nothere",), owner=R),
    Case("returns-run_not_a_run", _returns(run_edit=not_a_run), names=("run",), owner=R),
    Case("returns-agency_unknown", _returns("--agency", "nope"), names=("nope",), owner=R),
    Case("returns-agency_not_a_return", _returns("--agency", AGENCY), names=(AGENCY,), owner=R),
    Case("returns-table_deleted", _returns(run_edit=ssda("delete")), names=("episodes",), owner=R),
    Case("returns-table_truncated", _returns(run_edit=ssda("truncate")), names=("episodes",), owner=R),
    Case("returns-column_dropped", _returns(run_edit=ssda(drop_la, "header")), names=("header", "LA"), owner=R),
    Case("returns-column_wrong_type", _returns(run_edit=ssda(year_as_text, "header")), names=("header", "YEAR"),
         owner=R),
    Case("returns-year_not_in_run", _returns("--year", "1800"), names=("1800",), owner=R),
    Case("returns-la_unknown", _returns("--la", "bogus"), names=("bogus",), owner=R),
    Case("returns-out_existing_file", _returns(existing_out=True), names=("returns",), owner=R),
    Case("returns-out_under_a_file", _returns(out="keep.txt/returns"), names=("keep.txt",), owner=R),
]


# -- learn ----------------------------------------------------------------------------------------

def extract(inputs: Inputs, to: Path, cases: int | None = None) -> Path:
    """The run's cafcass_england tables (no File 1), optionally only the first ``cases`` cases."""
    to.mkdir(parents=True)
    src = inputs.run / AGENCY
    keep = None
    if cases is not None:
        keep = pq.read_table(src / "case", columns=["case_id"]).column("case_id").slice(0, cases)
    for name in CASE_TABLES:
        t = pq.read_table(src / name)
        if keep is not None:
            t = t.filter(pc.is_in(t.column("case_id"), value_set=keep))
        pq.write_table(t, to / f"{name}.parquet")
    return to


def _learn(*extra: str, cases: int | None = None, edit=None, data: str = "extract", out: str = "learned/p.yaml",
           may_succeed: bool = False):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        folder = extract(inputs, cwd / "extract", cases)
        if edit is not None:
            edit(folder)
        (cwd / Path(out).parent).mkdir(parents=True, exist_ok=True)
        return Spec(["learn", str(cwd / data), "--agency", AGENCY, "--out", str(cwd / out), *extra], cwd,
                    dest=(cwd / Path(out).parent) if may_succeed else None)
    return build


def _table(name: str, how):
    def edit(folder: Path) -> None:
        p = folder / f"{name}.parquet"
        if how == "zero":
            p.write_bytes(b"")
        elif how == "junk":
            p.write_bytes(random.Random(6).randbytes(2500))
        elif how == "empty_csv":
            p.unlink()
            (folder / f"{name}.csv").write_text("")
        elif how == "latin1_csv":
            t = pq.read_table(p).to_pandas()
            p.unlink()
            t.loc[0, "law_type"] = "pr\u00e9vate"
            t.to_csv(folder / f"{name}.csv", index=False, encoding="latin-1")
        else:
            pq.write_table(how(pq.read_table(p)), p)
    return edit


def no_rows(t: pa.Table) -> pa.Table:
    return t.slice(0, 0)


def dates_as_text(t: pa.Table) -> pa.Table:
    i = t.schema.get_field_index("issue_date")
    return t.set_column(i, "issue_date", pa.array(["not a date"] * t.num_rows))


def all_tables(how):
    def edit(folder: Path) -> None:
        for name in CASE_TABLES:
            _table(name, how)(folder)
    return edit


def junk_files(folder: Path) -> None:
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "readme.txt").write_text("nothing here\n")
    (folder / "data.bin").write_bytes(b"\x00\x01\x02")


def junk_duckdb(folder: Path) -> None:
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "cases.duckdb").write_bytes(random.Random(8).randbytes(5000))


LE = "H6"
TOO_FEW = ("too few",)
LEARN = [
    Case("learn-data_missing", _learn(data="nothere"), names=("nothere",), owner=LE),
    Case("learn-data_not_tables", _learn(edit=junk_files), names=("extract",), owner=LE),
    Case("learn-data_junk_duckdb", _learn(edit=junk_duckdb), names=("cases.duckdb",), owner=LE),
    Case("learn-agency_unknown", lambda r, i: _agency(r, i, "nope"), names=("nope",), owner=LE),
    Case("learn-out_not_yaml", _learn(out="learned/p.txt"), names=("p.txt",), owner=LE),
    Case("learn-threshold_zero", _learn("--threshold", "0"), names=("--threshold",), owner=LE),
    Case("learn-rounding_negative", _learn("--rounding", "-5"), names=("--rounding",), owner=LE),
    Case("learn-table_zero_bytes", _learn(edit=_table("case", "zero")), names=("case.parquet",), owner=LE),
    Case("learn-table_junk", _learn(edit=_table("application", "junk")), names=("application.parquet",), owner=LE),
    Case("learn-table_empty_csv", _learn(edit=_table("case", "empty_csv")), names=("case.csv",), owner=LE),
    Case("learn-table_latin1_csv", _learn(edit=_table("case", "latin1_csv"), may_succeed=True), codes=(0, 2),
         names=("case.csv",), owner=LE),
    Case("learn-column_missing", _learn(edit=_table("case", lambda t: t.drop_columns(["law_type"]))),
         names=("case.parquet", "law_type"), owner=LE),
    Case("learn-dates_not_dates", _learn(edit=_table("application", dates_as_text), may_succeed=True),
         codes=(0, 2), names=("issue_date",), owner=LE),
    Case("learn-no_rows", _learn(edit=all_tables(no_rows), may_succeed=True), codes=(0, 2), names=TOO_FEW, owner=LE),
    Case("learn-one_case", _learn(cases=1, may_succeed=True), codes=(0, 2), names=TOO_FEW, owner=LE),
    Case("learn-three_cases", _learn(cases=3, may_succeed=True), codes=(0, 2), names=TOO_FEW, owner=LE),
    Case("learn-three_cases_threshold_1", _learn("--threshold", "1", cases=3, may_succeed=True), codes=(0, 2),
         names=TOO_FEW, owner=LE),
    Case("learn-twelve_cases", _learn(cases=12, may_succeed=True), codes=(0, 2), names=TOO_FEW, owner=LE),
]


def _agency(root: Path, inputs: Inputs, agency: str) -> Spec:
    spec = _learn()(root, inputs)
    spec.args[spec.args.index("--agency") + 1] = agency
    return spec


# -- fit / sample ---------------------------------------------------------------------------------

def _fit(*extra: str, edit=None, agency: str = AGENCY):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        folder = extract(inputs, cwd / "extract")
        if edit is not None:
            edit(folder)
        return Spec(["fit", str(folder), "--agency", agency, "--out", str(cwd / "model"), *extra], cwd)
    return build


def _sample(*extra: str, model: str = "model", make=None):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        if make is not None:
            make(cwd / model)
        return Spec(["sample", str(cwd / model), "--out", str(cwd / "sampled"), *extra], cwd)
    return build


def fake_model(path: Path) -> None:
    path.mkdir()
    (path / "manifest.json").write_text("{ not json")
    (path / "synthesizer.pkl").write_bytes(random.Random(9).randbytes(1000))


F = "H6"
#: Importing SDV writes its logging configuration into the user's data folder (sdv/logging/utils.py,
#: platformdirs.user_data_dir); that is SDV's doing, not a file of ours, so it is tolerated here.
SDV_CONFIG = ("home/.local",)
FIT = [
    Case("fit-data_not_tables", _fit(edit=junk_files), names=("extract",), owner=F, allowed=SDV_CONFIG),
    Case("fit-agency_unknown", _fit(agency="nope"), names=("nope",), owner=F, allowed=SDV_CONFIG),
    Case("fit-table_junk", _fit(edit=_table("case", "junk")), names=("case.parquet",), owner=F, allowed=SDV_CONFIG),
    Case("fit-tables_unknown", _fit("--tables", "bogus"), names=("bogus",), owner=F, allowed=SDV_CONFIG),
    Case("sample-model_missing", _sample(), names=("model",), owner=F, allowed=SDV_CONFIG),
    Case("sample-model_not_a_model", _sample(make=fake_model), names=("model",), owner=F, allowed=SDV_CONFIG),
    Case("sample-scale_zero", _sample("--scale", "0", make=fake_model), names=("--scale",), owner=F,
         allowed=SDV_CONFIG),
    Case("sample-scale_nan", _sample("--scale", "nan", make=fake_model), names=("--scale",), owner=F,
         allowed=SDV_CONFIG),
]

CASES = RETURNS + LEARN + FIT


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_command_input(case, outcomes, inputs):
    check(case, outcomes[case.id], inputs)
