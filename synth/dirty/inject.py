"""Plant every fault kind in one agency's tables of one shard, in the order of :data:`~synth.dirty.rates.FAULTS`."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from synth.dirty import codes, dates, duplicates, orphans, text
from synth.dirty.frame import DirtyTable
from synth.dirty.rates import FAULTS, rate
from synth.keys import run_key
from synth.profile.models import Agency
from synth.rng import generator, stream_key
from synth.views.reference import REFERENCE_SOURCES
from synth.world.quality import QUALITY_ISSUES_FIELDS

QUALITY_ISSUES_SCHEMA = pa.schema([pa.field(k, pa.string()) for k in QUALITY_ISSUES_FIELDS])


@dataclass
class Dirtied:
    """One agency's tables of a shard after the faults.

    Attributes:
        tables: table key -> Arrow table (Parquet; the CSV mirror too unless in ``csv``).
        csv: table key -> the table as the CSV mirror writes it, where it differs (CSV-only faults).
        issues: the log, in :data:`QUALITY_ISSUES_SCHEMA`.
    """

    tables: dict[str, pa.Table]
    csv: dict[str, pa.Table]
    issues: pa.Table


def dirty_agency(akey: str, agency: Agency, tables: dict[str, pa.Table], seed: int, shard: int, level: int,
                 csv: bool) -> Dirtied:
    """Plant the faults of ``level`` in an agency's tables of one shard.

    Args:
        akey: the agency's key in the profile.
        agency: its declaration.
        tables: its clean tables of this shard by table key (Arrow, in the output schema).
        seed: the run seed.
        shard: the shard number.
        level: 1-3 (0 returns the tables unchanged, with an empty log).
        csv: the run writes a CSV mirror (else CSV-only faults are not planted, nor logged).

    Returns:
        The dirty tables, the CSV tables that differ from them, and the log.
    """
    out, logs = dict(tables), []
    csv_out: dict[str, pa.Table] = {}
    if level <= 0:
        return Dirtied(out, csv_out, QUALITY_ISSUES_SCHEMA.empty_table())
    key = run_key(seed, stream_key(f"dirty:{agency.id_salt}"))
    for tkey, spec in agency.tables.items():
        if tkey not in tables or spec.rows in REFERENCE_SOURCES:
            continue  # a reference table is the same in every run: it is not an extract to clean
        t = DirtyTable(akey, spec, tables[tkey])
        for fault in FAULTS:
            r = rate(fault, level)
            if fault == "mixed_date_format" and not csv:
                continue
            rng = generator(seed, "dirty", shard, akey, spec.name, fault)
            if fault == "orphan_foreign_key":
                orphans.orphan_foreign_key(t, rng, r, tables, key)
            elif fault == "duplicate_row":
                duplicates.duplicate_row(t, rng, r, key)
            else:
                PLANTERS[fault](t, rng, r)
        out[tkey] = t.table
        if t.csv_text:
            csv_out[tkey] = t.csv_table()
        logs += t.log
    return Dirtied(out, csv_out, _log_table(logs))


def dirty_tables(issues: list[pa.Table]) -> pa.Table:
    """The logs of several agencies as one table (``truth/quality_issues`` of a shard)."""
    return pa.concat_tables(issues) if issues else QUALITY_ISSUES_SCHEMA.empty_table()


def _log_table(logs: list[dict[str, list]]) -> pa.Table:
    if not logs:
        return QUALITY_ISSUES_SCHEMA.empty_table()
    cols = {k: [v for log in logs for v in log[k]] for k in QUALITY_ISSUES_FIELDS}
    return pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()}, schema=QUALITY_ISSUES_SCHEMA)


PLANTERS = {
    "missing_mandatory": text.missing_mandatory,
    "old_code": codes.old_code,
    "free_text_code": codes.free_text_code,
    "whitespace_case": text.whitespace_case,
    "day_month_swap": dates.day_month_swap,
    "impossible_date": dates.impossible_date,
    "mixed_date_format": dates.mixed_date_format,
}


def dirty_outputs(out: dict[str, pa.Table], csv_out: dict[str, pa.Table], akey: str, agency: Agency, seed: int,
                  shard: int, level: int, csv: bool) -> pa.Table:
    """:func:`dirty_agency` on a shard's outputs keyed ``agency/table`` (as the engine holds them), in place.

    Args:
        out: the shard's Arrow tables by ``folder/name``; the agency's are replaced by their dirty versions.
        csv_out: receives the CSV mirror's version of a table where it differs (CSV-only faults).
        akey: the agency's key.
        agency: its declaration.
        seed: the run seed.
        shard: the shard number.
        level: 1-3.
        csv: the run writes a CSV mirror.

    Returns:
        The agency's log of planted faults.
    """
    keys = {tkey: f"{akey}/{spec.name}" for tkey, spec in agency.tables.items() if f"{akey}/{spec.name}" in out}
    done = dirty_agency(akey, agency, {tkey: out[k] for tkey, k in keys.items()}, seed, shard, level, csv)
    for tkey, k in keys.items():
        out[k] = done.tables[tkey]
        if tkey in done.csv:
            csv_out[k] = done.csv[tkey]
    return done.issues
