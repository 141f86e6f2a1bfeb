"""Run a generation: shards of families -> truth -> agency views -> files, written atomically.

A shard's randomness depends only on its number, so shards can run in any process or on any Dask
worker and the files are identical. One shard is written here as single files; several write
their own parts. Everything is written to a staging folder beside the destination and renamed
into place at the end; a failure leaves nothing behind.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from synth.engine.shards import CSV_PARTS, RunSpec, part_path
from synth.engine.workers import check_engine, run_shards
from synth.errors import InputError, OutputError
from synth.export.arrow import TRUTH_OUTPUTS
from synth.export.database import build_duckdb
from synth.export.dictionary import render_dictionary
from synth.export.manifest import write_manifest
from synth.export.sdv_metadata import write_sdv_metadata
from synth.export.writers import TableWriter
from synth.profile.loader import LoadedProfile
from synth.rng import FAMILIES_PER_SHARD
from synth.world.context import build_context

FORMATS = ("parquet", "csv")
MAX_FAMILIES = 100_000_000


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


def check_request(families: int, formats: tuple[str, ...]) -> None:
    """Reject impossible sizes and unknown formats before any work.

    Raises:
        InputError: with the value and the fix.
    """
    if families < 1 or families > MAX_FAMILIES:
        raise InputError(f"--families {families} is impossible; give a number from 1 to {MAX_FAMILIES:,}")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(f"--format {','.join(formats) or '(empty)'} is not supported; use parquet, csv or parquet,csv")


def check_destination(out: Path, force: bool) -> None:
    """Refuse to overwrite an existing destination without ``force``.

    Raises:
        OutputError: when ``out`` exists and ``force`` is false, or it is not a folder.
    """
    if out.exists() and not force:
        raise OutputError(f"{out} already exists; choose another --out or pass --force to replace it")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; remove it or choose another --out")


def prepare_destination(out: Path, force: bool) -> Path:
    """Check the destination and return a fresh staging folder beside it.

    Raises:
        OutputError: when ``out`` exists and ``force`` is false, or it cannot be written.
    """
    check_destination(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {out.parent}: {e.strerror}") from None
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir()
    except OSError as e:
        raise OutputError(f"cannot write in {out.parent}: {e.strerror}") from None
    return staging


def generate(loaded: LoadedProfile, out: Path, families: int | None = None, seed: int | None = None,
             formats: tuple[str, ...] = ("parquet",), force: bool = False,
             workers: int = 1, engine: str = "local",
             scheduler: str | None = None, duckdb: bool = True,
             on_progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Generate a run into ``out``.

    Args:
        loaded: a checked profile.
        out: destination folder (created; replaced only with ``force``).
        families: number of families (default: the profile's size).
        seed: run seed (default: the profile's seed).
        formats: ``parquet`` and/or ``csv``; Parquet is staged regardless for the database.
        force: replace an existing destination.
        workers: processes making shards at once (1: in this process); with ``engine="dask"`` and no
            ``scheduler``, the number of LocalCluster workers (one thread each).
        engine: ``"local"`` (this process or a process pool) or ``"dask"`` (shards as Dask tasks;
            needs the dask extra). The files are byte-identical either way: the results are written
            here, in shard order.
        scheduler: address of a running Dask scheduler (``tcp://host:8786``) for ``engine="dask"``;
            None starts a LocalCluster and closes it at the end.
        duckdb: also build ``synth.duckdb`` from the Parquet files.
        on_progress: called with (families done, families total) after each shard.

    Returns:
        A :class:`RunResult` with row counts and timings.

    Raises:
        InputError: impossible sizes or formats, an unknown engine, a missing dask extra, or an
            unreachable scheduler.
        OutputError: the destination exists (without ``force``) or cannot be written.
    """
    prof = loaded.profile
    families = prof.size.families if families is None else int(families)
    seed = prof.seed if seed is None else int(seed)
    check_request(families, formats)
    check_engine(engine, workers, scheduler)
    staging = prepare_destination(out, force)
    timings: dict[str, float] = {}
    writers: dict[str, TableWriter] = {}
    try:
        t0 = time.perf_counter()
        sizes = shard_sizes(families)
        # One shard: single files written here. Several: each shard writes its own parts (in any
        # process or on any Dask worker), so nothing large crosses between processes.
        parts = len(sizes) > 1
        spec = RunSpec(build_context(loaded, seed), prof, parts_dir=str(staging) if parts else None,
                       csv="csv" in formats)
        timings["prepare_s"] = time.perf_counter() - t0
        if not parts:
            writers = {key: TableWriter(staging / f"{key}.parquet", spec.schema(key), "csv" in formats)
                       for key in spec.output_keys()}
        counts = dict.fromkeys(spec.output_keys(), 0)
        t1 = time.perf_counter()
        done = 0
        ran_on: dict = {}
        for shard, result in run_shards(spec, sizes, workers=workers, engine=engine, scheduler=scheduler,
                                        info=ran_on):
            for key, value in result.items():
                if parts:
                    counts[key] += value
                else:
                    writers[key].write(value)
            done += sizes[shard]
            if on_progress:
                on_progress(done, families)
        timings["generate_s"] = time.perf_counter() - t1
        if "start_s" in ran_on:
            timings["engine_start_s"] = ran_on["start_s"]  # part of generate_s
        for key, w in writers.items():
            w.close()
            counts[key] = w.rows
        writers = {}
        if parts and "csv" in formats:
            join_csv_parts(staging, spec.output_keys(), len(sizes))
        if duckdb:
            t2 = time.perf_counter()
            db_tables = [(a.schema_name, t.name, staging / k / f"{t.name}.parquet")
                         for k, a in prof.agencies.items() for t in a.tables.values()]
            db_tables += [("truth", name, staging / "truth" / f"{name}.parquet")
                          for name in TRUTH_OUTPUTS]
            build_duckdb(staging / "synth.duckdb", db_tables)
            timings["duckdb_s"] = time.perf_counter() - t2
        if "parquet" not in formats:
            for p in sorted(staging.rglob("*.parquet"), reverse=True):
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        (staging / "dictionary.md").write_text(render_dictionary(prof, counts), encoding="utf-8")
        write_sdv_metadata(staging / "metadata.sdv.json", prof.agencies)
        timings["total_s"] = time.perf_counter() - t0
        write_manifest(staging / "manifest.json", {
            "profile": {"name": prof.name, "path": str(loaded.path), "sha256": loaded.sha256},
            "seed": seed, "families": families, "shards": len(sizes), "families_per_shard": FAMILIES_PER_SHARD,
            "engine": engine, "workers": ran_on.get("workers", workers),
            **({"scheduler": ran_on.get("scheduler")} if engine == "dask" else {}),
            "agencies": list(prof.agencies), "formats": list(formats), "duckdb": duckdb, "counts": counts,
            "timings": {k: round(v, 3) for k, v in timings.items()},
        })
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        for w in writers.values():
            w.abort()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunResult(path=out, families=families, seed=seed, counts=counts, timings=timings)


def shard_sizes(families: int) -> list[int]:
    """Families in each shard: full shards, the last one partial."""
    n = math.ceil(families / FAMILIES_PER_SHARD)
    return [min(FAMILIES_PER_SHARD, families - s * FAMILIES_PER_SHARD) for s in range(n)]


def join_csv_parts(staging: Path, keys: list[str], n_shards: int) -> None:
    """Join each table's CSV parts (in shard order, one header) into ``<key>.csv``; drop the parts."""
    parts_dir = staging / CSV_PARTS
    for key in keys:
        target = staging / f"{key}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for shard in range(n_shards):
                with part_path(staging, key, shard, csv=True).open("rb") as part:
                    header = part.readline()
                    if shard == 0:
                        out.write(header)
                    shutil.copyfileobj(part, out)
    shutil.rmtree(parts_dir)
