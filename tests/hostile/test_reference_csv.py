"""Hostile reference CSVs: a shipped profile's reference tables copied beside a child profile and broken.

The child profile (``extends: training_small``) sits in a folder whose ``reference/`` holds copies
of the shipped tables, so the copies are the ones read. ``synth profiles check`` and ``synth
generate`` must exit 2 with one line naming the CSV (and the column or key) and the fix.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from hostile.harness import Case, Inputs, Spec, check, workdir

SHIPPED = Path(__file__).resolve().parents[2] / "synth" / "profiles" / "reference"
LA = "local_authorities.csv"
VOL = "volumes_training.csv"  # the volumes training_small reads
LSOA = "lsoa.csv"


def _rows(text: str) -> tuple[str, list[str]]:
    lines = text.splitlines(keepends=True)
    return lines[0], lines[1:]


def _set_field(line: str, column: int, value: str) -> str:
    """``line`` with CSV field ``column`` replaced (fields before it hold no quoted commas)."""
    parts = line.split(",")
    parts[column] = value
    return ",".join(parts)


def latin1(text: str) -> bytes:
    head, rows = _rows(text)
    rows[0] = rows[0].replace("Hartlepool", "Hartlepo\u00f4l")
    return (head + "".join(rows)).encode("latin-1")


def duplicate_first(text: str) -> str:
    head, rows = _rows(text)
    return head + rows[0] + "".join(rows)


def la_weight(value: str):
    def edit(text: str) -> str:
        head, rows = _rows(text)
        return head + _set_field(rows[0], 5, value) + "".join(rows[1:])
    return edit


def la_all_weights_zero(text: str) -> str:
    head, rows = _rows(text)
    return head + "".join(_set_field(_set_field(r, 5, "0"), 6, "0") for r in rows)


def la_country(text: str) -> str:
    head, rows = _rows(text)
    return head + _set_field(rows[0], 2, "Narnia") + "".join(rows[1:])


def drop_column(name: str):
    def edit(text: str) -> str:
        import csv
        import io

        table = list(csv.reader(io.StringIO(text)))
        i = table[0].index(name)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r[:i] + r[i + 1:] for r in table])
        return out.getvalue()
    return edit


def header_only(text: str) -> str:
    return _rows(text)[0]


def junk(text: str) -> bytes:
    return random.Random(10).randbytes(4096)


def volume_cases(value: str):
    def edit(text: str) -> str:
        head, rows = _rows(text)
        return head + _set_field(rows[0], 3, value) + "".join(rows[1:])
    return edit


def lsoa_unknown_la(text: str) -> str:
    head, rows = _rows(text)
    return head + _set_field(rows[0], 1, "E99999999\n") + "".join(rows[1:])


#: id -> (file, edit(text) -> new contents, text the error must contain besides the file name)
BREAKS: dict[str, tuple] = {
    "la_latin1": (LA, latin1, ("utf-8",)),
    "la_duplicate_code": (LA, duplicate_first, ("E06000001",)),
    "la_weight_not_a_number": (LA, la_weight("lots"), ("public_weight",)),
    "la_weight_negative": (LA, la_weight("-5"), ("public_weight",)),
    "la_weight_nan": (LA, la_weight("nan"), ("public_weight",)),
    "la_weight_inf": (LA, la_weight("inf"), ("public_weight",)),
    "la_weights_all_zero": (LA, la_all_weights_zero, ("weight",)),
    "la_unknown_country": (LA, la_country, ("country",)),
    "la_missing_column": (LA, drop_column("private_weight"), ("private_weight",)),
    "la_empty_file": (LA, lambda t: "", ()),
    "la_header_only": (LA, header_only, ()),
    "la_binary_junk": (LA, junk, ()),
    "volumes_cases_not_a_number": (VOL, volume_cases("many"), ("count",)),
    "volumes_cases_negative": (VOL, volume_cases("-10"), ("count",)),
    "volumes_duplicate_row": (VOL, duplicate_first, ()),
    "volumes_missing_column": (VOL, drop_column("law_type"), ("law_type",)),
    "lsoa_unknown_la": (LSOA, lsoa_unknown_la, ("E99999999",)),
    "lsoa_empty_file": (LSOA, lambda t: "", ()),
}


def _write(root: Path, key: str) -> Path:
    name, edit, _ = BREAKS[key]
    folder = root / "prof"
    shutil.copytree(SHIPPED, folder / "reference")
    target = folder / "reference" / name
    new = edit(target.read_text(encoding="utf-8"))
    if isinstance(new, bytes):
        target.write_bytes(new)
    else:
        target.write_text(new, encoding="utf-8")
    path = folder / "hostile.yaml"
    path.write_text("extends: training_small\nname: hostile_reference\n", encoding="utf-8")
    return path


def _build(command: str, key: str):
    def build(root: Path, inputs: Inputs) -> Spec:
        path = _write(root, key)
        cwd = workdir(root)
        if command == "check":
            return Spec(["profiles", "check", str(path)], cwd)
        return Spec(["generate", str(path), "--families", "20", "--out", str(cwd / "run"), "--no-validate",
                     "--no-duckdb", "-q"], cwd, dest=cwd / "run")
    return build


#: Breaks that are one problem per country (each reported on its own line).
PER_COUNTRY = {"la_weights_all_zero": 3}
CASES = [Case(f"{cmd}-{key}", _build(cmd, key), names=(BREAKS[key][0], *BREAKS[key][2]), owner="H4",
              lines=PER_COUNTRY.get(key, 1))
         for key in BREAKS for cmd in ("check", "generate")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_broken_reference_csv(case, outcomes, inputs):
    check(case, outcomes[case.id], inputs)
