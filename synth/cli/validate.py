"""``synth validate``: integrity, realism and privacy of a run folder, with reports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from synth.errors import InputError


def run_validation(path: Path, profile=None, reference=None, json_path=None, html_path=None, sdv=False,
                   quiet=False) -> bool:
    """Validate, write the reports, print a summary; return whether everything passed."""
    from rich.console import Console
    from rich.table import Table

    from synth.validate.report import write_reports
    from synth.validate.runner import validate

    if reference is not None and not Path(reference).is_dir():
        raise InputError(f"--reference {reference}: no such folder; give a folder of CSV or Parquet files")
    results, meta = validate(path, profile=profile, reference=reference, sdv=sdv)
    json_path = Path(json_path) if json_path else path / "report.json"
    html_path = Path(html_path) if html_path else path / "report.html"
    write_reports(results, meta, json_path, html_path)
    verdict = meta["verdict"]
    if quiet:
        return verdict["passed"]
    console = Console()
    table = Table(title=f"validation of {path}", title_justify="left")
    for col in ("group", "verdict", "checks", "failed"):
        table.add_column(col)
    for group, v in verdict["groups"].items():
        table.add_row(group, "[green]pass[/]" if v["passed"] else "[red]FAIL[/]", str(v["checks"]), str(v["failed"]))
    console.print(table)
    for r in results:
        if not r.passed:
            where = "/".join(x for x in (r.table, r.column) if x)
            console.print(f"[red]FAIL[/] {r.group}: {r.name} {where} — {r.detail}", highlight=False)
    sdv_info = meta.get("sdv")
    if isinstance(sdv_info, dict) and sdv_info.get("status") == "skipped":
        click.echo(f"note: {sdv_info['message']}", err=True)
    if not meta.get("profile_sha_matches", True):
        click.echo("note: the profile has changed since this run was generated; checks use the current one", err=True)
    console.print(f"{'PASS' if verdict['passed'] else 'FAIL'} in {meta['validation_seconds']:.1f} s; "
                  f"reports: {json_path}, {html_path}", highlight=False)
    return verdict["passed"]


@click.command("validate")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--profile", "-p", default=None, help="Judge against this profile instead of the run's own.")
@click.option("--reference", "-r", type=click.Path(path_type=Path), default=None,
              help="Folder of reference records (CSV/Parquet) that must not be reproduced.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None,
              help="Write the JSON report here (default RUN_DIR/report.json).")
@click.option("--html", "html_path", type=click.Path(path_type=Path), default=None,
              help="Write the HTML report here (default RUN_DIR/report.html).")
@click.option("--sdv", is_flag=True, help="Add SDV's diagnostic and quality reports (optional sdv extra).")
@click.option("--quiet", "-q", is_flag=True, help="No summary; the exit code says it all.")
def validate_cmd(run_dir, profile, reference, json_path, html_path, sdv, quiet):
    """Check RUN_DIR: exit 0 when every check passes, 1 when one fails, 2 when it cannot run."""
    ok = run_validation(run_dir, profile, reference, json_path, html_path, sdv, quiet)
    sys.exit(0 if ok else 1)
