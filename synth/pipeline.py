"""A generation run: a request resolved and checked once, shards, then an explicit list of exporters.

:func:`resolve` turns what the user asked for into a :class:`RunRequest` (every size, format,
engine, seed and the destination checked before any work); :func:`run` makes the shards with
:func:`synth.engine.workers.run_shards` into a staging folder (:func:`synth.export.staging.staged_dir`)
and runs :data:`EXPORTERS` in order. The staging folder is renamed into place only when all of
them succeeded; a failure or a signal leaves nothing behind. Validation is run by the CLI on the
finished folder.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from synth.dirty import check_dirty_level
from synth.engine.shards import RunSpec, shard_sizes
from synth.engine.workers import check_engine, run_shards
from synth.errors import InputError
from synth.export.arrow import DIRTY_OUTPUTS, TRUTH_OUTPUTS
from synth.export.database import build_duckdb
from synth.export.datapackage import write_datapackage
from synth.export.dictionary import duckdb_meta, render_dictionary
from synth.export.labels import parquet_labels, write_readmes
from synth.export.manifest import list_parts, synth_version, write_manifest
from synth.export.sdv_metadata import write_sdv_metadata
from synth.export.staging import check_replaceable, discard_staged, staged_dir
from synth.layout import table_dir
from synth.profile.error_scale import with_error_scale
from synth.profile.loader import LoadedProfile, with_agencies
from synth.progress import SILENT, Phase, Reporter
from synth.rng import FAMILIES_PER_SHARD
from synth.world.context import build_context

FORMATS = ("parquet", "csv")
MAX_FAMILIES = 100_000_000
#: Seeds are 64-bit: numpy's SeedSequence takes any non-negative integer; the manifest and DuckDB keep int64.
MAX_SEED = 2**63 - 1
#: More processes than this is a typo, not a machine (a Dask cluster is reached with --scheduler).
MAX_WORKERS = 256


@dataclass(frozen=True)
class RunRequest:
    """A checked request for one run (build it with :func:`resolve`).

    Attributes:
        loaded: the profile, restricted to ``agencies`` when given.
        families: number of families.
        seed: run seed, 0 to :data:`MAX_SEED`.
        formats: ``parquet`` and/or ``csv``.
        agencies: the agencies asked for (None: all of the profile's).
        out: destination folder.
        force: replace an existing synth output at ``out``.
        workers: processes (local) or LocalCluster workers (dask).
        engine: ``"local"`` or ``"dask"``.
        scheduler: a running Dask scheduler's address, or None.
        duckdb: also build ``synth.duckdb``.
        validate: validate the finished run (done by the caller).
        errors: identifier-error scale (``--errors``; already applied to ``loaded``): 0 clean, 1 as profiled.
        dirty: data-quality faults (``--dirty``): 0 clean (the default), 1-3 more faults, logged in
            ``truth/quality_issues`` (:mod:`synth.dirty`).
    """

    loaded: LoadedProfile
    families: int
    seed: int
    formats: tuple[str, ...]
    agencies: tuple[str, ...] | None
    out: Path
    force: bool = False
    workers: int = 1
    engine: str = "local"
    scheduler: str | None = None
    duckdb: bool = True
    validate: bool = True
    errors: float = 1.0
    dirty: int = 0


@dataclass
class RunResult:
    """What a run produced."""

    path: Path
    families: int
    seed: int
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


def default_run_name(profile: str, seed: int, families: int) -> str:
    """The folder name used under output/ when none is given."""
    return f"{profile}-s{seed}-f{families}"


def check_sizes(families: int | None, seed: int | None, formats: tuple[str, ...], workers: int) -> None:
    """Reject impossible sizes, seeds, formats and worker counts (None: not given, not checked).

    Raises:
        InputError: one line with the option, the value and the fix.
    """
    if families is not None and (families < 1 or families > MAX_FAMILIES):
        raise InputError(f"--families {families} is impossible; give a number from 1 to {MAX_FAMILIES:,}")
    if seed is not None and (seed < 0 or seed > MAX_SEED):
        raise InputError(f"--seed {seed} is impossible; give a whole number from 0 to {MAX_SEED} (2**63 - 1)")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(f"--format {','.join(formats) or '(empty)'} is not supported; use parquet, csv or parquet,csv")
    if workers < 1 or workers > MAX_WORKERS:
        raise InputError(f"--workers {workers} is impossible; give a number from 1 to {MAX_WORKERS}")


def check_agencies(agencies: tuple[str, ...] | None, loaded: LoadedProfile) -> None:
    """Reject an agency the profile does not have, with the closest name and the valid ones.

    Raises:
        InputError: naming the first unknown agency.
    """
    have = list(loaded.profile.agencies)
    for name in agencies or ():
        if name not in have:
            close = difflib.get_close_matches(name, have, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise InputError(f"--agencies: {name} is not an agency of profile {loaded.profile.name}; {hint}"
                             f"use some of {', '.join(have)} (comma-separated)")


def resolve(loaded: LoadedProfile, *, families: int | None = None, seed: int | None = None,
            formats: tuple[str, ...] = ("parquet",), agencies: tuple[str, ...] | list[str] | None = None,
            out: Path | str | None = None, force: bool = False, workers: int = 1, engine: str = "local",
            scheduler: str | None = None, duckdb: bool = True, validate: bool = True,
            errors: float = 1.0, dirty: int | str = 0) -> RunRequest:
    """Check everything a run needs before any work and return the request.

    Args:
        loaded: a checked profile.
        families: number of families (default: the profile's size).
        seed: run seed (default: the profile's seed).
        formats: ``parquet`` and/or ``csv``.
        agencies: only these agencies of the profile (default: all); the truth is always written.
        out: destination folder (default: ``output/<profile>-s<seed>-f<families>``).
        force: replace an existing synth output at ``out``.
        workers: see :class:`RunRequest`.
        engine: see :class:`RunRequest`.
        scheduler: see :class:`RunRequest`.
        duckdb: see :class:`RunRequest`.
        validate: see :class:`RunRequest`.
        errors: multiply every identifier-error rate of the profile (0: clean identifiers; 1: as
            written; see :mod:`synth.profile.error_scale`).
        dirty: plant data-quality faults at this level (0-3; :mod:`synth.dirty`).

    Raises:
        InputError: an impossible size, seed, format, engine, agency, error scale or dirt level.
        OutputError: ``out`` exists (without ``force``) or may not be replaced.
    """
    level = check_dirty_level(dirty)
    chosen = tuple(agencies) if agencies else None
    check_agencies(chosen, loaded)
    loaded = with_error_scale(with_agencies(loaded, list(chosen) if chosen else None), errors)
    prof = loaded.profile
    families = prof.size.families if families is None else int(families)
    seed = prof.seed if seed is None else int(seed)
    formats = tuple(formats)
    check_sizes(families, seed, formats, workers)
    check_engine(engine, workers, scheduler)
    out = Path("output") / default_run_name(prof.name, seed, families) if out is None else Path(out)
    check_replaceable(out, force)
    return RunRequest(loaded=loaded, families=families, seed=seed, formats=formats, agencies=chosen, out=out,
                      force=force, workers=workers, engine=engine, scheduler=scheduler, duckdb=duckdb,
                      validate=validate, errors=float(errors), dirty=level)


@dataclass
class Export:
    """What the exporters share: the staging folder, the request, the shards' spec, counts and timings."""

    staging: Path
    request: RunRequest
    spec: RunSpec
    shards: int
    counts: dict[str, int]
    timings: dict[str, float]
    ran_on: dict
    t0: float
    phase: Phase | None = None  # the exporter's progress (set by :func:`run`; display only)
    part_rows: dict[str, list[int]] = field(default_factory=dict)  # rows of each table's parts, shard order
    parts: list[dict] = field(default_factory=list)  # every part: path, rows, SHA-256 (export_parts)


def export_labels(x: Export) -> None:
    """Write ``README_SYNTHETIC.txt`` into every agency folder, ``truth/`` and their CSV mirrors."""
    r = x.request
    write_readmes(x.staging, [*r.loaded.profile.agencies, "truth"], "csv" in r.formats,
                  profile=r.loaded.profile.name, profile_sha256=r.loaded.sha256, seed=r.seed,
                  version=synth_version(), families=r.families)


def export_parts(x: Export) -> None:
    """List every part (path, rows, SHA-256) for the manifest and the data package."""
    x.parts = list_parts(x.staging, x.spec.output_keys(), x.part_rows, x.request.formats)


def export_duckdb(x: Export) -> None:
    """Build ``synth.duckdb`` with a schema per agency and ``truth``, from the Parquet files."""
    if not x.request.duckdb:
        return
    t = time.perf_counter()
    prof = x.request.loaded.profile
    tables = [(a.schema_name, t.name, table_dir(x.staging, k, t.name))
              for k, a in prof.agencies.items() for t in a.tables.values()]
    tables += [("truth", name, table_dir(x.staging, "truth", name)) for name in TRUTH_OUTPUTS]
    tables += [("truth", name, table_dir(x.staging, "truth", name)) for name in DIRTY_OUTPUTS if x.request.dirty]
    sql_types = {(a.schema_name, t.name): {c.name: c.sql_type for c in t.columns if c.sql_type}
                 for a in prof.agencies.values() for t in a.tables.values()}
    phase = x.phase

    def on_table(done: int) -> None:
        if phase is not None:
            phase.update(done, len(tables))

    build_duckdb(x.staging / "synth.duckdb", tables, sql_types, on_table=on_table, meta=duckdb_meta(prof))
    x.timings["duckdb_s"] = time.perf_counter() - t


def drop_parquet(x: Export) -> None:
    """Remove the Parquet files when only CSV was asked for (they were staged for the database)."""
    if "parquet" not in x.request.formats:
        for key in x.spec.output_keys():
            discard_staged(x.staging / key, x.staging)


def export_dictionary(x: Export) -> None:
    """Write ``dictionary.md``."""
    (x.staging / "dictionary.md").write_text(render_dictionary(x.request.loaded.profile, x.counts), encoding="utf-8")


def export_sdv_metadata(x: Export) -> None:
    """Write ``metadata.sdv.json``."""
    write_sdv_metadata(x.staging / "metadata.sdv.json", x.request.loaded.profile.agencies)


def export_datapackage(x: Export) -> None:
    """Write ``datapackage.json`` (a Frictionless Data Package describing every table and its parts)."""
    r = x.request
    write_datapackage(x.staging / "datapackage.json", r.loaded.profile, x.parts, profile_sha256=r.loaded.sha256,
                      seed=r.seed, families=r.families, version=synth_version())


def export_manifest(x: Export) -> None:
    """Write ``manifest.json`` (last: it records every timing)."""
    r, prof = x.request, x.request.loaded.profile
    x.timings["total_s"] = time.perf_counter() - x.t0
    write_manifest(x.staging / "manifest.json", {
        "profile": {"name": prof.name, "path": str(r.loaded.path), "sha256": r.loaded.sha256},
        "seed": r.seed, "identifier_error_scale": r.errors, "dirty_level": r.dirty,
        "families": r.families, "shards": x.shards, "families_per_shard": FAMILIES_PER_SHARD,
        "engine": r.engine, "workers": x.ran_on.get("workers", r.workers),
        **({"scheduler": x.ran_on.get("scheduler")} if r.engine == "dask" else {}),
        "agencies": list(prof.agencies), "formats": list(r.formats), "duckdb": r.duckdb, "counts": x.counts,
        "timings": {k: round(v, 3) for k, v in x.timings.items()},
        "parts": x.parts,
    })


#: Run after the shards, in this order, on the staging folder.
EXPORTERS: tuple[Callable[[Export], None], ...] = (
    export_labels, export_parts, export_duckdb, drop_parquet, export_dictionary, export_sdv_metadata,
    export_datapackage, export_manifest)


def run(request: RunRequest, on_progress: Callable[[int, int], None] | None = None,
        progress: Reporter | None = None) -> RunResult:
    """Generate the run described by ``request`` into ``request.out``.

    Args:
        request: from :func:`resolve`.
        on_progress: called with (families done, families total) after each shard.
        progress: shows and logs the phases (``shards``, then ``export:<exporter>``); display only.

    Returns:
        A :class:`RunResult` with row counts and timings.

    Raises:
        InputError: an unreachable Dask scheduler or one with the wrong versions.
        OutputError: the destination cannot be written, or appeared during the run (left untouched).
    """
    r, prof = request, request.loaded.profile
    timings: dict[str, float] = {}
    with staged_dir(r.out, r.force) as staging:
        t0 = time.perf_counter()
        sizes = shard_sizes(r.families)
        # At every size each shard writes its own parts (in any process or on any Dask worker), so
        # nothing large crosses between processes and the layout never changes (synth.layout).
        labels = parquet_labels(prof.name, r.loaded.sha256, r.seed, synth_version())
        spec = RunSpec(build_context(r.loaded, r.seed), prof, parts_dir=str(staging), csv="csv" in r.formats,
                       labels=labels, dirty=r.dirty)
        timings["prepare_s"] = time.perf_counter() - t0
        rep = progress or SILENT
        with rep.phase("shards", total=r.families) as phase:
            def advance(done: int, total: int) -> None:
                phase.update(done)
                if on_progress:
                    on_progress(done, total)

            part_rows, ran_on = _shards(r, spec, sizes, timings, advance)
        counts = {key: sum(rows) for key, rows in part_rows.items()}
        x = Export(staging, r, spec, len(sizes), counts, timings, ran_on, t0, part_rows=part_rows)
        for exporter in EXPORTERS:
            with rep.phase("export:" + exporter.__name__.removeprefix("export_")) as x.phase:
                exporter(x)
    return RunResult(path=r.out, families=r.families, seed=r.seed, counts=counts, timings=timings)


def _shards(r: RunRequest, spec: RunSpec, sizes: list[int], timings: dict[str, float],
            on_progress: Callable[[int, int], None] | None) -> tuple[dict[str, list[int]], dict]:
    """Make every shard (each writes its own parts); return the rows of each table's parts, in shard order."""
    part_rows = {key: [0] * len(sizes) for key in spec.output_keys()}
    ran_on: dict = {}
    t1 = time.perf_counter()
    done = 0
    for shard, result in run_shards(spec, sizes, workers=r.workers, engine=r.engine, scheduler=r.scheduler,
                                    info=ran_on):
        for key, value in result.items():
            part_rows[key][shard] = int(value)
        done += sizes[shard]
        if on_progress:
            on_progress(done, r.families)
    timings["generate_s"] = time.perf_counter() - t1
    if "start_s" in ran_on:
        timings["engine_start_s"] = ran_on["start_s"]  # part of generate_s
    return part_rows, ran_on


def generate(loaded: LoadedProfile, out: Path | str, families: int | None = None, seed: int | None = None,
             formats: tuple[str, ...] = ("parquet",), force: bool = False, workers: int = 1,
             engine: str = "local", scheduler: str | None = None, duckdb: bool = True,
             on_progress: Callable[[int, int], None] | None = None, errors: float = 1.0,
             dirty: int = 0) -> RunResult:
    """Resolve and run in one call (no validation): the library entry point used by tests and tools.

    Raises:
        InputError: see :func:`resolve` and :func:`run`.
        OutputError: see :func:`resolve` and :func:`run`.
    """
    request = resolve(loaded, families=families, seed=seed, formats=formats, out=out, force=force, workers=workers,
                      engine=engine, scheduler=scheduler, duckdb=duckdb, validate=False, errors=errors,
                      dirty=dirty)
    return run(request, on_progress)
