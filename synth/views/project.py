"""Project the truth of one shard into an agency's tables, as the profile declares them.

For each agency: the proceedings it covers, the person records it holds (with duplicate records
and SAIL linking fields where declared), then each table's rows, columns, transforms and
recording gaps. Also returns the agency-record -> truth-person map for ``truth/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from synth.keys import keyed_id, run_key
from synth.profile.models import Agency, Column, Linkage, Missing, Recode, Table
from synth.profile.sail import era_name
from synth.rng import generator, stream_key
from synth.views import transforms as T
from synth.views.alf import match, on_spine
from synth.views.file1 import source_ids
from synth.views.la_dated import dated, is_la_field
from synth.views.records import RECORDED, recorded_identifiers
from synth.views.reference import REFERENCE_SOURCES, reference_rows
from synth.views.sources import BUILDERS
from synth.world.schema import id_field, resolve_path

NULL_INT = pd.NA


@dataclass
class AgencyFrame:
    """Row sources of one agency for one shard: the truth tables restricted to its coverage."""

    tables: dict[str, pd.DataFrame]
    person_map: pd.DataFrame  # proceeding_id, person_id, agency_person_id
    map_keys: np.ndarray  # sorted pair keys of (proceeding_id, person_id): see _pair_keys
    map_ids: np.ndarray  # agency person id for each key
    errors: pd.DataFrame  # identifier errors applied to the person records
    seed: int = 0  # the run seed: it keys every agency-facing id (synth.keys.run_key)
    map_persons: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # sorted person ids of the map


def _key(agency: Agency, entity: str, seed: int) -> int:
    """Key of an agency's ids for one entity in the run of ``seed`` (runs never share id spaces)."""
    return run_key(seed, stream_key(f"{agency.id_salt}:{entity}"))


def covered(agency: Agency, truth: dict[str, pd.DataFrame], rng: np.random.Generator, link: Linkage | None,
            error_rng: np.random.Generator | None = None, *, seed: int = 0) -> AgencyFrame:
    """Restrict the truth to an agency's coverage and build its person records.

    ``error_rng`` draws the identifier errors (the view stream ``rng`` when not given); ``seed``
    (the run seed) keys the agency person ids, so runs with different seeds do not share them.
    """
    proc = truth["proceeding"]
    cov = proc[proc["country"].isin(agency.coverage.country) & proc["law_type"].isin(agency.coverage.law_type)]
    ids = cov["proceeding_id"].to_numpy()

    def by_proc(name: str):
        t = truth[name]
        return t[np.isin(t["proceeding_id"].to_numpy(), ids)].reset_index(drop=True)

    parties = by_proc("proceeding_party")
    pp, person = _appearances(agency.coverage.people, cov, truth, parties, by_proc)
    # Person appearances in order of person, then the family's proceeding sequence.
    proc_ids = proc["proceeding_id"].to_numpy()
    seq = proc["sequence"].to_numpy()[np.searchsorted(proc_ids, pp)]
    order = np.lexsort((pp, seq, person))
    pp, person = pp[order], person[order]
    base = keyed_id(person, _key(agency, "person", seed))
    agency_pid = base
    if agency.person_duplicates is not None and len(person):
        first = np.concatenate([[True], person[1:] != person[:-1]])
        dup = (~first) & (rng.random(len(person)) < agency.person_duplicates.rate)
        agency_pid = np.where(dup, keyed_id(person, _key(agency, "person-duplicate", seed)), base)
    pm = pd.DataFrame({"proceeding_id": pp, "person_id": person, "agency_person_id": agency_pid})
    uniq, first_at = np.unique(agency_pid, return_index=True)  # sorted ids, first appearance of each
    ap = pd.DataFrame({"agency_person_id": uniq, "person_id": person[first_at], "first_proceeding_id": pp[first_at]})
    if agency.coverage.spine_only and link is not None:
        ap = ap[on_spine(ap["person_id"].to_numpy(), link.alf.on_spine)].reset_index(drop=True)
    ap["system_id"] = source_ids(agency, ap["agency_person_id"].to_numpy())
    recorded, true, errors = recorded_identifiers(ap, truth, agency, rng if error_rng is None else error_rng)
    for f in RECORDED:
        ap[f] = recorded[f].array
    if agency.sail_linkage and link is not None:
        ap = pd.concat([ap, match(ap, recorded, true, link, rng, seed)], axis=1)
    persons = truth["person"]
    # Every truth table about proceedings is restricted to the covered ones.
    tables = {name: by_proc(name) for name, t in truth.items()
              if name != "proceeding" and "proceeding_id" in t.columns}
    tables.update({
        "proceeding": cov.reset_index(drop=True),
        "proceeding_party": parties,
        "person": persons[persons["person_id"].isin(ap["person_id"])].reset_index(drop=True),
        "family": truth["family"][truth["family"]["family_id"].isin(cov["family_id"])].reset_index(drop=True),
        "agency_person": ap,
        # Which person record each (proceeding, person) appearance uses (FamilyMan parties on roles).
        "agency_person_map": pm[["proceeding_id", "person_id", "agency_person_id"]],
    })
    # A man can be a party in several families' proceedings, so (proceeding, person) is the key.
    persons = np.unique(pm["person_id"].to_numpy(np.int64))
    keys = _pair_keys(pm["proceeding_id"].to_numpy(np.int64), pm["person_id"].to_numpy(np.int64), persons)
    order = np.argsort(keys, kind="stable")
    return AgencyFrame(tables=tables, person_map=pm[["proceeding_id", "person_id", "agency_person_id"]],
                       map_keys=keys[order], map_ids=pm["agency_person_id"].to_numpy()[order], errors=errors,
                       seed=seed, map_persons=persons)


