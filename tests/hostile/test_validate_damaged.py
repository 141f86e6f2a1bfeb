"""``synth validate`` on damaged runs: exit 1 with a "could not run" result, or exit 2 with one line.

The reports go to a separate folder (``--json``/``--html``), so the damaged run itself must be
left exactly as it was.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hostile.harness import Case, Inputs, Spec, check, copy_run, workdir

TABLE = "cafcass_england/case/part-00000.parquet"


def delete_table(run: Path) -> None:
    (run / TABLE).unlink()


def truncate_table(run: Path) -> None:
    p = run / TABLE
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def zero_byte_table(run: Path) -> None:
    (run / TABLE).write_bytes(b"")


def junk_table(run: Path) -> None:
    (run / TABLE).write_bytes(random.Random(3).randbytes(2048))


def _rewrite(run: Path, rel: str, edit) -> None:
    t = pq.read_table(run / rel)
    pq.write_table(edit(t), run / rel)


def wrong_column_type(run: Path) -> None:
    def edit(t: pa.Table) -> pa.Table:
        i = next(i for i, f in enumerate(t.schema) if pa.types.is_integer(f.type) or pa.types.is_date(f.type)
                 or pa.types.is_timestamp(f.type))
        return t.set_column(i, t.schema.field(i).name, pa.array(["x"] * t.num_rows))
    _rewrite(run, TABLE, edit)


def drop_column(run: Path) -> None:
    _rewrite(run, TABLE, lambda t: t.drop_columns([t.schema.names[-1]]))


def empty_table(run: Path) -> None:
    _rewrite(run, TABLE, lambda t: t.slice(0, 0))


def delete_truth(run: Path) -> None:
    shutil.rmtree(run / "truth")


def truncate_truth_person(run: Path) -> None:
    p = run / "truth" / "person" / "part-00000.parquet"
    p.write_bytes(p.read_bytes()[:100])


def truth_drop_column(run: Path) -> None:
    _rewrite(run, "truth/person/part-00000.parquet", lambda t: t.drop_columns([t.schema.names[1]]))


def corrupt_manifest(run: Path) -> None:
    (run / "manifest.json").write_text("{ this is not json")


def manifest_not_object(run: Path) -> None:
    (run / "manifest.json").write_text("[1, 2, 3]\n")


def manifest_unknown_profile(run: Path) -> None:
    m = json.loads((run / "manifest.json").read_text())
    m["profile"] = {"name": "no_such_profile", "path": "/nowhere/no_such_profile.yaml", "sha256": "0"}
    (run / "manifest.json").write_text(json.dumps(m))


def delete_manifest(run: Path) -> None:
    (run / "manifest.json").unlink()


def delete_agency_folder(run: Path) -> None:
    shutil.rmtree(run / "cafcass_cymru")


def _damaged(damage):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        run = copy_run(inputs, cwd / "run")
        damage(run)
        return _validate(cwd, run)
    return build


def _validate(cwd: Path, run: Path) -> Spec:
    return Spec(["validate", str(run), "--json", str(cwd / "out" / "report.json"), "--html",
                 str(cwd / "out" / "report.html"), "-q"], cwd, dest=cwd / "out")


def _empty_folder(root: Path, inputs: Inputs) -> Spec:
    cwd = workdir(root)
    (cwd / "out").mkdir()
    (cwd / "run").mkdir()
    return _validate(cwd, cwd / "run")


def _not_a_run(root: Path, inputs: Inputs) -> Spec:
    cwd = workdir(root)
    (cwd / "out").mkdir()
    (cwd / "run").mkdir()
    (cwd / "run" / "holiday.csv").write_text("day,place\n1,Tenby\n")
    return _validate(cwd, cwd / "run")


def _a_file(root: Path, inputs: Inputs) -> Spec:
    cwd = workdir(root)
    (cwd / "out").mkdir()
    return _validate(cwd, cwd / "keep.txt")


def _missing(root: Path, inputs: Inputs) -> Spec:
    cwd = workdir(root)
    (cwd / "out").mkdir()
    return _validate(cwd, cwd / "no_such_run")


def _reports_out(damage):
    """The reports' folder exists, so they can be written; the run is damaged."""
    def build(root: Path, inputs: Inputs) -> Spec:
        spec = _damaged(damage)(root, inputs)
        (spec.cwd / "out").mkdir()
        return spec
    return build


H2 = "H2"
#: id -> damage; each may end in exit 1 (a check that could not run) or exit 2 (not a run).
DAMAGE = {
    "table_deleted": delete_table,
    "table_truncated": truncate_table,
    "table_zero_bytes": zero_byte_table,
    "table_binary_junk": junk_table,
    "column_wrong_type": wrong_column_type,
    "column_dropped": drop_column,
    "table_no_rows": empty_table,
    "agency_folder_deleted": delete_agency_folder,
    "truth_deleted": delete_truth,
    "truth_table_truncated": truncate_truth_person,
    "truth_column_dropped": truth_drop_column,
    "manifest_corrupt": corrupt_manifest,
    "manifest_not_an_object": manifest_not_object,
    "manifest_unknown_profile": manifest_unknown_profile,
    "manifest_deleted": delete_manifest,
}
#: Damage after which every check can still run (and some fail): exit 1 without "could not run".
#: Dropping a table's last column fails ``columns_and_types`` (naming the column); no check reads it.
CHECKS_RUN = {"table_no_rows", "column_dropped"}
CASES = [Case(f"validate-{k}", _reports_out(d), codes=(1, 2), owner=H2, could_not_run=k not in CHECKS_RUN)
         for k, d in DAMAGE.items()]
CASES += [
    Case("validate-empty_folder", _empty_folder, names=("run",), owner=H2),
    Case("validate-not_a_run", _not_a_run, names=("run",), owner=H2),
    Case("validate-a_file", _a_file, names=("keep.txt",), owner=H2),
    Case("validate-missing_folder", _missing, names=("no_such_run",), owner=H2),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_validate_damaged_run(case, outcomes, inputs):
    check(case, outcomes[case.id], inputs)
