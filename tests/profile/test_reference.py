"""Reference CSVs are checked like the YAML: each problem with the file, the line and the fix, all at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from synth.errors import ProfileError
from synth.profile.find import shipped_dir
from synth.profile.loader import load_profile
from synth.profile.reference import TABLES, check_table, read_reference

REFERENCE = shipped_dir() / "reference"
FILES = {"local_authorities": "local_authorities.csv", "lsoas": "lsoa.csv", "volumes": "volumes.csv",
         "nicknames": "nicknames.csv", "dfj_areas": "dfj_areas.csv"}


@pytest.fixture
def folder(tmp_path) -> Path:
    """A child profile of training_small whose reference/ folder holds copies of the shipped tables."""
    shutil.copytree(REFERENCE, tmp_path / "reference")
    # training_small reads its own volumes_training.csv; the child reads the shared volumes.csv the tests break.
    (tmp_path / "child.yaml").write_text("extends: training_small\nname: child\nworld:\n  volumes:\n"
                                         "    file: reference/volumes.csv\n    source: stats.md 1a\n", encoding="utf-8")
    return tmp_path


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def set_field(line: str, column: int, value: str) -> str:
    parts = line.split(",")
    parts[column] = value
    return ",".join(parts)


def problems(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    return info.value.problems


@pytest.mark.parametrize("table", sorted(FILES))
def test_every_shipped_table_passes_its_checks(table):
    frame, found = check_table(REFERENCE / FILES[table], table)
    assert found == []
    assert list(frame.columns[: len(TABLES[table].columns)]) == list(TABLES[table].column_names)


def test_checked_reader_gives_the_frames_pandas_gave():
    la = read_reference(REFERENCE / "local_authorities.csv", "local_authorities")
    before = pd.read_csv(REFERENCE / "local_authorities.csv", dtype={"la_code": str})
    pd.testing.assert_frame_equal(la, before)
    vol = read_reference(REFERENCE / "volumes.csv", "volumes")
    pd.testing.assert_frame_equal(vol, pd.read_csv(REFERENCE / "volumes.csv"))
    pd.testing.assert_frame_equal(read_reference(REFERENCE / "lsoa.csv", "lsoas"),
                                  pd.read_csv(REFERENCE / "lsoa.csv", dtype=str))


def test_latin1_file_is_one_line_naming_the_file_and_offset(folder):
    p = folder / "reference" / "local_authorities.csv"
    data = p.read_bytes().replace(b"Hartlepool", "Hartlepo\u00f4l".encode("latin-1"))
    p.write_bytes(data)
    offset = data.index(b"\xf4")
    assert problems(folder / "child.yaml") == [
        (str(p.resolve()), "line 2", f"not UTF-8 text (byte 0xf4 at offset {offset}); save the file as UTF-8")]


def test_duplicate_la_code_names_both_lines(folder):
    p = folder / "reference" / "local_authorities.csv"
    ls = lines(p)
    p.write_text(ls[0] + ls[1] + "".join(ls[1:]), encoding="utf-8")
    assert problems(folder / "child.yaml") == [
        (str(p.resolve()), "lines 2, 3",
         "la_code 'E06000001' is given more than once; keep one row per la_code")]


def test_non_numeric_and_negative_weights_are_reported_together(folder):
    p = folder / "reference" / "local_authorities.csv"
    ls = lines(p)
    ls[1] = set_field(ls[1], 5, "lots")
    ls[2] = set_field(ls[2], 6, "-5")
    ls[4] = set_field(ls[4], 2, "Narnia")
    p.write_text("".join(ls), encoding="utf-8")
    where = str(p.resolve())
    assert problems(folder / "child.yaml") == [
        (where, "line 5", "country is not a known value ('Narnia'); use one of England, Wales"),
        (where, "line 2", "public_weight is not a finite number ('lots'); give a number >= 0"),
        (where, "line 3", "private_weight is below 0 ('-5'); give a value >= 0"),
    ]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_weight_is_refused(folder, value):
    p = folder / "reference" / "local_authorities.csv"
    ls = lines(p)
    ls[1] = set_field(ls[1], 5, value)
    p.write_text("".join(ls), encoding="utf-8")
    (_, where, msg), = problems(folder / "child.yaml")
    assert (where, msg) == ("line 2", f"public_weight is not a finite number ('{value}'); give a number >= 0")


def test_missing_and_unknown_columns_name_the_header(folder):
    p = folder / "reference" / "volumes.csv"
    frame = pd.read_csv(p).drop(columns=["law_type"]).rename(columns={"source": "sauce"})
    frame.to_csv(p, index=False)
    assert problems(folder / "child.yaml") == [
        (str(p.resolve()), "line 1", "missing column(s) law_type; add them to the header "
                                     "(columns: fy, country, law_type; with cases or count and unit)"),
        (str(p.resolve()), "line 1", "unknown column(s) sauce; remove or rename them "
                                     "(valid columns: fy, country, law_type, cases, count, unit, per_case, source, "
                                     "assumption, note)"),
    ]


def test_wrong_field_count_and_empty_files(tmp_path):
    p = tmp_path / "lsoa.csv"
    p.write_text("lsoa_code,la_code\nE01000001,E09000001\nE01000002\n", encoding="utf-8")
    assert check_table(p, "lsoas") == (None, [(str(p), "line 3", "1 fields where the header has 2; fix the commas "
                                                                  "(quote a value that holds one)")])
    p.write_text("", encoding="utf-8")
    assert check_table(p, "lsoas")[1] == [(str(p), "", "file is empty; it needs the header line "
                                                       "lsoa_code,la_code and rows")]
    p.write_text("lsoa_code,la_code\n", encoding="utf-8")
    assert check_table(p, "lsoas")[1] == [(str(p), "", "has a header but no rows; add the table's rows")]


def test_fractional_year_and_empty_value(tmp_path):
    p = tmp_path / "volumes.csv"
    p.write_text("fy,country,law_type,cases\n2016.5,England,public,10\n2017,,public,10\n", encoding="utf-8")
    assert check_table(p, "volumes")[1] == [
        (str(p), "line 2", "fy is not a whole number ('2016.5'); give a whole number"),
        (str(p), "line 3", "country is empty; fill it in"),
    ]


def test_lsoa_of_an_unknown_la_and_a_country_without_weight(folder):
    lsoa = folder / "reference" / "lsoa.csv"
    ls = lines(lsoa)
    ls[1] = set_field(ls[1], 1, "E99999999\n")
    lsoa.write_text("".join(ls), encoding="utf-8")
    la = folder / "reference" / "local_authorities.csv"
    ls = lines(la)
    la.write_text(ls[0] + "".join(set_field(r, 5, "0") if ",Wales," in r else r for r in ls[1:]), encoding="utf-8")
    assert problems(folder / "child.yaml") == [
        (str(lsoa.resolve()), "line 2", "la_code 'E99999999' is not in local_authorities.csv; use a la_code of "
                                        "that table or add the local authority"),
        (str(la.resolve()), "", "no local authority in Wales has public_weight > 0 and an LSOA; give at least "
                                "one a positive weight"),
    ]


def test_years_of_the_period_without_volumes(folder):
    p = folder / "reference" / "volumes.csv"
    frame = pd.read_csv(p)
    frame[frame["fy"] != 2020].to_csv(p, index=False)
    (where, loc, msg), = problems(folder / "child.yaml")
    assert (where, loc) == (str(p.resolve()), "")
    assert msg == ("no cases for fy 2020 England public; 2020 England private; 2020 Wales public; 2020 Wales "
                   "private of the profile's period; add those rows (fy, country, law_type, cases)")


def test_broken_reference_fails_generation_cleanly(folder):
    from click.testing import CliRunner

    from synth.cli.main import cli

    p = folder / "reference" / "local_authorities.csv"
    ls = lines(p)
    p.write_text(ls[0] + ls[1] + "".join(ls[1:]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["profiles", "check", str(folder / "child.yaml")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        f"error: {p.resolve()}: lines 2, 3: la_code 'E06000001' is given more than once; keep one row per la_code"]
