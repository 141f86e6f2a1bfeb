"""SAIL column types (``sql_type``) and the id naming era (``linkage.ids``) as a user meets them.

The comparisons are the ones public SAIL code makes on the CAFW ALF table (schemas.md 1.2-1.3:
``alf_sts_cd IN (4, 39, 35)``, ``gndr_cd = 2``, ``alf_mtch_pct >= 0.7``, ``alf_sts_cd != 99``); on
the stored CHAR / DECIMAL columns DuckDB must give the counts the numbers give.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from pydantic import ValidationError

from synth.errors import ProfileError
from synth.export.arrow import read_schema
from synth.pipeline import generate
from synth.profile.find import shipped_dir
from synth.profile.loader import load_profile, with_agencies
from synth.profile.models import Column
from synth.validate.runner import validate
from tests.conftest import Run

FAMILIES = 400
DEFAULT = (shipped_dir() / "england_wales.yaml").resolve()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The two eras: wales_sail (PE) and england_wales (E), SAIL agencies only."""
    out = {}
    for era, name in (("PE", "wales_sail"), ("E", "england_wales")):
        loaded = with_agencies(load_profile(name), ["cafcass_cymru", "wds"])
        path = tmp_path_factory.mktemp(f"sql-types-{era}") / "run"
        generate(loaded, path, families=FAMILIES)
        out[era] = Run(path, loaded)
    return out


# --- the profile setting ---------------------------------------------------------------------------


def test_sql_type_is_normalised_and_checked_against_type():
    col = Column(name="X", type="float64", field="f", sql_type="decimal( 7, 6 )")
    assert col.sql_type == "DECIMAL(7,6)"
    with pytest.raises(ValidationError, match="not one of BIGINT"):
        Column(name="X", type="string", field="f", sql_type="NUMBER(3)")
    with pytest.raises(ValidationError, match="cannot hold type date"):
        Column(name="X", type="date", field="f", sql_type="CHAR(1)")
    with pytest.raises(ValidationError, match="s <= p"):
        Column(name="X", type="float64", field="f", sql_type="DECIMAL(2,4)")


