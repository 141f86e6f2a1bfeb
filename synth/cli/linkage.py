"""``synth linkage``: score a linkage against a run's truth, make candidate pairs, link exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from synth.linkage.rules import DEFAULT_RULES, KEYS, MAX_PAIRS, RULES

if TYPE_CHECKING:
    from rich.console import Console


def _console() -> Console:
    from rich.console import Console

    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=140)


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


@click.group("linkage")
def linkage() -> None:
    """Linkage tools: score a linkage, make labelled candidate pairs, a deterministic baseline."""


@linkage.command("score")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("links_file", type=click.Path(path_type=Path))
@click.option("--agencies", default=None, help="Comma-separated agencies to score (default: those in LINKS_FILE).")
@click.option("--closure", is_flag=True, help="For pairs: score their transitive closure (connected components).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def score_cmd(run_dir: Path, links_file: Path, agencies: str | None, closure: bool, as_json: bool) -> None:
    """Score LINKS_FILE (CSV or Parquet) against RUN_DIR's truth.

    LINKS_FILE holds pairs (agency_l, id_l, agency_r, id_r) or clusters (agency, id, cluster);
    ids are agency person ids (SYSTEM_ID). Pairs are scored as given, without transitive closure,
    unless --closure. Precision, recall and F1 are per unordered agency pair (an agency with itself
    is de-duplication), then across agencies, then overall.
    """
    from rich.table import Table

    from synth.linkage.io import open_run, read_linkage, split_list
    from synth.linkage.score import score

    run = open_run(run_dir)
    result = score(run, read_linkage(links_file, run), split_list(agencies), closure)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    how = result["shape"] + (" (transitive closure)" if result["closure"] else "")
    table = Table(title=f"linkage {links_file} ({how}) against {run_dir}: {result['records']:,} records",
                  title_justify="left")
    for col in ("agencies", "true pairs", "predicted", "true pos.", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "agencies" else "right")
    for r in result["rows"]:
        name = f"{r['agency_l']} × {r['agency_r']}" if r["agency_r"] else f"[bold]{r['agency_l']}[/]"
        table.add_row(name, f"{r['true_pairs']:,}", f"{r['predicted_pairs']:,}", f"{r['true_positives']:,}",
                      _ratio(r["precision"]), _ratio(r["recall"]), _ratio(r["f1"]))
    _console().print(table)


@linkage.command("pairs")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="Output file: .parquet or .csv.")
@click.option("--agencies", default=None, help="Comma-separated agencies (default: every agency with a File 1).")
@click.option("--block", "rules", multiple=True,
              help=f"Blocking rule, repeatable, first match tags the pair: {', '.join(RULES)}, or fields joined "
                   f"by '+' from {', '.join(KEYS)}. Default: {' '.join(DEFAULT_RULES)}.")
@click.option("--within", is_flag=True, help="Also pair records of the same agency (duplicates).")
@click.option("--max-pairs", type=int, default=MAX_PAIRS, show_default=True,
              help="Refuse when blocking could make more candidate pairs than this.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def pairs_cmd(run_dir: Path, out: Path, agencies: str | None, rules: tuple[str, ...], within: bool, max_pairs: int,
              as_json: bool, force: bool) -> None:
    """Write blocked candidate pairs of RUN_DIR's File 1 records with comparison features and truth labels.

    Columns: agency_l, id_l, agency_r, id_r, block_rule (the first rule that made the pair),
    nhs_exact, dob_exact, dob_day_month_swapped, dob_year_diff, surname_jw, forename_jw,
    forename_initial_match, postcode_exact, postcode_outward_match, sex_match (null where a value
    is missing on either side) and match (same true person). Blocking recall = true pairs found /
    every true pair among the chosen records (across agencies, plus within them with --within).
    """
    from rich.table import Table

    from synth.linkage.io import open_run, split_list
    from synth.linkage.output import output_path
    from synth.linkage.pairs import make_pairs

    out, fmt = output_path(out, force)
    s = make_pairs(open_run(run_dir), out, fmt, split_list(agencies), list(rules) or None, within, max_pairs)
    if as_json:
        click.echo(json.dumps(s, indent=2))
        return
    table = Table(title=f"candidate pairs of {', '.join(s['agencies'])} ({s['scope']}; {s['records']:,} records)",
                  title_justify="left")
    for col in ("rule", "fields", "pairs", "true pairs", "pairs alone"):
        table.add_column(col, justify="left" if col in ("rule", "fields") else "right")
    for r in s["rules"]:
        table.add_row(r["rule"], r["fields"], f"{r['pairs']:,}", f"{r['matches']:,}", f"{r['pairs_alone']:,}")
    table.add_row("[bold]total[/]", "", f"{s['pairs']:,}", f"{s['true_pairs_found']:,}", "")
    console = _console()
    console.print(table)
    console.print(f"blocking recall {_ratio(s['blocking_recall'])} ({s['true_pairs_found']:,} of "
                  f"{s['true_pairs_total']:,} true pairs); matches are {_ratio(s['match_share'])} of pairs; "
                  f"wrote {s['out']} in {s['seconds']:.1f} s")
    if s["records_without_truth"]:
        click.echo(f"note: {s['records_without_truth']:,} File 1 records are not in truth/links; "
                   "they are labelled match = false", err=True)


@linkage.command("link")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--on", "on", required=True, help="Comma-separated File 1 columns, e.g. NHS_NUMBER,DATE_OF_BIRTH.")
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="Output clusters (agency, id, cluster): .parquet or .csv.")
@click.option("--agencies", default=None, help="Comma-separated agencies (default: every agency with a File 1).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def link_cmd(run_dir: Path, on: str, out: Path, agencies: str | None, as_json: bool, force: bool) -> None:
    """Link RUN_DIR's File 1 records agreeing exactly (and non-null) on every --on column.

    Writes clusters that `synth linkage score` reads; records missing any --on value stay alone.
    """
    from synth.linkage.deterministic import link_exact
    from synth.linkage.io import open_run, split_list
    from synth.linkage.output import output_path

    out, fmt = output_path(out, force)
    s = link_exact(open_run(run_dir), split_list(on) or [], out, fmt, split_list(agencies))
    if as_json:
        click.echo(json.dumps(s, indent=2))
        return
    click.echo(f"linked {s['linked_records']:,} of {s['records']:,} records ({s['records_with_key']:,} have every "
               f"{'+'.join(s['on'])}) into {s['clusters']:,} clusters; wrote {s['out']} in {s['seconds']:.1f} s")
    click.echo(f"score it: synth linkage score {run_dir} {s['out']}")


@linkage.command("splink")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path),
              help="Output clusters (agency, id, cluster): .parquet or .csv.")
@click.option("--agencies", default=None, help="Comma-separated agencies (default: every agency with a File 1).")
@click.option("--threshold", type=float, default=0.9, show_default=True,
              help="Match probability at which pairs are linked into clusters.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary (with the threshold curve) as JSON.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def splink_cmd(run_dir: Path, out: Path, agencies: str | None, threshold: float, as_json: bool, force: bool) -> None:
    """Link RUN_DIR's File 1 records with Splink's default model (needs the linkage extra).

    Trains on the run, clusters pairs at --threshold and scores the clusters against the truth,
    beside the exact scorer (synth/linkage/splink.py documents the model).
    """
    from synth.linkage.io import open_run, read_linkage, split_list
    from synth.linkage.output import output_path
    from synth.linkage.score import score
    from synth.linkage.splink import link_splink

    out, fmt = output_path(out, force)
    run = open_run(run_dir)
    s = link_splink(run, out, fmt, split_list(agencies), threshold)
    result = score(run, read_linkage(out, run), s["agencies"])
    overall = next(r for r in result["rows"] if r["agency_l"] == "overall")
    s["score"] = {k: overall[k] for k in ("true_pairs", "predicted_pairs", "true_positives", "precision", "recall",
                                          "f1")}
    if as_json:
        click.echo(json.dumps(s, indent=2))
        return
    click.echo(f"Splink linked {s['linked_records']:,} of {s['records']:,} records into {s['clusters']:,} clusters "
               f"at match probability {threshold}; wrote {s['out']} in {s['seconds']:.1f} s")
    click.echo(f"pairs: precision {_ratio(overall['precision'])}, recall {_ratio(overall['recall'])}, "
               f"F1 {_ratio(overall['f1'])} ({overall['true_pairs']:,} true pairs)")
    true = overall["true_pairs"] or 0
    for c in s["curve"]:
        prec = c["true_positives"] / c["predicted_pairs"] if c["predicted_pairs"] else None
        rec = c["true_positives"] / true if true else None
        click.echo(f"  at {c['threshold']:<6} pairs {c['predicted_pairs']:>8,}  precision {_ratio(prec)}  "
                   f"recall {_ratio(rec)}")
