"""The subtree one SDV model covers (HMA's limits), and its rows read, typed and split 80/20.

See ``synth.learn.sdv_model`` for the strategy: a root table and at most 4 direct children joined
by single-column keys; identifiable tables never read; id columns other than the keys left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from synth.errors import InputError
from synth.export.sdv_metadata import id_columns, sdv_metadata
from synth.learn import gate
from synth.learn.read import Reader, locate
from synth.learn.shape import identifying
from synth.profile.models import Agency

#: HMASynthesizer's most tables in one model.
MAX_TABLES = 5
#: Share of root rows kept out of training as the privacy gate's holdout.
HOLDOUT_SHARE = 0.2


@dataclass
class Plan:
    """Which tables one model covers.

    Attributes:
        root: the root table's key in the profile.
        tables: profile keys of the modelled tables, root first.
        metadata: SDV metadata (physical table names) restricted to the subtree and modelled columns.
        keys: per physical table name, the key columns SDV keeps (primary key, foreign key).
        dropped: per physical table name, id columns left out of the model (regenerated).
        left_out: profile table key -> why it is not modelled.
    """

    root: str
    tables: list[str]
    metadata: dict
    keys: dict[str, list[str]]
    dropped: dict[str, list[str]]
    left_out: dict[str, str] = field(default_factory=dict)


def _children(meta: dict) -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for r in meta["relationships"]:
        out.setdefault(r["parent_table_name"], []).append(
            (r["child_table_name"], r["parent_primary_key"], r["child_foreign_key"]))
    return out


def plan_subtree(agency: Agency, tables: list[str] | None = None, agency_key: str = "") -> Plan:
    """The subtree to model: automatic, or the named tables (profile keys or physical names).

    Raises:
        InputError: the named tables do not form a root with at most 4 direct children.
    """
    meta, _notes = sdv_metadata(agency)
    by_name = {t.name: k for k, t in agency.tables.items()}
    usable = {t.name for t in agency.tables.values() if not identifying(t)}
    kids = {p: [c for c in cs if c[0] in usable] for p, cs in _children(meta).items() if p in usable}

    def modelled_columns(name: str) -> int:
        t = agency.tables[by_name[name]]
        return sum(1 for c in t.columns if c.name not in id_columns(t))

    if tables:
        names = []
        for t in tables:
            name = agency.tables[t].name if t in agency.tables else t
            if name not in by_name:
                raise InputError(f"--tables: {t} is not a table of {agency_key}; one of: {', '.join(agency.tables)}")
            if name not in usable:
                raise InputError(f"--tables: {t} holds direct identifiers (names, NHS numbers, addresses); "
                                 "it is never modelled")
            names.append(name)
        names = list(dict.fromkeys(names))
        if len(names) > MAX_TABLES:
            raise InputError(f"--tables: {len(names)} tables; SDV's HMASynthesizer models at most {MAX_TABLES}")
        roots = [n for n in names if {c[0] for c in kids.get(n, [])} >= set(names) - {n}]
        if not roots:
            raise InputError("--tables: one table must be the parent of all the others (HMA models a root and "
                             f"its direct children, joined by single-column keys); got {', '.join(names)}")
        root = roots[0]
        chosen = [c for c in kids.get(root, []) if c[0] in names]
    else:
        best = None
        for root in sorted(kids):
            cs = sorted(kids[root], key=lambda c: (-modelled_columns(c[0]), c[0]))[: MAX_TABLES - 1]
            score = (len(cs), modelled_columns(root) + sum(modelled_columns(c[0]) for c in cs))
            if best is None or score > best[0]:
                best = (score, root, cs)
        if best is None:
            raise InputError(f"{agency_key}: no two tables are joined by single-column keys; "
                             "name one table with --tables to model it alone")
        _, root, chosen = best
    # One relationship per child (the one to the root), one child table once.
    seen: set[str] = set()
    unique = []
    for c in chosen:
        if c[0] not in seen:
            seen.add(c[0])
            unique.append(c)
    chosen = unique
    names = [root, *[c[0] for c in chosen]]
    keys: dict[str, list[str]] = {root: [meta["tables"][root].get("primary_key")]}
    for child, _pk, fk in chosen:
        keys[child] = [fk]
    keys = {k: [c for c in v if c] for k, v in keys.items()}
    tables_meta, dropped = {}, {}
    for name in names:
        spec = meta["tables"][name]
        ids = id_columns(agency.tables[by_name[name]])
        # Frames hold datetime64 values, so SDV needs no format string (it warns when given one).
        cols = {c: {k: v for k, v in s.items() if k != "datetime_format"} for c, s in spec["columns"].items()
                if c in keys[name] or c not in ids}
        dropped[name] = [c for c in spec["columns"] if c not in cols]
        entry: dict[str, object] = {"columns": cols}
        if name == root and keys[name]:
            entry["primary_key"] = keys[name][0]
        tables_meta[name] = entry
    rels = [{"parent_table_name": root, "parent_primary_key": pk, "child_table_name": child,
             "child_foreign_key": fk} for child, pk, fk in chosen]
    metadata = {"METADATA_SPEC_VERSION": "V1", "tables": tables_meta, "relationships": rels}
    left_out = {}
    for k, table in agency.tables.items():
        if table.name in names:
            continue
        if identifying(table):
            left_out[k] = "holds direct identifiers (File 1): never read"
        else:
            left_out[k] = ("not a direct child of the root by a single-column key, or beyond HMA's 5 tables; "
                           "fit another model with --tables to cover it")
    return Plan(by_name[root], [by_name[n] for n in names], metadata, keys, dropped, left_out)


def read_tables(data_dir: Path, agency_key: str, agency: Agency, plan: Plan) -> dict[str, pd.DataFrame]:
    """The modelled columns of the subtree's tables, keyed by physical name."""
    reader = Reader(locate(Path(data_dir), agency_key, agency), agency_key, agency)
    try:
        out = {}
        for key in plan.tables:
            name = agency.tables[key].name
            out[name] = reader.read(key, list(plan.metadata["tables"][name]["columns"]))
        return out
    finally:
        reader.close()


def for_sdv(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Plain dtypes SDV handles: nullable ints -> float (or int64 without blanks), booleans -> object."""
    out = {}
    for name, df in frames.items():
        cols = {}
        for c in df.columns:
            s = df[c]
            if isinstance(s.dtype, pd.Int64Dtype):
                s = s.astype("int64") if not s.isna().any() else s.astype(float)
            elif isinstance(s.dtype, pd.BooleanDtype):
                s = s.astype(object).where(s.notna(), None)
            cols[c] = s
        out[name] = pd.DataFrame(cols)
    return out


def split(frames: dict[str, pd.DataFrame], plan: Plan, agency: Agency) -> tuple[dict, dict]:
    """(train, holdout): root rows split 80/20 by a fixed row hash; children follow their root."""
    root = agency.tables[plan.root].name
    df = frames[root]
    hold = gate.split_holdout(df, HOLDOUT_SHARE)
    train, holdout = {root: df[~hold].reset_index(drop=True)}, {root: df[hold].reset_index(drop=True)}
    pk = plan.keys[root][0] if plan.keys[root] else None
    held_keys = set(df.loc[hold, pk]) if pk else set()
    for r in plan.metadata["relationships"]:
        child, fk = r["child_table_name"], r["child_foreign_key"]
        m = frames[child][fk].isin(held_keys).to_numpy()
        train[child] = frames[child][~m].reset_index(drop=True)
        holdout[child] = frames[child][m].reset_index(drop=True)
    return train, holdout
