"""The run's Frictionless Data Package, ``datapackage.json`` (issue 15, point 7).

One resource per table (agency tables and the truth), its ``path`` the list of the table's part files
(Parquet, or CSV in a CSV-only run), with a Table Schema: every column with its Frictionless type,
its description from the profile (truth fields: synth.world.schema), its code list, the primary key
and the foreign keys the profile declares (truth: each ``<table>_id`` field points at that table).
Licence and sources are package properties; ``synthetic: true`` and the generator, profile and seed
label the package as synthetic. The ``frictionless`` library validates it (tests/export/test_datapackage.py).

Specification: https://datapackage.org/standard/data-package/ (Data Package v1, Table Schema v1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from synth.export.arrow import DIRTY_OUTPUTS, TRUTH_EXTRAS
from synth.export.destinations import GENERATOR
from synth.export.labels import LICENCE, created_label
from synth.profile.models import Column, Profile, Table, sql_base
from synth.world.schema import TRUTH_TABLES

#: Frictionless field type of each profile column type.
FIELD_TYPES = {"int64": "integer", "string": "string", "date": "date", "datetime": "datetime",
               "float64": "number", "bool": "boolean"}
#: Missing-value markers: an empty CSV cell, and ``nan``, which is how frictionless's Parquet reader
#: (through pandas) shows a null in an integer column.
MISSING = ["", "nan"]
#: Where the shapes and figures come from (entries of docs and reference/SOURCES.md).
SOURCES = [
    {"title": "Agency table shapes: the public specifications and code cited in each column's description",
     "path": "docs/layout.md"},
    {"title": "Reference CSVs (local authorities, DFJ areas, LSOAs, life table, nicknames)",
     "path": "synth/profiles/reference/SOURCES.md"},
]


def resource_name(folder: str, table: str) -> str:
    """A Data Package resource name (lower case, ``[-a-z0-9._]``): ``<folder>.<table>``."""
    return re.sub(r"[^-a-z0-9._]", "-", f"{folder}.{table}".lower())


def _field(col: Column) -> dict:
    typ = "number" if col.sql_type and sql_base(col.sql_type) == "DECIMAL" else FIELD_TYPES[col.type]
    field: dict = {"name": col.name, "type": typ, "description": col.description or "modelled"}
    if col.type == "datetime":
        field["format"] = "any"
    if col.sql_type:
        field["sqlType"] = col.sql_type
    if col.codes:
        field["codes"] = [str(c) for c in col.codes]  # documentation only: injected errors may stray
    return field


def agency_schema(agency_key: str, table: Table, tables: dict[str, Table]) -> dict:
    """Table Schema of an agency table: fields, primary key, foreign keys within the agency."""
    schema: dict = {"fields": [_field(c) for c in table.columns], "missingValues": MISSING}
    if table.key:
        schema["primaryKey"] = list(table.key)
    fks = []
    for fk in table.foreign_keys:
        parent = tables.get(fk.references)
        if parent is not None:
            fks.append({"fields": list(fk.columns),
                        "reference": {"resource": resource_name(agency_key, parent.name),
                                      "fields": list(fk.ref_columns)}})
    if fks:
        schema["foreignKeys"] = fks
    return schema


def truth_schema(name: str, fields: dict[str, str]) -> dict:
    """Table Schema of a truth table: the first field is its id; ``<t>_id`` fields point at truth table ``t``."""
    ids = {next(iter(f)): t for t, f in TRUTH_TABLES.items()}
    schema: dict = {"fields": [{"name": k, "type": FIELD_TYPES[v], "description":
                                f"truth table {name}, field {k} (modelled; synth.world.schema)"}
                               for k, v in fields.items()], "missingValues": MISSING}
    if name in TRUTH_TABLES:
        schema["primaryKey"] = [next(iter(fields))]
        fks = [{"fields": [k], "reference": {"resource": resource_name("truth", ids[k]), "fields": [k]}}
               for k in list(fields)[1:] if k in ids and ids[k] != name]
        if fks:
            schema["foreignKeys"] = fks
    return schema


def _paths(parts: Iterable[dict], key: str) -> tuple[list[str], str]:
    """The part paths of table ``key`` (Parquet when written, else CSV) and their format."""
    mine = [p for p in parts if p["table"] == key]
    fmt = "parquet" if any(p["format"] == "parquet" for p in mine) else "csv"
    return [p["path"] for p in mine if p["format"] == fmt], fmt


def build_datapackage(profile: Profile, parts: list[dict], *, profile_sha256: str, seed: int, families: int,
                      version: str, truth_names: Iterable[str] | None = None) -> dict:
    """The ``datapackage.json`` descriptor of a run.

    Args:
        profile: the run's profile (only the agencies it generated).
        parts: every part file (:func:`synth.export.manifest.list_parts`).
        profile_sha256: the profile's hash.
        seed: run seed.
        families: number of families.
        version: this package's version.
        truth_names: truth outputs to describe (default: every one with parts).
    """
    resources = []
    for akey, agency in profile.agencies.items():
        for table in agency.tables.values():
            paths, fmt = _paths(parts, f"{akey}/{table.name}")
            if paths:
                resources.append(_resource(resource_name(akey, table.name), paths, fmt,
                                           f"SYNTHETIC {agency.title}: {table.description or table.name}",
                                           agency_schema(akey, table, agency.tables)))
    all_truth = {**TRUTH_TABLES, **TRUTH_EXTRAS, **DIRTY_OUTPUTS}  # quality_issues: only a --dirty run has parts
    for name in truth_names or all_truth:
        paths, fmt = _paths(parts, f"truth/{name}")
        if paths:
            resources.append(_resource(resource_name("truth", name), paths, fmt,
                                       f"SYNTHETIC ground truth: {name} (not an agency extract)",
                                       truth_schema(name, all_truth[name])))
    return {
        "name": resource_name(profile.name, f"s{seed}-f{families}"),
        "title": f"SYNTHETIC family-justice data: profile {profile.name}, seed {seed}, {families} families",
        "description": ("Synthetic data made by a simulation calibrated to published aggregate statistics; it "
                        "describes no real person, family or case. See README_SYNTHETIC.txt in each folder."),
        "synthetic": True, "generator": GENERATOR, "generator_version": version, "synth_profile": profile.name,
        "profile_sha256": profile_sha256, "seed": seed, "created_from": created_label(profile_sha256, seed),
        "licenses": [{"name": LICENCE, "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}],
        "sources": SOURCES,
        "resources": resources,
    }


def _resource(name: str, paths: list[str], fmt: str, title: str, schema: dict) -> dict:
    res: dict = {"name": name, "path": paths if len(paths) > 1 else paths[0], "title": title,
                 "format": fmt, "mediatype": "application/vnd.apache.parquet" if fmt == "parquet" else "text/csv",
                 "schema": schema}
    if fmt == "csv":
        res["encoding"] = "utf-8"
        res["dialect"] = {"header": True, "delimiter": ","}
    return res


def write_datapackage(path: Path, profile: Profile, parts: list[dict], *, profile_sha256: str, seed: int,
                      families: int, version: str) -> None:
    """Write ``datapackage.json`` (see :func:`build_datapackage`)."""
    doc = build_datapackage(profile, parts, profile_sha256=profile_sha256, seed=seed, families=families,
                            version=version)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
