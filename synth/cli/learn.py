"""``synth learn``: learn a disclosure-controlled profile from an agency's extract."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("learn")
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--agency", "-a", required=True, help="Agency key in the base profile (e.g. cafcass_england).")
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Profile to write (.yaml); the disclosure log (.disclosure.md/.json) and volumes go beside it.")
@click.option("--profile", "base", default="england_wales", show_default=True,
              help="Base profile (name or path): declares the agency's tables and supplies what is not learned.")
@click.option("--threshold", type=int, default=10, show_default=True,
              help="Minimum contributors behind any published cell or summary.")
@click.option("--rounding", type=int, default=5, show_default=True, help="Base to which published counts are rounded.")
@click.option("--force", is_flag=True, help="Replace existing output files.")
@click.option("--allow-risk", is_flag=True,
              help="Write the profile even if the privacy gate fails (recorded in the disclosure log).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary (a privacy breach is still reported).")
@click.option("--log-json", "log_json", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Write progress as JSON lines (phase, event, done, total, elapsed_s) to FILE.")
def learn_cmd(data_dir: Path, agency: str, out: Path, base: str, threshold: int, rounding: int, force: bool,
              allow_risk: bool, quiet: bool, log_json: Path | None) -> None:
    """Learn a profile from DATA_DIR (Parquet/CSV tables of one agency, or a DuckDB file)."""
    from synth.cli.fit import report_breach
    from synth.learn import Rules, learn
    from synth.learn.gate import PrivacyBreach
    from synth.progress import Reporter

    try:
        with Reporter(quiet=quiet, log_json=log_json) as progress:
            result = learn(data_dir, agency, out, base=base, rules=Rules(threshold=threshold, rounding=rounding),
                           force=force, allow_risk=allow_risk, progress=progress)
    except PrivacyBreach as e:
        report_breach(e)
    if quiet:
        return
    names = sorted({lf.name for lf in result.leaves})
    click.echo(f"Learned {len(names)} distributions ({len(result.leaves)} cases): {', '.join(names)}")
    if result.kept:
        click.echo(f"Kept from the base profile: {', '.join(sorted(result.kept))}")
    click.echo(f"Wrote {result.profile}" + (f", {result.volumes.name}" if result.volumes else "")
               + f"; disclosure log {result.log_md.name} and {result.log_json.name}")