def _child(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "child.yaml"
    p.write_text(f"extends: {DEFAULT}\nname: child\n{body}")
    return p


def test_a_type_mismatch_is_a_profile_error_naming_the_column(tmp_path):
    p = _child(tmp_path, "agencies:\n  cafcass_cymru:\n    tables:\n      alf:\n        columns:\n"
               "          - {name: SYSTEM_ID_E, type: int64, id: person, field: agency_person_id}\n"
               "          - {name: WOB, type: date, sql_type: BIGINT, field: date_of_birth}\n")
    with pytest.raises(ProfileError) as info:
        load_profile(p)
    (where, loc, msg), = info.value.problems
    assert loc == "agencies.cafcass_cymru.tables.alf.columns[1]" and "sql_type BIGINT cannot hold type date" in msg


def test_a_pe_name_written_in_a_sail_dataset_is_refused(tmp_path):
    p = _child(tmp_path, "agencies:\n  wds:\n    tables:\n      ar_pers:\n        columns:\n"
               "          - {name: PERS_ID_E, type: int64, id: person, field: agency_person_id}\n"
               "          - {name: ALF_PE, type: int64, field: person_id, transforms: [alf]}\n")
    with pytest.raises(ProfileError) as info:
        load_profile(p)
    assert [(loc, "'ALF_E'" in msg) for _, loc, msg in info.value.problems] == [
        ("agencies.wds.tables.ar_pers.columns[1].name", True)]


def test_the_era_renames_every_sail_dataset_alike_and_nothing_else():
    e, pe = load_profile("england_wales").profile, load_profile("wales_sail").profile

    def renamed(name: str) -> str:  # ALF_E -> ALF_PE, record1id_e -> record1id_pe, WOB unchanged
        return name[:-1] + {"E": "PE", "e": "pe"}[name[-1]] if name.upper().endswith("_E") else name

    for akey in ("cafcass_cymru", "wds"):
        for tkey, t in e.agencies[akey].tables.items():
            t_pe = pe.agencies[akey].tables[tkey]
            for a, b in zip(t.columns, t_pe.columns, strict=True):
                assert b.name == renamed(a.name)
            assert [renamed(k) for k in t.key] == t_pe.key
            for fk, fk_pe in zip(t.foreign_keys, t_pe.foreign_keys, strict=True):
                assert [renamed(c) for c in fk.columns + fk.ref_columns] == fk_pe.columns + fk_pe.ref_columns
    assert not any(c.name.endswith("_PE") for t in e.agencies["wds"].tables.values() for c in t.columns)
    fm_e, fm_pe = e.agencies["familyman"], pe.agencies["familyman"]  # not a SAIL dataset: untouched
    assert [c.name for t in fm_e.tables.values() for c in t.columns] == \
        [c.name for t in fm_pe.tables.values() for c in t.columns]


# --- the generated files ---------------------------------------------------------------------------


def _alf_name(run) -> str:
    return run.profile.agencies["cafcass_cymru"].tables["alf"].name


def test_parquet_stores_the_sail_types(runs):
    run = runs["PE"]
    schema = read_schema(run.path / "cafcass_cymru" / f"{_alf_name(run)}")
    assert schema.field("SYSTEM_ID_PE").type == pa.int64() and schema.field("ALF_PE").type == pa.int64()
    assert schema.field("ALF_STS_CD").type == pa.string() and schema.field("GNDR_CD").type == pa.string()
    assert schema.field("ALF_MTCH_PCT").type == pa.decimal128(7, 6)
    alf = run.table("cafcass_cymru", _alf_name(run))
    assert set(alf["GNDR_CD"].dropna()) == {"1", "2"}
    assert set(alf["ALF_STS_CD"]) <= {"1", "4", "35", "39", "99"} and {"1", "99"} <= set(alf["ALF_STS_CD"])
    assert alf["ALF_MTCH_PCT"].isna().any()  # null kept for deterministic matches and non-matches
    assert all(v.as_tuple().exponent == -6 for v in alf["ALF_MTCH_PCT"].dropna())


@pytest.mark.parametrize("era", ["E", "PE"])
def test_duckdb_answers_sail_comparisons_on_char_and_decimal(runs, era):
    run = runs[era]
    alf = run.table("cafcass_cymru", _alf_name(run))
    sts = alf["ALF_STS_CD"].astype(int)
    pct = alf["ALF_MTCH_PCT"].astype(float)
    want = {"alf_sts_cd IN (4, 39, 35)": sts.isin([4, 39, 35]).sum(),
            "alf_sts_cd IN (1,4,39)": sts.isin([1, 4, 39]).sum(),
            "gndr_cd = 2": (alf["GNDR_CD"] == "2").sum(),
            "alf_mtch_pct >= 0.7": (pct >= 0.7).sum(),
            "(alf_mtch_pct IS NULL OR alf_mtch_pct >= 0.7) AND alf_sts_cd IN (4, 39, 35)":
                (sts.isin([4, 39, 35]) & (pct.isna() | (pct >= 0.7))).sum(),
            "alf_sts_cd != 99": (sts != 99).sum()}
    con = duckdb.connect(str(run.path / "synth.duckdb"), read_only=True)
    try:
        for where, n in want.items():
            got = con.execute(f"SELECT count(*) FROM SAIL0000V.{_alf_name(run)} WHERE {where}").fetchone()[0]
            assert got == n and n > 0, where
        # The comment starts with the declared SQL type ("CHAR(2): <dictionary description>").
        declared = {c: comment.split(":", 1)[0] for c, comment in con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? AND comment IS NOT NULL",
            [_alf_name(run)]).fetchall()}
    finally:
        con.close()
    alf_col = f"ALF_{era}"
    assert declared == {f"SYSTEM_ID_{era}": "BIGINT", alf_col: "BIGINT", "ALF_STS_CD": "CHAR(2)",
                        "ALF_MTCH_PCT": "DECIMAL(7,6)", "WOB": "DATE", "GNDR_CD": "CHAR(1)", "LSOA2011_CD": "CHAR(10)"}


@pytest.mark.parametrize("era", ["E", "PE"])
def test_one_naming_for_every_sail_table_and_truth(runs, era):
    run = runs[era]
    other = "_PE" if era == "E" else "_E"
    for akey in ("cafcass_cymru", "wds"):
        for spec in run.profile.agencies[akey].tables.values():
            names = read_schema(run.path / akey / f"{spec.name}").names
            assert not [n for n in names if n.upper().endswith(other)], spec.name
    # The spine's ALF joins the Cafcass Cymru ALF of the same person; truth/links names it alike.
    alf = run.table("cafcass_cymru", _alf_name(run))
    pers = run.table("wds", run.profile.agencies["wds"].tables["ar_pers"].name)
    links = run.truth("links")
    assert f"true_alf_{era.lower()}" in links.columns
    m = alf.merge(links, left_on=f"SYSTEM_ID_{era}", right_on="agency_person_id").dropna(subset=[f"ALF_{era}"])
    correct = m[f"ALF_{era}"].astype("int64") == m[f"true_alf_{era.lower()}"]
    assert correct.mean() > 0.95 and m.loc[correct, f"ALF_{era}"].isin(pers[f"ALF_{era}"]).all()
    text = (run.path / "dictionary.md").read_text()
    assert f"| `ALF_{era}` | int64 | BIGINT |" in text and f"| `PERS_ID_{era}` |" in text


def test_validators_follow_the_renamed_columns(runs):
    for run in runs.values():
        results, _ = validate(run.path)
        integrity = [r for r in results if r.group == "integrity"]
        assert integrity and all(r.passed for r in integrity), [(r.name, r.table, r.column) for r in integrity
                                                                if not r.passed]
        fks = {r.column for r in integrity if r.name == "foreign_key_resolves"}
        assert f"cap_incidentid_{run.profile.linkage.ids.lower()}" in fks
