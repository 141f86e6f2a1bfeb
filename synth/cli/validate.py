"""``synth validate``: integrity, realism and privacy of a run folder, with reports.

Exit codes: 0 when every check passes (skipped ones aside), 1 when a check fails or could not
run, 2 when the folder is not a run at all or a report cannot be written (one line, no traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from synth.errors import InputError
from synth.progress import SILENT, Reporter


def validate_and_report(path: Path, profile: str | Path | None = None, reference: Path | None = None,
                        json_path: Path | None = None, html_path: Path | None = None, sdv: bool = False,
                        quiet: bool = False, progress: Reporter | None = None) -> dict:
    """Validate, write the reports, print a summary unless ``quiet``; return the report's meta.

    Args:
        path: the run folder.
        profile: judge against this profile instead of the run's own.
        reference: folder of reference records that must not be reproduced.
        json_path: JSON report destination (default ``path/report.json``).
        html_path: HTML report destination (default ``path/report.html``).
        sdv: add SDV's reports (optional extra).
        quiet: print nothing.
        progress: shows and logs each check group and the report writing (display only).

    Returns:
        The report's meta, with ``verdict`` (a skipped check does not count against it).

    Raises:
        SynthError: when the folder is not a run, the reference is unusable or a report cannot be written.
    """
    from synth.cli.report_files import write_reports
    from synth.validate.report import check_report_path
    from synth.validate.runner import validate

    path = Path(path)
    if reference is not None and not Path(reference).is_dir():
        raise InputError(f"--reference {reference}: no such folder; give a folder of CSV or Parquet files")
    options = ("--json" if json_path else "report.json in the run folder",
               "--html" if html_path else "report.html in the run folder")
    json_path = Path(json_path) if json_path else path / "report.json"
    html_path = Path(html_path) if html_path else path / "report.html"
    if json_path.parent.is_dir() or options[0] == "--json":  # a run folder's own paths are checked with it
        check_report_path(json_path, options[0])
    if html_path.parent.is_dir() or options[1] == "--html":
        check_report_path(html_path, options[1])
    results, meta = validate(path, profile=profile, reference=reference, sdv=sdv, progress=progress)
    with (progress or SILENT).phase("validate:reports", total=2):
        write_reports(results, meta, json_path, html_path, options)
    if not quiet:
        _print_summary(path, results, meta, json_path, html_path)
    return meta


def run_validation(path: Path, profile: str | Path | None = None, reference: Path | None = None,
                   json_path: Path | None = None, html_path: Path | None = None, sdv: bool = False,
                   quiet: bool = False, progress: Reporter | None = None) -> bool:
    """Validate, write the reports, print a summary unless ``quiet``; return whether everything passed.

    See :func:`validate_and_report` for the arguments.

    Raises:
        SynthError: when the folder is not a run, the reference is unusable or a report cannot be written.
    """
    meta = validate_and_report(path, profile, reference, json_path, html_path, sdv, quiet, progress)
    return bool(meta["verdict"]["passed"])


def verdict_line(meta: dict, json_path: Path) -> str:
    """One line for a run that did not pass: how many checks failed, could not run, were skipped."""
    groups = meta["verdict"]["groups"].values()
    counts = {k: sum(int(g.get(k, 0)) for g in groups) for k in ("failed", "could_not_run", "skipped")}
    parts = [f"{counts['failed']} failed"] * bool(counts["failed"]) + \
            [f"{counts['could_not_run']} could not run"] * bool(counts["could_not_run"]) + \
            [f"{counts['skipped']} skipped"] * bool(counts["skipped"])
    return f"validation FAIL: {', '.join(parts)} (details in {json_path})"


def _print_summary(path: Path, results: list, meta: dict, json_path: Path, html_path: Path) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    verdict = meta["verdict"]
    console = Console()
    table = Table(title=f"validation of {escape(str(path))}", title_justify="left")
    for col in ("group", "verdict", "checks", "failed", "could not run", "skipped"):
        table.add_column(col)
    for group, v in verdict["groups"].items():
        table.add_row(group, "[green]pass[/]" if v["passed"] else "[red]FAIL[/]", str(v["checks"]), str(v["failed"]),
                      str(v.get("could_not_run", 0)), str(v.get("skipped", 0)))
    console.print(table)
    words = {"failed": "[red]FAIL[/]", "could_not_run": "[dark_orange]COULD NOT RUN[/]", "skipped": "[dim]SKIP[/]"}
    for r in results:
        if r.status in words:
            where = "/".join(x for x in (r.table, r.column) if x)
            at = f" {escape(where)}" if where else ""
            console.print(f"{words[r.status]} {r.group}: {escape(r.name)}{at} — {escape(r.detail)}", highlight=False)
    sdv_info = meta.get("sdv")
    if isinstance(sdv_info, dict) and sdv_info.get("status") in ("skipped", "could_not_run"):
        click.echo(f"note: {sdv_info['message']}", err=True)
    if not meta.get("profile_sha_matches", True):
        click.echo("note: the profile has changed since this run was generated; checks use the current one", err=True)
    console.print(f"{'PASS' if verdict['passed'] else 'FAIL'} in {meta['validation_seconds']:.1f} s; "
                  f"reports: {escape(str(json_path))}, {escape(str(html_path))}", highlight=False)


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
@click.option("--quiet", "-q", is_flag=True,
              help="No progress or summary: nothing when every check passes, else one line on stderr with the counts.")
@click.option("--log-json", "log_json", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write progress as JSON lines (phase, event, done, total, elapsed_s) to FILE.")
def validate_cmd(run_dir: Path, profile: str | None, reference: Path | None, json_path: Path | None,
                 html_path: Path | None, sdv: bool, quiet: bool, log_json: Path | None) -> None:
    """Check RUN_DIR: exit 0 when every check passes, 1 when one fails or could not run, 2 when RUN_DIR is not
    a run."""
    with Reporter(quiet=quiet, log_json=log_json) as progress:
        meta = validate_and_report(run_dir, profile, reference, json_path, html_path, sdv, quiet, progress)
    ok = bool(meta["verdict"]["passed"])
    if quiet and not ok:
        click.echo(verdict_line(meta, json_path or run_dir / "report.json"), err=True)
    sys.exit(0 if ok else 1)
