"""``synth returns``: an agency's local authority returns (e.g. the SSDA903 CSV files) from a run."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("returns")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--agency", default="ssda903", show_default=True, help="Agency whose tables are LA returns.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Folder to write <YEAR>/<LA>/<file>.csv into.")
@click.option("--year", "years", multiple=True, type=int, help="Collection year (year ending 31 March); repeatable.")
@click.option("--la", "las", multiple=True, help="Local authority GSS code; repeatable.")
@click.option("--force", is_flag=True, help="Replace an existing --out folder.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.option("--log-json", "log_json", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write progress as JSON lines (phase, event, done, total, elapsed_s) to FILE.")
def returns_cmd(run_dir: Path, agency: str, out: Path, years: tuple[int, ...], las: tuple[str, ...],
                force: bool, quiet: bool, log_json: Path | None) -> None:
    """Write RUN_DIR's LA returns as the CSV files each local authority submits."""
    from synth.progress import Reporter
    from synth.returns import write_returns

    with Reporter(quiet=quiet, log_json=log_json) as progress:
        res = write_returns(run_dir, agency, out, years=years, las=las, force=force, progress=progress)
    if quiet:
        return
    rows = ", ".join(f"{k} {v:,}" for k, v in res.rows.items())
    click.echo(f"wrote {len(res.returns):,} returns ({agency}) to {res.path}: {rows}")
