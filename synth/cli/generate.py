"""``synth generate``: make a run folder from a profile."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from synth.dirty import check_dirty_level
from synth.engine.workers import ENGINES
from synth.pipeline import check_sizes, resolve, run
from synth.profile.error_scale import check_error_scale
from synth.profile.loader import load_profile
from synth.progress import Reporter


def _formats(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


def time_line(durations: dict[str, float], families: int) -> str:
    """Where the time went, from the phases' wall-clock durations (``shards 1.1 s (1,800 families/s), ...``).

    Args:
        durations: seconds per phase, from :attr:`synth.progress.Reporter.durations`.
        families: families generated, for the rate.

    Returns:
        One clause per kind of phase: shards, export (DuckDB separately), validation.
    """
    shards = durations.get("shards", 0.0)
    duck = durations.get("export:duckdb", 0.0)
    export = sum(v for k, v in durations.items() if k.startswith("export:")) - duck
    check = sum(v for k, v in durations.items() if k.startswith("validate:"))
    parts = [f"shards {shards:.1f} s ({families / shards:,.0f} families/s)" if shards else "shards 0.0 s",
             f"files {export:.1f} s"]
    if duck:
        parts.append(f"DuckDB {duck:.1f} s")
    if check:
        parts.append(f"validation {check:.1f} s")
    return ", ".join(parts)


def faults_only(run: Path) -> bool:
    """Whether a --dirty run's validation failed only as planted faults make it fail.

    Every check ran (none "could not run": a crash is never excused) and the detectors found the
    planted faults (no ``planted_faults_found`` result failed).
    """
    import json

    try:
        report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    results = report.get("results", [])
    return not any(r.get("status") == "could_not_run" or
                   (r.get("name") == "planted_faults_found" and r.get("status") == "failed") for r in results)


@click.command("generate")
@click.argument("profile", default="england_wales")
@click.option("--families", "-n", type=int, default=None, help="Number of families (default: the profile's size).")
@click.option("--seed", "-s", type=int, default=None, help="Run seed (default: the profile's seed).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Destination folder (default: output/<profile>-s<seed>-f<families>).")
@click.option("--format", "fmt", default="parquet", show_default=True, help="parquet, csv or parquet,csv.")
@click.option("--force", is_flag=True, help="Replace the destination if it exists.")
@click.option("--workers", "-w", type=int, default=1, show_default=True,
              help="Processes making shards at once (with --engine dask: LocalCluster workers); "
                   "the output is identical for any number.")
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True,
              help="local: this machine's processes; dask: shards as Dask tasks (needs the dask extra). "
                   "Identical output.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: a running Dask scheduler (tcp://host:8786); default: start a "
                   "LocalCluster of --workers processes.")
@click.option("--agencies", default=None, metavar="A,B",
              help="Only these agencies of the profile (comma-separated; default: all). The truth is always written.")
@click.option("--errors", "errors", type=float, default=1.0, show_default=True, metavar="SCALE",
              help="Multiply every identifier-error rate of the profile (0: clean identifiers; 2: twice as many).")
@click.option("--dirty", "dirty", is_flag=False, flag_value="1", default="0", metavar="[LEVEL]",
              help="Plant data-quality faults for cleaning courses (1 few, 2 typical, 3 many; --dirty alone: 1), "
                   "each logged in truth/quality_issues. Default: a clean run.")
@click.option("--no-duckdb", is_flag=True, help="Skip building synth.duckdb (saves time on very large runs).")
@click.option("--no-validate", is_flag=True, help="Skip validation (report.json/report.html) at the end.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.option("--log-json", "log_json", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write progress as JSON lines (phase, event, done, total, elapsed_s) to FILE.")
def generate_cmd(profile: str, families: int | None, seed: int | None, out: Path | None, fmt: str, force: bool,
                 workers: int, engine: str, scheduler: str | None, agencies: str | None, errors: float,
                 dirty: str, no_duckdb: bool, no_validate: bool, quiet: bool, log_json: Path | None) -> None:
    """Generate synthetic extracts from PROFILE (a name or a YAML path)."""
    from rich.console import Console
    from rich.table import Table

    started = time.perf_counter()  # the summary's time is the command's wall time, validation included

    check_sizes(families, seed, _formats(fmt), workers)  # before loading the profile: cheapest first
    check_error_scale(errors)
    level = check_dirty_level(dirty)
    request = resolve(load_profile(profile), families=families, seed=seed, formats=_formats(fmt),
                      agencies=[a.strip() for a in agencies.split(",") if a.strip()] if agencies else None,
                      out=out, force=force, workers=workers, engine=engine, scheduler=scheduler,
                      duckdb=not no_duckdb, validate=not no_validate, errors=errors, dirty=level)
    prof, n, s = request.loaded.profile, request.families, request.seed
    passed = True
    with Reporter(quiet=quiet, log_json=log_json) as progress:
        result = run(request, progress=progress)
        if request.validate:
            from synth.cli.validate import run_validation

            passed = run_validation(result.path, quiet=True, progress=progress)
    found = request.validate and not passed and level > 0 and faults_only(result.path)
    passed = passed or found  # a --dirty run fails the checks its planted faults break: that is its purpose
    wall = time.perf_counter() - started
    if quiet:
        click.echo(str(result.path))
        if not passed:
            sys.exit(1)
        return
    table = Table(title=f"{prof.name}: {n:,} families, seed {s}", title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for key, rows in result.counts.items():
        table.add_row(key, f"{rows:,}")
    out_console = Console()
    out_console.print(table)
    out_console.print(f"Wrote {result.path} in {wall:.1f} s: {time_line(progress.durations, n)}.", highlight=False,
                      soft_wrap=True)
    if request.validate:
        verdict = ("all checks pass" if passed and not found else
                   "checks fail on the planted faults, as they should (recall per fault kind: planted_faults_found "
                   "in report.html)" if found else "SOME CHECKS FAIL (see report.html; `synth validate` for details)")
        out_console.print(f"Validation: {verdict}; reports in {result.path}/report.html and report.json.")
        if not passed:
            sys.exit(1)
