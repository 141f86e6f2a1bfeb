"""One type per identifier kind, declared once in the profile's ``id_types:`` registry (issue 15, point 4).

A column with ``id: <kind>`` holds the agency's id for an entity. Its type is the kind's, declared
once (``id_types.person: {type: int64, sql_type: BIGINT}``): a column that leaves out ``type:``
takes it (and ``sql_type:``) from the registry (:func:`fill_id_types`, on the merged mapping before
the model check), and a column that declares another type is a problem naming its key path
(:func:`check_id_types`). The one way to hold an id in another type is to render it, as the
source system does, with the ``to_text`` transform into a string column (File 1 ``SYSTEM_ID``
is VARCHAR(50) by its specification; the SSDA903 ``CHILD`` is the LA's text id).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from synth.profile.models import Column, Profile

#: Adds a problem at a key path.
Add = Callable[[tuple, str], None]


def _rendered(col: Column) -> bool:
    return col.type == "string" and any(t.name == "to_text" for t in col.transforms)


def fill_id_types(merged: dict[str, Any]) -> dict[str, Any]:
    """Give every ``id:`` column without ``type:`` the type (and SQL type) of its kind, in place.

    Args:
        merged: the merged profile mapping (after ``extends``), before the model check.

    Returns:
        ``merged`` itself; kinds the registry lacks are left for the check to report.
    """
    registry = merged.get("id_types")
    agencies = merged.get("agencies")
    if not isinstance(registry, dict) or not isinstance(agencies, dict):
        return merged
    for agency in agencies.values():
        tables = agency.get("tables") if isinstance(agency, dict) else None
        for table in (tables or {}).values():
            for col in (table or {}).get("columns") or []:
                if not isinstance(col, dict) or "type" in col or not isinstance(col.get("id"), str):
                    continue
                decl = registry.get(col["id"])
                if isinstance(decl, dict) and "type" in decl:
                    col["type"] = decl["type"]
                    if decl.get("sql_type") is not None and "sql_type" not in col:
                        col["sql_type"] = decl["sql_type"]
    return merged


def check_id_types(prof: Profile, add: Add) -> None:
    """Report every ``id:`` column whose kind is undeclared or whose type is not its kind's.

    Profiles without an ``id_types`` registry are not checked.
    """
    reg = prof.id_types
    if not reg:
        return
    for akey, agency in prof.agencies.items():
        for tkey, table in agency.tables.items():
            for i, col in enumerate(table.columns):
                if col.id is None:
                    continue
                loc = ("agencies", akey, "tables", tkey, "columns", i)
                decl = reg.get(col.id)
                if decl is None:
                    add(loc + ("id",), f"id kind '{col.id}' is not declared in id_types; add "
                        f"id_types.{col.id}: {{type: int64 or string}}")
                elif col.type != decl.type and not _rendered(col):
                    add(loc + ("type",), f"column '{col.name}' is {col.type} but id_types.{col.id} is "
                        f"{decl.type}; declare type: {decl.type} (or drop type:), or render it with transform to_text")
                elif (col.type == decl.type and decl.sql_type is not None and col.sql_type is not None
                      and col.sql_type != decl.sql_type):
                    add(loc + ("sql_type",), f"column '{col.name}' is {col.sql_type} but id_types.{col.id} is "
                        f"{decl.sql_type}; declare sql_type: {decl.sql_type} (or drop sql_type:)")