def _pair_keys(proceeding: np.ndarray, person: np.ndarray, persons: np.ndarray) -> np.ndarray:
    """One int64 per (proceeding, person) pair: proceeding * len(persons) + the person's rank (-1: absent)."""
    rank = np.searchsorted(persons, person)
    known = rank < len(persons)
    known[known] = persons[rank[known]] == person[known]
    return np.where(known, proceeding * max(len(persons), 1) + rank, -1)


def _appearances(people: str, cov: pd.DataFrame, truth: dict[str, pd.DataFrame], parties: pd.DataFrame,
                 by_proc: Callable[[str], pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (proceeding_id, person_id) pairs of the people who get agency person records."""
    if people == "proceeding_party":
        t = parties
    elif people == "person":
        t = truth["person"][["person_id", "family_id"]].merge(cov[["family_id", "proceeding_id"]], on="family_id")
    else:
        t = by_proc(people)
    pair = np.unique(np.stack([t["proceeding_id"].to_numpy(np.int64), t["person_id"].to_numpy(np.int64)], axis=1),
                     axis=0)  # distinct pairs, by proceeding then person
    return pair[:, 0], pair[:, 1]


def _lookup(values: np.ndarray, table: pd.DataFrame, key: str, field: str) -> pd.Series:
    """Values of ``table[field]`` for ids in ``values`` (null where the id is null or absent)."""
    ids_ = table[key].to_numpy()
    v = pd.Series(values).to_numpy(dtype=np.int64, na_value=-1)
    if len(ids_) == 0:
        return pd.Series([None] * len(v), dtype=object)
    pos = np.clip(np.searchsorted(ids_, v), 0, len(ids_) - 1)
    found = (v >= 0) & (ids_[pos] == v)
    out = table[field].iloc[pos].reset_index(drop=True)
    return out if found.all() else out.where(pd.Series(found), None)


def field_values(frame: AgencyFrame, rows: pd.DataFrame, source: str, path: str,
                 truth: dict[str, pd.DataFrame]) -> pd.Series:
    """Resolve a dotted field path for every row (following references through the truth)."""
    hops, final_table, _ = resolve_path(source, path)
    if not hops:
        return rows[path].reset_index(drop=True)
    parts = path.split(".")
    current = rows[hops[0][0]].reset_index(drop=True)
    for i, (_ref, target) in enumerate(hops):
        table = truth[target] if target in truth else frame.tables[target]
        next_field = parts[i + 1]
        current = _lookup(current, table, id_field(target), next_field)
    return current


def _agency_ids(frame: AgencyFrame, agency: Agency, rows: pd.DataFrame, col: Column, source: str,
                truth: dict[str, pd.DataFrame]) -> pd.Series:
    field = col.field or id_field(source)
    if source == "agency_person" and col.id == "person" and field in ("agency_person_id", "system_id"):
        return rows[field].reset_index(drop=True).astype("Int64")  # the record's own id / its File 1 id
    truth_ids = field_values(frame, rows, source, field, truth)
    present = truth_ids.notna().to_numpy()
    raw = pd.to_numeric(truth_ids, errors="coerce").fillna(0).to_numpy(np.int64)
    if col.id == "person" and "proceeding_id" in rows.columns and agency.person_duplicates is not None:
        # Duplicate person records: the id depends on the case the person appears on.
        key = _pair_keys(rows["proceeding_id"].to_numpy(np.int64), raw, frame.map_persons)
        pos = np.clip(np.searchsorted(frame.map_keys, key), 0, max(len(frame.map_keys) - 1, 0))
        found = (frame.map_keys[pos] == key) if len(frame.map_keys) else np.zeros(len(key), dtype=bool)
        base = keyed_id(raw, _key(agency, "person", frame.seed))
        out = np.where(found, frame.map_ids[pos] if len(frame.map_ids) else 0, base).astype(np.int64)
    else:
        out = keyed_id(raw, _key(agency, cast(str, col.id), frame.seed))
    return pd.Series(pd.array(out, dtype="Int64")).where(pd.Series(present), NULL_INT)


def _fy(frame: AgencyFrame, rows: pd.DataFrame, source: str, truth: dict[str, pd.DataFrame]) -> np.ndarray:
    for path in ("fy", "proceeding_id.fy", "first_proceeding_id.fy"):
        try:
            resolve_path(source, path)
        except KeyError:
            continue
        return pd.to_numeric(field_values(frame, rows, source, path, truth)).to_numpy(float)
    return np.full(len(rows), np.nan)


def _missing_rate(col: Column, fy: np.ndarray) -> np.ndarray:
    m = cast(Missing, col.missing)
    if m.rate is not None:
        return np.full(len(fy), m.rate)
    by_year = cast(dict[int, float], m.by_year)
    years = np.array(sorted(by_year), dtype=np.float64)
    rates = np.array([by_year[int(y)] for y in years])
    return np.asarray(np.interp(np.nan_to_num(fy, nan=years[-1]), years, rates))


def recode(values: pd.Series, rc: Recode, rng: np.random.Generator) -> pd.Series:
    """Record a share ``rc.rate`` of the values listed in ``rc.map`` as one of their alternatives."""
    v = values.to_numpy(dtype=object).copy()
    hit = rng.random(len(v)) < rc.rate
    pick = rng.random(len(v))
    done = np.zeros(len(v), dtype=bool)
    for true, alts in rc.map.items():
        m = hit & ~done & (pd.notna(v) if true == "*" else v == true)
        v[m] = np.asarray(alts, dtype=object)[np.minimum((pick[m] * len(alts)).astype(np.int64), len(alts) - 1)]
        done |= m
    return pd.Series(v, index=values.index)


def project_table(frame: AgencyFrame, agency: Agency, table: Table, truth: dict[str, pd.DataFrame],
                  rng: np.random.Generator) -> pd.DataFrame:
    """Build one agency table for one shard."""
    source = table.rows
    rows = frame.tables[source]  # derived sources are built by project_agency beforehand
    for f, allowed in table.where.items():
        vals = field_values(frame, rows, source, f, truth)
        rows = rows[vals.isin(allowed).to_numpy()]
    rows = rows.reset_index(drop=True)
    fy = None
    out = {}
    for col in table.columns:
        if col.blank:
            values = pd.Series([None] * len(rows), dtype=object)
        elif col.const is not None:
            values = pd.Series([col.const] * len(rows), dtype=object)
        elif col.id is not None:
            values = _agency_ids(frame, agency, rows, col, source, truth)
        else:
            values = field_values(frame, rows, source, cast(str, col.field), truth)
            if is_la_field(col.field):  # the code valid on the record's day, not today's
                values = dated(values.reset_index(drop=True), source, cast(str, col.field),
                               lambda p: field_values(frame, rows, source, p, truth).reset_index(drop=True))
        values = T.apply(values.reset_index(drop=True), col.transforms, seed=frame.seed)
        for rc in col.recode:
            values = recode(values, rc, rng)
        if col.missing is not None and not col.required and len(rows):
            fy = _fy(frame, rows, source, truth) if fy is None else fy
            blank = rng.random(len(rows)) < _missing_rate(col, fy)
            values = values.astype(object).where(~pd.Series(blank), None)
        out[col.name] = values.reset_index(drop=True)
    return pd.DataFrame(out)


def project_agency(agency_key: str, agency: Agency, truth: dict[str, pd.DataFrame], seed: int, shard: int,
                   link: Linkage | None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """All tables of one agency for one shard, plus its record -> person map and identifier errors.

    Returns:
        ``(tables, links, errors)``: tables keyed as in the profile; ``links`` has agency,
        agency_person_id, system_id (its File 1 id, synth.views.file1), person_id and the person's
        true ALF for every person record the agency holds; ``errors`` every identifier error applied to those records.
    """
    rng = generator(seed, "view", agency_key, shard)
    frame = covered(agency, truth, rng, link, generator(seed, "errors", agency_key, shard), seed=seed)
    for name in dict.fromkeys(t.rows for t in agency.tables.values()):
        if name in REFERENCE_SOURCES:  # public lookup rows, the same in every run: written by shard 0
            frame.tables[name] = reference_rows(name, shard)
        elif name not in frame.tables and name in BUILDERS:
            src_rng = generator(seed, "source", agency_key, name, shard)
            frame.tables[name] = BUILDERS[name](frame.tables, truth, src_rng, seed)
    tables = {key: project_table(frame, agency, t, truth, rng) for key, t in agency.tables.items()}
    ap = frame.tables["agency_person"]
    links = pd.DataFrame({"agency": agency_key, "agency_person_id": ap["agency_person_id"].to_numpy(),
                          "system_id": ap["system_id"].to_numpy(), "person_id": ap["person_id"].to_numpy(),
                          era_name("true_alf_e", link.ids if link else "E"):
                              T.project_alf(ap["person_id"].to_numpy(), seed)})
    err_cols = ["agency", "agency_person_id", "field", "kind", "true_value", "recorded_value"]
    return tables, links, frame.errors.assign(agency=agency_key)[err_cols]
