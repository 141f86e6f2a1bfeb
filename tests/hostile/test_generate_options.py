"""Hostile ``synth generate`` options: counts, seeds, workers, formats, agencies and destinations.

A refused destination must be left exactly as it was (the working directory, HOME, an existing
run, someone else's folder); a run that may succeed may only create its own destination.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile.harness import Case, Inputs, Spec, check, copy_run, workdir

SMALL = ["--families", "20", "--no-validate", "--no-duckdb", "-q"]


def _opts(*extra: str, families: str | None = "20", dest: str = "run"):
    """A build running ``generate training_small`` with ``extra`` options into ``cwd/dest``."""
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        fam = ["--families", families] if families is not None else []
        return Spec(["generate", "training_small", *fam, "--out", str(cwd / dest), "--no-validate",
                     "--no-duckdb", "-q", *extra], cwd, dest=cwd / dest)
    return build


def _out_existing_file(root: Path, inputs: Inputs) -> Spec:
    cwd = workdir(root)
    (cwd / "results.txt").write_text("not a folder\n")
    return Spec(["generate", "training_small", "--out", str(cwd / "results.txt"), *SMALL], cwd)


def _out_existing_file_force(root: Path, inputs: Inputs) -> Spec:
    spec = _out_existing_file(root, inputs)
    spec.args.append("--force")
    return spec


def _out_under_file(root: Path, inputs: Inputs) -> Spec:
    """An unwritable destination that holds even for root: a path below a regular file."""
    cwd = workdir(root)
    (cwd / "somefile").write_text("a file, not a folder\n")
    return Spec(["generate", "training_small", "--out", str(cwd / "somefile" / "run"), *SMALL], cwd)


def _out_cwd(force: bool):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        (cwd / "thesis.tex").write_text("months of work\n")
        (cwd / "data").mkdir()
        (cwd / "data" / "notes.csv").write_text("a,b\n1,2\n")
        return Spec(["generate", "training_small", "--out", ".", *SMALL, *(["--force"] if force else [])], cwd)
    return build


def _out_home(force: bool):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        home = root / "home"
        (home / ".bashrc").write_text("export PS1='$ '\n")
        (home / "Documents").mkdir(exist_ok=True)
        (home / "Documents" / "cv.txt").write_text("a CV\n")
        return Spec(["generate", "training_small", "--out", str(home), *SMALL, *(["--force"] if force else [])], cwd)
    return build


def _existing_run(force: bool):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        copy_run(inputs, cwd / "run")
        args = ["generate", "training_small", "--out", str(cwd / "run"), *SMALL]
        return Spec(args + (["--force"] if force else []), cwd, dest=cwd / "run" if force else None)
    return build


def _existing_other_folder(force: bool):
    def build(root: Path, inputs: Inputs) -> Spec:
        cwd = workdir(root)
        (cwd / "photos").mkdir()
        (cwd / "photos" / "cat.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
        args = ["generate", "training_small", "--out", str(cwd / "photos"), *SMALL]
        return Spec(args + (["--force"] if force else []), cwd)
    return build


def _existing_empty_folder(root: Path, inputs: Inputs) -> Spec:
    """An empty folder someone made: generating into it without --force must be refused or fill it."""
    cwd = workdir(root)
    (cwd / "empty").mkdir()
    return Spec(["generate", "training_small", "--out", str(cwd / "empty"), *SMALL], cwd, dest=cwd / "empty")


def _unknown_profile(root: Path, inputs: Inputs) -> Spec:
    cwd = workdir(root)
    return Spec(["generate", "traning_small", "--out", str(cwd / "run"), *SMALL], cwd)


H1 = "H1"
CASES = [
    Case("families_zero", _opts(families="0"), names=("--families",), owner=H1),
    Case("families_negative", _opts(families="-5"), names=("--families",), owner=H1),
    Case("families_enormous", _opts(families=str(10**12)), names=("--families",), owner=H1, max_seconds=5),
    Case("families_not_a_number", _opts(families="many"), names=("--families",), owner=H1),
    Case("seed_minus_1", _opts("--seed", "-1"), codes=(0, 2), names=("--seed",), owner=H1),
    Case("seed_not_a_number", _opts("--seed", "abc"), names=("--seed",), owner=H1),
    Case("seed_enormous", _opts("--seed", str(2**70)), codes=(0, 2), names=("--seed",), owner=H1),
    Case("workers_zero", _opts("--workers", "0"), names=("--workers",), owner=H1),
    Case("workers_negative", _opts("--workers", "-3"), names=("--workers",), owner=H1),
    Case("format_xml", _opts("--format", "xml"), names=("xml",), owner=H1),
    Case("format_empty", _opts("--format", ","), names=("--format",), owner=H1),
    Case("engine_unknown", _opts("--engine", "spark"), names=("--engine",), owner=H1),
    Case("agencies_unknown", _opts("--agencies", "nope"), names=("nope",), owner=H1),
    Case("agencies_one_unknown", _opts("--agencies", "cafcass_england,cafcass_englnd"),
         names=("cafcass_englnd",), owner=H1),
    Case("agencies_cafcass_england_alone", _opts("--agencies", "cafcass_england", families="40"), codes=(0,),
         owner="H2"),
    Case("agencies_cafcass_england_validated", lambda r, i: _validated(r, i), codes=(0,), owner="H2"),
    Case("unknown_profile", _unknown_profile, names=("traning_small",), owner="H4"),
    Case("out_existing_file", _out_existing_file, names=("results.txt",), owner=H1),
    Case("out_existing_file_force", _out_existing_file_force, names=("results.txt",), owner=H1),
    Case("out_under_a_file", _out_under_file, names=("somefile",), owner=H1),
    Case("out_cwd_no_force", _out_cwd(False), names=("--out",), owner=H1),
    Case("out_cwd_force", _out_cwd(True), names=("--out",), owner=H1),
    Case("out_home_no_force", _out_home(False), names=("--out",), owner=H1),
    Case("out_home_force", _out_home(True), names=("--out",), owner=H1),
    Case("existing_run_no_force", _existing_run(False), names=("--force",), owner=H1),
    Case("existing_run_force", _existing_run(True), codes=(0,), owner=H1),
    Case("existing_other_folder_no_force", _existing_other_folder(False), names=("photos",), owner=H1),
    Case("existing_other_folder_force", _existing_other_folder(True), names=("photos",), owner=H1),
    Case("existing_empty_folder", _existing_empty_folder, codes=(0, 2), names=("empty",), owner=H1),
]


def _validated(root: Path, inputs: Inputs) -> Spec:
    """--agencies cafcass_england with validation: checks needing Cymru are skipped, so exit 0."""
    cwd = workdir(root)
    return Spec(["generate", "training_small", "--families", "60", "--agencies", "cafcass_england", "--out",
                 str(cwd / "run"), "--no-duckdb", "-q"], cwd, dest=cwd / "run")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_generate_option(case, outcomes, inputs):
    check(case, outcomes[case.id], inputs)
