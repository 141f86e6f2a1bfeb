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
def returns_cmd(run_dir: Path, agency: str, out: Path, years: tuple[int, ...], las: tuple[str, ...],
                force: bool) -> None:
    """Write RUN_DIR's LA returns as the CSV files each local authority submits."""
    from synth.returns import write_returns

    res = write_returns(run_dir, agency, out, years=years, las=las, force=force)
    rows = ", ".join(f"{k} {v:,}" for k, v in res.rows.items())
    click.echo(f"wrote {len(res.returns):,} returns ({agency}) to {res.path}: {rows}")
