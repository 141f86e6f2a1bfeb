"""SDV multi-table metadata derived from the shipped profile."""

from __future__ import annotations

import json

import pytest

from synth.export.sdv_metadata import FILE_NAME, METADATA_SPEC_VERSION, sdv_metadata, write_sdv_metadata
from synth.profile.loader import load_profile
from synth.profile.models import Agency

ALLOWED_COLUMN_KEYS = {
    "id": {"regex_format"},
    "categorical": {"order", "order_by"},
    "numerical": {"computer_representation"},
    "datetime": {"datetime_format"},
    "boolean": set(),
}


@pytest.fixture(scope="module")
def profile():
    return load_profile("england_wales").profile


@pytest.fixture(scope="module")
def exported(profile):
    return {key: sdv_metadata(agency) for key, agency in profile.agencies.items()}


def test_every_table_and_column_appears(profile, exported):
    for key, agency in profile.agencies.items():
        meta, _ = exported[key]
        assert set(meta) == {"METADATA_SPEC_VERSION", "tables", "relationships"}
        assert meta["METADATA_SPEC_VERSION"] == METADATA_SPEC_VERSION
        assert list(meta["tables"]) == [t.name for t in agency.tables.values()]
        for table in agency.tables.values():
            spec = meta["tables"][table.name]
            assert list(spec["columns"]) == [c.name for c in table.columns]
            assert set(spec) <= {"primary_key", "columns"}


def test_column_specs_are_valid_sdv(exported):
    for meta, _ in exported.values():
        for spec in meta["tables"].values():
            for name, col in spec["columns"].items():
                sdtype = col["sdtype"]
                assert sdtype in ALLOWED_COLUMN_KEYS, (name, sdtype)
                assert set(col) - {"sdtype"} <= ALLOWED_COLUMN_KEYS[sdtype], (name, col)


def test_single_column_keys_are_primary_keys(profile, exported):
    for key, agency in profile.agencies.items():
        meta, notes = exported[key]
        for table in agency.tables.values():
            spec = meta["tables"][table.name]
            if len(table.key) == 1:
                assert spec["primary_key"] == table.key[0]
                assert spec["columns"][table.key[0]] == {"sdtype": "id"}
            else:
                assert "primary_key" not in spec
                assert all(spec["columns"][k]["sdtype"] == "id" for k in table.key)
                assert any(n.startswith(f"{table.name}: composite key") for n in notes)


def test_relationships_point_at_existing_keys(exported):
    n = 0
    for meta, _ in exported.values():
        tables = meta["tables"]
        used = set()
        for rel in meta["relationships"]:
            assert list(rel) == ["parent_table_name", "parent_primary_key", "child_table_name", "child_foreign_key"]
            parent, child = tables[rel["parent_table_name"]], tables[rel["child_table_name"]]
            assert parent["primary_key"] == rel["parent_primary_key"]
            assert rel["child_foreign_key"] in child["columns"]
            assert child["columns"][rel["child_foreign_key"]]["sdtype"] == parent["columns"][parent["primary_key"]][
                "sdtype"] == "id"
            assert child.get("primary_key") != rel["child_foreign_key"]
            assert (rel["child_table_name"], rel["child_foreign_key"]) not in used
            used.add((rel["child_table_name"], rel["child_foreign_key"]))
            n += 1
    assert n > 0


def test_composite_foreign_keys_are_noted_not_exported(profile, exported):
    meta, notes = exported["cafcass_england"]
    rel_table = profile.agencies["cafcass_england"].tables["relationship"].name
    assert all(r["child_table_name"] != rel_table for r in meta["relationships"])
    assert any(n.startswith(f"{rel_table}(case_id, child_id) -> child_subject") and "skipped" in n for n in notes)


def test_datetime_columns_have_formats(profile, exported):
    seen = set()
    for key, agency in profile.agencies.items():
        meta, _ = exported[key]
        for table in agency.tables.values():
            for col in table.columns:
                spec = meta["tables"][table.name]["columns"][col.name]
                if spec["sdtype"] == "datetime":
                    assert spec["datetime_format"]
                if col.type in ("date", "datetime") and spec["sdtype"] != "id":
                    assert spec["sdtype"] == "datetime"
                    want = "%Y-%m-%d" if col.type == "date" else "%Y-%m-%d %H:%M:%S"
                    assert spec["datetime_format"] == want
                    seen.add(col.type)
    assert seen == {"date", "datetime"}


def test_type_mapping():
    agency = Agency.model_validate({
        "title": "Test", "schema_name": "t", "id_salt": "s",
        "tables": {
            "parent": {"name": "PARENT", "rows": "proceeding", "key": ["pid"], "columns": [
                {"name": "pid", "type": "int64", "id": "case", "field": "proceeding_id"},
                {"name": "code", "type": "int64", "field": "x", "codes": [1, 2]},
                {"name": "label", "type": "string", "field": "y"},
                {"name": "score", "type": "float64", "field": "z"},
                {"name": "count", "type": "int64", "field": "w"},
                {"name": "flag", "type": "bool", "field": "v"},
                {"name": "when", "type": "datetime", "field": "u"},
            ]},
            "child": {"name": "CHILD", "rows": "person", "key": ["pid", "n"],
                      "foreign_keys": [{"columns": ["pid"], "references": "parent", "ref_columns": ["pid"]},
                                       {"columns": ["pid", "n"], "references": "parent",
                                        "ref_columns": ["pid", "code"]},
                                       {"columns": ["n"], "references": "missing", "ref_columns": ["pid"]}],
                      "columns": [{"name": "pid", "type": "int64", "field": "proceeding_id"},
                                  {"name": "n", "type": "string", "field": "n"}]},
        },
    })
    meta, notes = sdv_metadata(agency)
    cols = meta["tables"]["PARENT"]["columns"]
    assert cols["pid"] == {"sdtype": "id"}
    assert cols["code"] == {"sdtype": "categorical"}
    assert cols["label"] == {"sdtype": "categorical"}
    assert cols["score"]["sdtype"] == "numerical" and cols["count"]["sdtype"] == "numerical"
    assert cols["flag"] == {"sdtype": "boolean"}
    assert cols["when"] == {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"}
    assert meta["tables"]["CHILD"]["columns"]["n"] == {"sdtype": "id"}
    assert meta["relationships"] == [{"parent_table_name": "PARENT", "parent_primary_key": "pid",
                                      "child_table_name": "CHILD", "child_foreign_key": "pid"}]
    assert len(notes) == 3  # composite key of CHILD, composite foreign key, unknown table


def test_json_and_file(profile, exported, tmp_path):
    json.dumps(exported)
    path = write_sdv_metadata(tmp_path, profile.agencies)
    assert path == tmp_path / FILE_NAME
    body = json.loads(path.read_text(encoding="utf-8"))
    assert list(body) == ["agencies", "notes"]
    assert list(body["agencies"]) == list(profile.agencies)
    for key in profile.agencies:
        assert body["agencies"][key] == exported[key][0]
        assert body["notes"][key] == exported[key][1]
    other = write_sdv_metadata(tmp_path / "sub" / "meta.json", profile.agencies)
    assert other.is_file() and other.name == "meta.json"


def test_sdv_accepts_it(exported):
    pytest.importorskip("sdv")
    from sdv.metadata import Metadata

    for meta, _ in exported.values():
        Metadata.load_from_dict(meta).validate()
