"""``synth sql``: run a query written for the real tables (SAIL DB2, MoJ Athena/Presto) on a run.

Exit codes: 0 when the script ran, 2 for any user error (missing file, syntax error, unknown
dialect, a folder that is not a run, an unknown table or column), printed as one line.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pandas as pd

from synth.errors import InputError

#: Markers that say a script is DB2 (SAIL) or Presto/Athena (MoJ) when --dialect is not given.
_DB2 = re.compile(r"\bSAIL\d+V\b|\bSAILW\d+V\b|\bWITH\s+UR\b|\bFETCH\s+FIRST\b|\bCURRENT\s+(DATE|TIMESTAMP)\b|"
                  r"\bDAYS_BETWEEN\b|\bADD_(DAYS|MONTHS|YEARS)\b|\bDECLARE\s+GLOBAL\s+TEMPORARY\b|\bSYSCAT\.|"
                  r"\bROWNUMBER\b|\bFNC\.DROP_IF_EXISTS\b", re.IGNORECASE)
_PRESTO = re.compile(r"\bfamilyman_\w*\.|\bawsdatacatalog\.|\bdate_parse\s*\(|\bfrom_iso8601", re.IGNORECASE)


def guess_dialect(sql: str) -> str:
    """``db2`` when the script has DB2/SAIL markers, ``presto`` for MoJ Athena markers, else ``duckdb``."""
    if _DB2.search(sql):
        return "db2"
    return "presto" if _PRESTO.search(sql) else "duckdb"


def write_result(df: pd.DataFrame, out: Path, force: bool) -> None:
    """Write ``df`` to ``out`` (.csv or .parquet) through the staged writer.

    Raises:
        InputError: for another extension.
        OutputError: when ``out`` exists (without ``force``) or cannot be written.
    """
    from synth.export.staging import staged_files

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(f"--out {out}: unknown file type '{suffix or '(none)'}'; end the name in .csv or .parquet")
    with staged_files([out], force=force) as folder:
        if suffix == ".csv":
            df.to_csv(folder / out.name, index=False)
        else:
            df.to_parquet(folder / out.name, index=False)


def print_result(df: pd.DataFrame, max_rows: int) -> None:
    """Print ``df`` as a table of at most ``max_rows`` rows, with a note when rows are left out."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    table = Table(show_edge=False)
    for col in df.columns:
        table.add_column(escape(str(col)), overflow="fold")
    for row in df.head(max_rows).itertuples(index=False, name=None):
        table.add_row(*("" if pd.isna(v) else escape(str(v)) for v in row))
    console.print(table)
    more = len(df) - min(len(df), max_rows)
    note = f"{len(df):,} row{'s' * (len(df) != 1)}"
    if more:
        note += f" ({more:,} not shown; raise --max-rows or write them all with --out FILE.csv)"
    click.echo(note, err=True)


@click.command("sql")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dialect", "-d", default=None, metavar="DIALECT",
              help="db2 (SAIL), presto/trino/athena (MoJ analytical platform) or duckdb (the run's own names); "
                   "default: guessed from the file (DB2 markers such as SAILnnnnV, WITH UR, FETCH FIRST -> db2; "
                   "familyman_dev_v2. -> presto; otherwise duckdb).")
@click.option("--run", "run_dir", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="The run folder (made by `synth generate`).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Write the result to FILE.csv or FILE.parquet instead of printing it.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@click.option("--explain", is_flag=True, help="Print the DuckDB SQL the file becomes, without running it.")
@click.option("--max-rows", type=click.IntRange(min=0), default=50, show_default=True,
              help="Rows printed (the rest are counted).")
def sql_cmd(file: Path, dialect: str | None, run_dir: Path, out: Path | None, force: bool, explain: bool,
            max_rows: int) -> None:
    """Run the statements of FILE on a run and print (or --out) the last query's rows."""
    from synth.sql import explain as explain_sql
    from synth.sql import query, read_script
    from synth.sql.translate import check_dialect

    text = read_script(file)
    chosen = check_dialect(dialect) if dialect else guess_dialect(text)
    if explain:
        click.echo(explain_sql(run_dir, text, chosen, where=str(file)), nl=False)
        return
    df = query(run_dir, text, chosen, where=str(file))
    if out is not None:
        write_result(df, out, force)
        click.echo(f"Wrote {len(df):,} rows to {out}", err=True)
    else:
        print_result(df, max_rows)
