"""SDV multi-table metadata for each agency's extract, derived from the profile.

The metadata follows SDV's multi-table JSON spec (``METADATA_SPEC_VERSION: "V1"``, the format
``sdv.metadata.Metadata`` reads and writes): ``tables`` maps each physical table name to its
``primary_key`` and ``columns`` (each with an ``sdtype``), and ``relationships`` lists
parent/child key pairs. Column types map as follows:

- key, foreign key and ``id:`` columns -> ``id``;
- columns with a code list, other strings and constants -> ``categorical``;
- ``date`` -> ``datetime`` (``%Y-%m-%d``); ``datetime`` -> ``datetime`` (``%Y-%m-%d %H:%M:%S``);
- ``float64`` and other ``int64`` -> ``numerical``; ``bool`` -> ``boolean``.

SDV knows single-column primary keys only. A table with a composite key (for example
``child_subject``: ``case_id`` + ``child_id``) gets no primary key, its key columns stay ``id``
columns, and a foreign key that points at it (or has several columns) is left out. Relationships
SDV would reject (a foreign key column used twice, a foreign key inside the child's own primary
key, a cycle) are left out too. Each omission is explained in a list of notes returned beside the
metadata, because SDV's loader refuses keys it does not know.

``write_sdv_metadata`` writes one file, ``metadata.sdv.json``::

    {"agencies": {"cafcass_cymru": {...SDV metadata...}, ...},
     "notes": {"cafcass_cymru": ["...", ...], ...}}

To use one agency with SDV::

    import json
    from sdv.metadata import Metadata

    data = json.loads(Path("metadata.sdv.json").read_text())
    metadata = Metadata.load_from_dict(data["agencies"]["cafcass_cymru"])
    metadata.validate()

The table names are the physical names of the files in the run folder
(``<run>/cafcass_cymru/CAFW_CASE_20240630.parquet`` is table ``CAFW_CASE_20240630``).
"""

from __future__ import annotations

import json
from pathlib import Path

from synth.profile.models import Agency, Column, Table

METADATA_SPEC_VERSION = "V1"
FILE_NAME = "metadata.sdv.json"
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def id_columns(table: Table) -> set[str]:
    """Columns that hold identifiers: declared ids, key columns and foreign key columns."""
    ids = {c.name for c in table.columns if c.id is not None}
    # SAIL's encrypted linking fields (ALF_PE, *_E) are identifiers too.
    ids.update(c.name for c in table.columns if c.type == "int64" and c.name.upper().endswith(("_E", "_PE")))
    ids.update(table.key)
    for fk in table.foreign_keys:
        ids.update(fk.columns)
    return ids


def _column_metadata(col: Column, is_id: bool) -> dict:
    """The SDV column spec of one profile column."""
    if is_id:
        return {"sdtype": "id"}
    if col.type == "date":
        return {"sdtype": "datetime", "datetime_format": DATE_FORMAT}
    if col.type == "datetime":
        return {"sdtype": "datetime", "datetime_format": DATETIME_FORMAT}
    if col.type == "bool":
        return {"sdtype": "boolean"}
    if col.codes is not None or col.type == "string" or col.const is not None:
        return {"sdtype": "categorical"}
    return {"sdtype": "numerical"}


def _reaches(children: dict[str, set[str]], start: str, target: str) -> bool:
    """Whether ``target`` can be reached from ``start`` following parent -> child edges."""
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(children.get(node, ()))
    return False


def sdv_metadata(agency: Agency) -> tuple[dict, list[str]]:
    """SDV multi-table metadata of one agency's tables.

    Args:
        agency: the agency as declared in the profile.

    Returns:
        ``(metadata, notes)``: the metadata dict, loadable with
        ``sdv.metadata.Metadata.load_from_dict``, and one sentence per key or relationship that
        could not be expressed in SDV's format (composite keys and the like).
    """
    tables: dict[str, dict] = {}
    primary: dict[str, str] = {}
    notes: list[str] = []
    for table in agency.tables.values():
        ids = id_columns(table)
        spec: dict = {}
        if len(table.key) == 1:
            spec["primary_key"] = table.key[0]
            primary[table.name] = table.key[0]
        else:
            notes.append(f"{table.name}: composite key ({', '.join(table.key)}) has no SDV primary key; "
                         "its columns are typed id")
        spec["columns"] = {c.name: _column_metadata(c, c.name in ids) for c in table.columns}
        tables[table.name] = spec

    relationships: list[dict] = []
    children: dict[str, set[str]] = {}
    used: set[tuple[str, str]] = set()
    for table in agency.tables.values():
        for fk in table.foreign_keys:
            parent_spec = agency.tables.get(fk.references)
            what = f"{table.name}({', '.join(fk.columns)}) -> {fk.references}({', '.join(fk.ref_columns)})"
            if parent_spec is None:
                notes.append(f"{what}: skipped, no table {fk.references!r} in this agency")
                continue
            parent = parent_spec.name
            if len(fk.columns) != 1 or len(fk.ref_columns) != 1:
                notes.append(f"{what}: skipped, SDV relationships have one column on each side")
                continue
            if primary.get(parent) != fk.ref_columns[0]:
                notes.append(f"{what}: skipped, {fk.ref_columns[0]} is not the single-column primary key "
                             f"of {parent}")
                continue
            child_key = fk.columns[0]
            if primary.get(table.name) == child_key:
                notes.append(f"{what}: skipped, SDV does not allow a foreign key that is the child's primary key")
                continue
            if (table.name, child_key) in used:
                notes.append(f"{what}: skipped, SDV allows a foreign key column in one relationship only")
                continue
            if _reaches(children, table.name, parent):
                notes.append(f"{what}: skipped, it would make the relationships circular")
                continue
            used.add((table.name, child_key))
            children.setdefault(parent, set()).add(table.name)
            relationships.append({
                "parent_table_name": parent,
                "parent_primary_key": fk.ref_columns[0],
                "child_table_name": table.name,
                "child_foreign_key": child_key,
            })

    linked = {r["parent_table_name"] for r in relationships} | {r["child_table_name"] for r in relationships}
    if len(tables) > 1:
        for name in tables:
            if name not in linked:
                notes.append(f"{name}: not connected to any other table by a relationship SDV can use")

    metadata = {"METADATA_SPEC_VERSION": METADATA_SPEC_VERSION, "tables": tables, "relationships": relationships}
    return metadata, notes


def write_sdv_metadata(path: Path, agencies: dict[str, Agency]) -> Path:
    """Write the SDV metadata of every agency to one JSON file.

    Args:
        path: a folder (the file ``metadata.sdv.json`` is written in it) or a ``.json`` file path.
        agencies: agencies by key, as in ``Profile.agencies``.

    Returns:
        The file written: ``{"agencies": {key: metadata}, "notes": {key: [note, ...]}}``.
    """
    path = Path(path)
    target = path if path.suffix == ".json" else path / FILE_NAME
    body: dict = {"agencies": {}, "notes": {}}
    for key, agency in agencies.items():
        body["agencies"][key], body["notes"][key] = sdv_metadata(agency)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    return target
