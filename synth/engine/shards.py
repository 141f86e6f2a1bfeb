"""One shard, start to finish: simulate the truth, project every agency view, convert to Arrow.

:func:`compute_shard` is a pure function of (the run's context, the shard number, its size), so
any engine (in-process, a process pool, a Dask cluster) can run shards anywhere and in any order;
the writer puts the results in shard order, giving identical bytes.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from synth.dirty import dirty_outputs, dirty_tables
from synth.export.arrow import TRUTH_OUTPUTS, agency_schema, to_arrow, truth_schema
from synth.export.writers import TableWriter, part_path
from synth.profile.models import Profile
from synth.rng import FAMILIES_PER_SHARD
from synth.views.crosswalk import case_crosswalk
from synth.views.project import project_agency
from synth.world.context import WorldContext
from synth.world.schema import TRUTH_TABLES
from synth.world.truth import simulate_shard


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs (picklable): the world context and the profile.

    Attributes:
        parts_dir: when set, each shard writes its own part files into this run folder
            (``<folder>/<name>/part-NNNNN.parquet``, CSV under ``csv/``, :mod:`synth.layout`) and
            returns row counts; otherwise it returns its Arrow tables for the caller to write.
        csv: also write CSV parts.
        labels: the synthetic-data labels written into every Parquet part's key-value metadata
            (:func:`synth.export.labels.parquet_labels`).
        dirty: the ``--dirty`` level (0: clean; 1-3 plant data-quality faults, :mod:`synth.dirty`,
            logged in ``truth/quality_issues``).
    """

    ctx: WorldContext
    profile: Profile
    parts_dir: str | None = None
    csv: bool = False
    labels: tuple[tuple[str, str], ...] = ()
    dirty: int = 0

    def output_keys(self) -> list[str]:
        """Every output table as ``folder/name``, in writing order."""
        keys = [f"{a}/{t.name}" for a, ag in self.profile.agencies.items() for t in ag.tables.values()]
        return keys + [f"truth/{n}" for n in TRUTH_OUTPUTS] + (["truth/quality_issues"] if self.dirty else [])

    def schema(self, key: str) -> pa.Schema:
        """Arrow schema of an output table."""
        folder, name = key.split("/", 1)
        if folder == "truth":
            return truth_schema(name, self.profile.linkage.ids)
        agency = self.profile.agencies[folder]
        return agency_schema(next(t for t in agency.tables.values() if t.name == name))


def shard_sizes(families: int) -> list[int]:
    """Families in each shard: full shards of :data:`~synth.rng.FAMILIES_PER_SHARD`, the last one partial."""
    n = math.ceil(families / FAMILIES_PER_SHARD)
    return [min(FAMILIES_PER_SHARD, families - s * FAMILIES_PER_SHARD) for s in range(n)]


def durable(path: Path) -> None:
    """fsync one part file where it is written, so the staged writer's final fsync finds it clean.

    The shard's process waits for its own part while the other processes go on computing, instead
    of the whole run waiting for every part at the end.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def compute_shard(spec: RunSpec, shard: int, n_families: int) -> dict[str, pa.Table] | dict[str, int]:
    """The Arrow tables of one shard keyed ``folder/name`` (or, with ``spec.parts_dir``, their row counts)."""
    csv_tables: dict[str, pa.Table] = {}  # a table's CSV mirror where it differs (--dirty CSV-only faults)
    tables = _tables(spec, shard, n_families, csv_tables)
    if spec.parts_dir is None:
        return tables
    parts = Path(spec.parts_dir)
    for key, table in tables.items():
        writer = TableWriter(part_path(parts, key, shard), table.schema, metadata=dict(spec.labels))
        writer.write(table)
        writer.close()
        durable(part_path(parts, key, shard))
        if spec.csv:
            path = part_path(parts, key, shard, csv=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            # one header row per part: each part reads on its own
            pacsv.write_csv(csv_tables.get(key, table), path)
            durable(path)
    return {key: table.num_rows for key, table in tables.items()}


def _tables(spec: RunSpec, shard: int, n_families: int,
            csv_tables: dict[str, pa.Table] | None = None) -> dict[str, pa.Table]:
    prof = spec.profile
    issues: list[pa.Table] = []  # the --dirty log of each agency
    truth = simulate_shard(spec.ctx, shard, n_families)
    out: dict[str, pa.Table] = {}
    links, errors = [], []
    projected: dict[str, dict[str, pd.DataFrame]] = {}
    for akey, agency in prof.agencies.items():
        tables, agency_links, agency_errors = project_agency(akey, agency, truth, spec.ctx.seed, shard, prof.linkage)
        projected[akey] = tables
        for tkey, df in tables.items():
            key = f"{akey}/{agency.tables[tkey].name}"
            out[key] = to_arrow(df, spec.schema(key))
        if spec.dirty:  # after the views, before export (synth.dirty)
            issues.append(dirty_outputs(out, {} if csv_tables is None else csv_tables, akey, agency, spec.ctx.seed,
                                        shard, spec.dirty, spec.csv))
        links.append(agency_links)
        errors.append(agency_errors)
    for name in TRUTH_TABLES:
        out[f"truth/{name}"] = to_arrow(truth[name], spec.schema(f"truth/{name}"))
    for name, parts in (("links", links), ("identifier_errors", errors)):
        schema = spec.schema(f"truth/{name}")
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=schema.names)
        out[f"truth/{name}"] = to_arrow(frame, schema)
    crosswalk = case_crosswalk(prof, truth, projected, pd.concat(links, ignore_index=True) if links else
                               pd.DataFrame(columns=["agency", "agency_person_id", "person_id"]), spec.ctx.seed)
    out["truth/case_crosswalk"] = to_arrow(crosswalk, spec.schema("truth/case_crosswalk"))
    if spec.dirty:
        out["truth/quality_issues"] = dirty_tables(issues)
    return out
