"""Hostile inputs to ``synth linkage score|pairs|link``: broken linkage files, runs and options."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hostile.harness import Case, Inputs, Spec, check, copy_run, workdir

FILE1 = "cafcass_england/file1/part-00000.parquet"
PAIRS_HEAD = "agency_l,id_l,agency_r,id_r\n"


def _ids(inputs: Inputs, n: int = 2) -> list[int]:
    links = pq.read_table(inputs.run / "truth" / "links" / "part-00000.parquet",
                          columns=["agency", "agency_person_id"]).to_pandas()
    return links.loc[links["agency"] == "cafcass_england", "agency_person_id"].head(n).tolist()


def _score(links_name: str, write=None, run_edit=None, extra=()):
    """``linkage score run LINKS`` where ``write(path, inputs)`` makes LINKS (None: it does not exist)."""
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        run = copy_run(inputs, cwd / "run")
        if run_edit is not None:
            run_edit(run)
        links = cwd / links_name
        if write is not None:
            write(links, inputs)
        return Spec(["linkage", "score", str(run), str(links), *extra], cwd)
    return build


def text(body: str):
    def write(path: Path, inputs: Inputs) -> None:
        a, b = _ids(inputs)
        path.write_text(body.format(a=a, b=b), encoding="utf-8")
    return write


def junk(path: Path, inputs: Inputs) -> None:
    path.write_bytes(random.Random(4).randbytes(3000))


def folder(path: Path, inputs: Inputs) -> None:
    path.mkdir()


def not_a_run(run: Path) -> None:
    import shutil

    shutil.rmtree(run)
    run.mkdir()
    (run / "notes.txt").write_text("not a run\n")


def truncate_links(run: Path) -> None:
    p = run / "truth" / "links" / "part-00000.parquet"
    p.write_bytes(p.read_bytes()[:64])


def _edit_file1(edit):
    def damage(run: Path) -> None:
        p = run / FILE1
        if edit == "truncate":
            p.write_bytes(p.read_bytes()[: p.stat().st_size // 3])
        elif edit == "zero":
            p.write_bytes(b"")
        elif edit == "junk":
            p.write_bytes(random.Random(5).randbytes(2000))
        elif edit == "delete":
            p.unlink()
        else:
            pq.write_table(edit(pq.read_table(p)), p)
    return damage


def drop_system_id(t):
    return t.drop_columns(["SYSTEM_ID"])


def text_system_id(t):
    import pyarrow as pa

    return t.set_column(0, "SYSTEM_ID", pa.array([f"P{i}" for i in range(t.num_rows)]))


def no_rows(t):
    return t.slice(0, 0)


def _tool(command: str, *extra: str, run_edit=None, out: str | None = "pairs.parquet", existing_out=False,
          run_name: str = "run"):
    """``linkage pairs|link RUN --out OUT *extra``."""
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        run = copy_run(inputs, cwd / "run")
        if run_edit is not None:
            run_edit(run)
        args = ["linkage", command, str(cwd / run_name)]
        dest = None
        if out is not None:
            dest = cwd / out
            if existing_out:
                dest.write_text("someone's file\n")
            args += ["--out", str(dest)]
        return Spec(args + list(extra), cwd, dest=dest)
    return build


def _link(*extra: str, **kw):
    return _tool("link", *extra, **kw)


L = "H6"
CASES = [
    # score: the linkage file
    Case("score-links_missing", _score("nothere.csv"), names=("nothere.csv",), owner=L),
    Case("score-links_empty_file", _score("links.csv", text("")), names=("links.csv",), owner=L),
    Case("score-links_header_only", _score("links.csv", text(PAIRS_HEAD)), codes=(0, 2), names=("links.csv",),
         owner=L),
    Case("score-links_junk_parquet", _score("links.parquet", junk), names=("links.parquet",), owner=L),
    Case("score-links_junk_csv", _score("links.csv", junk), names=("links.csv",), owner=L),
    Case("score-links_a_folder", _score("links.parquet", folder), names=("links.parquet",), owner=L),
    Case("score-links_wrong_extension", _score("links.txt", text(PAIRS_HEAD)), names=("links.txt",), owner=L),
    Case("score-links_missing_columns", _score("links.csv", text("a,b\n1,2\n")), names=("links.csv", "agency_l"),
         owner=L),
    Case("score-links_unknown_agency", _score("links.csv", text(PAIRS_HEAD + "nope,{a},cafcass_england,{b}\n")),
         names=("nope",), owner=L),
    Case("score-links_blank_agency", _score("links.csv", text(PAIRS_HEAD + ",{a},cafcass_england,{b}\n")),
         names=("links.csv", "agency"), owner=L),
    Case("score-links_ids_not_numbers", _score("links.csv", text(PAIRS_HEAD + "cafcass_england,x,cafcass_england,y\n")),
         names=("links.csv", "id_l"), owner=L),
    Case("score-links_ids_fractional",
         _score("links.csv", text(PAIRS_HEAD + "cafcass_england,1.5,cafcass_england,{b}\n")),
         names=("links.csv", "id_l"), owner=L),
    Case("score-links_ids_not_in_run",
         _score("links.csv", text(PAIRS_HEAD + "cafcass_england,987654321987,cafcass_england,{b}\n")),
         names=("links.csv", "987654321987"), owner=L),
    Case("score-links_ids_huge", _score("links.csv", text(PAIRS_HEAD + "cafcass_england,1e30,cafcass_england,{b}\n")),
         names=("links.csv",), owner=L),
    Case("score-clusters_blank_cluster", _score("links.csv", text("agency,id,cluster\ncafcass_england,{a},\n")),
         names=("links.csv", "cluster"), owner=L),
    Case("score-links_latin1",
         _score("links.csv", lambda p, i: p.write_bytes(("agency_l,id_l,agency_r,id_r\ncaf\u00e9,1,caf\u00e9,2\n")
                                                       .encode("latin-1"))),
         names=("links.csv",), owner=L),
    Case("score-agencies_unknown", _score("links.csv", text(PAIRS_HEAD + "cafcass_england,{a},cafcass_england,{b}\n"),
                                          extra=("--agencies", "nope")), names=("--agencies", "nope"), owner=L),
    Case("score-run_not_a_run", _score("links.csv", text(PAIRS_HEAD), run_edit=not_a_run), names=("run",), owner=L),
    Case("score-run_links_truncated", _score("links.csv", text(PAIRS_HEAD), run_edit=truncate_links),
         names=("truth/links",), owner=L),
    # pairs
    Case("pairs-run_missing", _tool("pairs", run_name="nothere"), names=("nothere",), owner=L),
    Case("pairs-run_not_a_run", _tool("pairs", run_edit=not_a_run), names=("run",), owner=L),
    Case("pairs-agencies_unknown", _tool("pairs", "--agencies", "nope"), names=("--agencies", "nope"), owner=L),
    Case("pairs-block_unknown", _tool("pairs", "--block", "bogus"), names=("--block", "bogus"), owner=L),
    Case("pairs-block_empty", _tool("pairs", "--block", "+"), names=("--block",), owner=L),
    Case("pairs-max_pairs_zero", _tool("pairs", "--max-pairs", "0"), names=("--max-pairs",), owner=L),
    Case("pairs-max_pairs_negative", _tool("pairs", "--max-pairs", "-1"), names=("--max-pairs",), owner=L),
    Case("pairs-out_wrong_extension", _tool("pairs", out="pairs.txt"), names=("pairs.txt",), owner=L),
    Case("pairs-out_folder_missing", _tool("pairs", out="nowhere/pairs.parquet"), names=("nowhere",), owner=L),
    Case("pairs-out_exists", _tool("pairs", out="pairs.parquet", existing_out=True), names=("--force",), owner=L),
    Case("pairs-file1_truncated", _tool("pairs", run_edit=_edit_file1("truncate")), names=("file1",), owner=L),
    Case("pairs-file1_zero_bytes", _tool("pairs", run_edit=_edit_file1("zero")), names=("file1",), owner=L),
    Case("pairs-file1_junk", _tool("pairs", run_edit=_edit_file1("junk")), names=("file1",), owner=L),
    Case("pairs-file1_no_system_id", _tool("pairs", run_edit=_edit_file1(drop_system_id)),
         names=("file1", "SYSTEM_ID"), owner=L),
    Case("pairs-file1_text_system_id", _tool("pairs", run_edit=_edit_file1(text_system_id)),
         names=("file1", "SYSTEM_ID"), owner=L),
    Case("pairs-file1_no_rows", _tool("pairs", run_edit=_edit_file1(no_rows)), codes=(0, 2), owner=L),
    Case("pairs-file1_deleted_but_asked_for", _tool("pairs", "--agencies", "cafcass_england,cafcass_cymru",
                                                    run_edit=_edit_file1("delete")),
         names=("cafcass_england",), owner=L),
    # link
    Case("link-on_empty", _link("--on", ","), names=("--on",), owner=L),
    Case("link-on_unknown_column", _link("--on", "NHS_NUMBER,SHOE_SIZE"), names=("SHOE_SIZE",), owner=L),
    Case("link-agencies_unknown", _link("--on", "NHS_NUMBER", "--agencies", "nope"), names=("nope",), owner=L),
    Case("link-run_not_a_run", _link("--on", "NHS_NUMBER", run_edit=not_a_run), names=("run",), owner=L),
    Case("link-out_wrong_extension", _link("--on", "NHS_NUMBER", out="clusters.json"), names=("clusters.json",),
         owner=L),
    Case("link-file1_junk", _link("--on", "NHS_NUMBER", run_edit=_edit_file1("junk")), names=("file1",), owner=L),
    Case("link-file1_no_rows", _link("--on", "NHS_NUMBER", run_edit=_edit_file1(no_rows)), codes=(0, 2), owner=L),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_linkage_input(case, outcomes, inputs):
    check(case, outcomes[case.id], inputs)
