"""``synth fit`` and ``synth sample``: an SDV HMA model of an agency's tables, behind a privacy gate.

Both need the optional ``sdv`` extra (``pip install '.[sdv]'``); without it they exit 2 with one
line saying so. A privacy-gate breach prints the failed checks and exits 1, writing nothing,
unless ``--allow-risk`` (recorded in the manifest).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from synth.learn.gate import PrivacyBreach


def report_breach(e: PrivacyBreach) -> NoReturn:
    """Print the failed privacy-gate checks on stderr and exit 1 (nothing was written)."""
    from synth.learn.gate import describe

    click.echo("privacy gate FAILED; nothing written (pass --allow-risk to write anyway):", err=True)
    for line in describe(e.results, failed_only=True):
        click.echo(f"  {line}", err=True)
    sys.exit(1)


def _report(results: list[dict]) -> None:
    from synth.learn.gate import describe, passed

    click.echo(f"Privacy gate: {'passed' if passed(results) else 'FAILED (written with --allow-risk)'}")
    for line in describe(results, failed_only=passed(results)):
        click.echo(f"  {line}")


@click.command("fit")
@click.argument("data_dir", type=click.Path(path_type=Path))
@click.option("--agency", "-a", required=True, help="Agency key in the profile (e.g. cafcass_england).")
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True, help="MODEL folder to write.")
@click.option("--profile", "base", default="england_wales", show_default=True,
              help="Profile (name or path) declaring the agency's tables.")
@click.option("--tables", default=None,
              help="Comma-separated tables to model: a root and up to 4 direct children (default: chosen "
                   "automatically, the largest such subtree).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for fitting and the gate sample.")
@click.option("--allow-risk", is_flag=True, help="Write the model even if the privacy gate fails (recorded).")
@click.option("--force", is_flag=True, help="Replace an existing MODEL folder.")
def fit_cmd(data_dir: Path, agency: str, out: Path, base: str, tables: str | None, seed: int, allow_risk: bool,
            force: bool) -> None:
    """Fit SDV's HMASynthesizer on DATA_DIR (one agency's tables) and save it as a MODEL folder."""
    from synth.learn import sdv_model
    from synth.learn.gate import PrivacyBreach

    sdv_model.require_sdv()
    names = [t.strip() for t in tables.split(",") if t.strip()] if tables else None
    try:
        r = sdv_model.fit(data_dir, agency, out, base=base, seed=seed, tables=names, allow_risk=allow_risk,
                          force=force)
    except PrivacyBreach as e:
        report_breach(e)
    click.echo(f"Fitted HMASynthesizer on {', '.join(f'{k} ({n:,} rows)' for k, n in r.rows.items())} "
               f"in {r.seconds:.1f}s")
    if r.plan.left_out:
        click.echo(f"Not modelled: {', '.join(r.plan.left_out)}")
    _report(r.gate)
    click.echo(f"Wrote {r.model}")


@click.command("sample")
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Folder; the tables go in OUT/<agency>/ as Parquet.")
@click.option("--scale", type=float, default=1.0, show_default=True, help="Rows relative to the training data.")
@click.option("--seed", type=int, default=0, show_default=True, help="Sampling seed.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Training data for the privacy gate (default: the DATA_DIR recorded by synth fit).")
@click.option("--allow-risk", is_flag=True, help="Write the sample even if the privacy gate fails (recorded).")
@click.option("--force", is_flag=True, help="Replace an existing OUT/<agency> folder.")
def sample_cmd(model: Path, out: Path, scale: float, seed: int, data_dir: Path | None, allow_risk: bool,
               force: bool) -> None:
    """Sample synthetic tables from a MODEL folder written by synth fit."""
    import math

    from synth.errors import InputError
    from synth.learn import sdv_model
    from synth.learn.gate import PrivacyBreach

    if not math.isfinite(scale) or scale <= 0:  # before the slow SDV import
        raise InputError(f"--scale {scale}: must be a positive number (1.0: as many rows as the training data)")
    sdv_model.require_sdv()
    try:
        r = sdv_model.sample(model, out, scale=scale, seed=seed, data_dir=data_dir, allow_risk=allow_risk,
                             force=force)
    except PrivacyBreach as e:
        report_breach(e)
    click.echo(f"Sampled {', '.join(f'{k} ({n:,} rows)' for k, n in r.rows.items())} in {r.seconds:.1f}s")
    _report(r.gate)
    click.echo(f"Wrote {r.folder}")
