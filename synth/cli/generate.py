"""``synth generate``: make a run folder from a profile."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from synth.engine.workers import ENGINES
from synth.pipeline import check_sizes, resolve, run
from synth.profile.loader import load_profile


def _formats(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


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
@click.option("--no-duckdb", is_flag=True, help="Skip building synth.duckdb (saves time on very large runs).")
@click.option("--no-validate", is_flag=True, help="Skip validation (report.json/report.html) at the end.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def generate_cmd(profile: str, families: int | None, seed: int | None, out: Path | None, fmt: str, force: bool,
                 workers: int, engine: str, scheduler: str | None, agencies: str | None, no_duckdb: bool,
                 no_validate: bool, quiet: bool) -> None:
    """Generate synthetic extracts from PROFILE (a name or a YAML path)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    check_sizes(families, seed, _formats(fmt), workers)  # before loading the profile: cheapest first
    request = resolve(load_profile(profile), families=families, seed=seed, formats=_formats(fmt),
                      agencies=[a.strip() for a in agencies.split(",") if a.strip()] if agencies else None,
                      out=out, force=force, workers=workers, engine=engine, scheduler=scheduler,
                      duckdb=not no_duckdb, validate=not no_validate)
    prof, n, s = request.loaded.profile, request.families, request.seed
    console = Console(stderr=True, quiet=quiet)
    with Progress(TextColumn("families"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("families", total=n)
        result = run(request, on_progress=lambda done, total: bar.update(task, completed=done))
    passed = True
    if request.validate:
        from synth.cli.validate import run_validation

        passed = run_validation(result.path, quiet=True)
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
    secs = result.timings.get("total_s", 0.0)
    rate = n / result.timings["generate_s"] if result.timings.get("generate_s") else 0
    out_console.print(f"Wrote {result.path} in {secs:.1f} s ({rate:,.0f} families/s).")
    if request.validate:
        verdict = "all checks pass" if passed else "SOME CHECKS FAIL (see report.html; `synth validate` for details)"
        out_console.print(f"Validation: {verdict}; reports in {result.path}/report.html and report.json.")
        if not passed:
            sys.exit(1)
