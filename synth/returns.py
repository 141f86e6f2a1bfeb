"""Local authority returns: an agency's per-(collection year, LA) tables as the CSV files an LA submits.

For the SSDA903 view this writes ``<out>/<YEAR>/<LA>/<table>.csv`` with the file names the DfE's
903 tools expect (header.csv, episodes.csv, reviews.csv, ad1.csv, placed_for_adoption.csv,
previous_permanence.csv, missing.csv; domain/schemas.md 3.1, S-QLAC), the columns in the declared
(DfE) order without the ``LA`` and ``YEAR`` partition columns, dates as dd/mm/YYYY and blanks empty.
Every table is read once and cut into groups by sorting on (YEAR, LA); each return gets every file,
with only a header where the LA has no rows that year. A ``manifest.json`` at the top says what was
written (and lets ``--force`` replace the folder later). Written through the staged writer
(:mod:`synth.export.staging`), so a failure leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from synth.errors import InputError
from synth.export.manifest import write_manifest
from synth.export.staging import check_apart, check_replaceable, staged_dir
from synth.profile.models import Table
from synth.progress import SILENT, Reporter

if TYPE_CHECKING:
    from synth.validate.core import RunData

PARTITION = ("YEAR", "LA")
DATE_FORMAT = "%d/%m/%Y"


@dataclass
class ReturnsResult:
    """What was written: the folder, the (year, LA) returns and rows per file name."""

    path: Path
    returns: list[tuple[int, str]]
    rows: dict[str, int] = field(default_factory=dict)


def _tables(run: RunData, agency: str) -> dict[str, Table]:
    """The agency's table specs keyed by file stem, checked for the partition columns."""
    agencies = run.profile.agencies
    if agency not in agencies:
        raise InputError(f"--agency {agency}: not an agency of profile {run.profile.name}; give one of: "
                         f"{', '.join(agencies)}")
    specs: dict[str, Table] = {}
    for spec in agencies[agency].tables.values():
        names = [c.name for c in spec.columns]
        if all(p in names for p in PARTITION):  # other tables (e.g. File 1) are not part of the return
            specs[spec.name] = spec
    if not specs:
        raise InputError(f"--agency {agency}: no table has LA and YEAR columns, so it is not an LA return; "
                         "choose an agency such as ssda903")
    return specs


def _read(run: RunData, agency: str, spec: Table) -> pa.Table:
    path = run.path / agency / spec.name
    if not path.is_dir():
        raise InputError(f"{path} is missing; generate the run with Parquet output (the default)")
    cols = [c.name for c in spec.columns]
    try:
        schema = pq.ParquetDataset(path).schema  # a folder of parts (synth.layout)
        missing = [c for c in cols if c not in schema.names]
        if not missing:
            table = pq.read_table(path, columns=cols)
    except (OSError, pa.ArrowException) as e:
        first = (str(e).splitlines() or [""])[0][:160]
        raise InputError(f"{path}: unreadable ({type(e).__name__}: {first}); regenerate the run") from None
    if missing:
        raise InputError(f"{path}: no column {', '.join(missing)}; regenerate the run")
    for name, ok, want in (("YEAR", pa.types.is_integer, "whole numbers"), ("LA", _is_text, "text")):
        if not ok(table.schema.field(name).type):
            raise InputError(f"{path}: column {name} holds {table.schema.field(name).type}, not {want}; "
                             "regenerate the run")
    return table


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t)


def _as_text(table: pa.Table, keep: list[str]) -> pa.Table:
    """The ``keep`` columns as text: dates dd/mm/YYYY, numbers as digits, nulls stay null."""
    arrays = []
    for name in keep:
        col = table.column(name)
        if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
            col = pc.strftime(col.cast(pa.timestamp("s")), format=DATE_FORMAT)
        elif not pa.types.is_string(col.type):
            col = col.cast(pa.string())
        arrays.append(col)
    return pa.Table.from_arrays(arrays, names=keep)


def _quoting(text: pa.Table) -> str:
    """No quotes, as in the LAs' files, unless a value holds a comma, quote or line break."""
    for col in text.columns:
        if pc.any(pc.match_substring_regex(col, r'[,"\r\n]')).as_py():
            return "needed"
    return "none"


def _write(path: Path, text: pa.Table, options: pacsv.WriteOptions) -> None:
    """One CSV file: a plain header line, then the rows."""
    with path.open("wb") as f:
        f.write((",".join(text.column_names) + "\n").encode("utf-8"))
        if text.num_rows:
            pacsv.write_csv(text, f, options)


def _write_table(staging: Path, t: pa.Table, spec: Table, name: str, pairs: list[tuple[int, str]]) -> int:
    """Write one table's file into every return folder (a header only where the LA has no rows)."""
    keep = [c.name for c in spec.columns if c.name not in PARTITION]
    text = _as_text(t, keep)
    options = pacsv.WriteOptions(include_header=False, quoting_style=_quoting(text))
    year = t["YEAR"].to_numpy(zero_copy_only=False)
    la = t["LA"].to_numpy(zero_copy_only=False)
    cut = np.flatnonzero((year[1:] != year[:-1]) | (la[1:] != la[:-1])) + 1 if len(year) else np.zeros(0, int)
    bounds = np.concatenate([[0], cut, [len(year)]]).astype(int)
    written = set()
    for a, b in zip(bounds[:-1], bounds[1:]):
        if b > a:
            _write(staging / str(year[a]) / la[a] / f"{name}.csv", text.slice(a, b - a), options)
            written.add((int(year[a]), la[a]))
    empty = text.slice(0, 0)
    for y, la_code in pairs:
        if (y, la_code) not in written:
            _write(staging / str(y) / la_code / f"{name}.csv", empty, options)
    return t.num_rows


def write_returns(run_dir: Path, agency: str, out: Path, years: tuple[int, ...] = (), las: tuple[str, ...] = (),
                  force: bool = False, progress: Reporter | None = None) -> ReturnsResult:
    """Write an agency's LA returns from a run folder.

    Args:
        run_dir: a run made by ``synth generate``.
        agency: the agency key in the run's profile (``ssda903``).
        out: destination folder (replaced only with ``force``).
        years: collection years to write (all when empty).
        las: LA codes to write (all when empty).
        force: replace an existing ``out``.
        progress: shows and logs ``returns:read`` and ``returns:write`` per table (display only).

    Raises:
        InputError: the run, the agency or its tables cannot be read, or an asked-for year or LA
            has no return.
        OutputError: ``out`` exists without ``force``, or cannot be written.
    """
    from synth.validate.core import RunData

    run = RunData(Path(run_dir))
    specs = _tables(run, agency)
    out = Path(out)
    check_apart(out, Path(run_dir))
    check_replaceable(out, force)
    data = {}
    rep = progress or SILENT
    with rep.phase("returns:read", total=len(specs)) as phase:
        for name, spec in specs.items():
            data[name] = _read(run, agency, spec)
            phase.advance()
    both = pa.concat_tables([t.select(list(PARTITION)) for t in data.values()])
    have_years = set(pc.unique(both["YEAR"]).to_pylist())
    have_las = set(pc.unique(both["LA"]).to_pylist())
    missing = [str(y) for y in years if y not in have_years] + [la for la in las if la not in have_las]
    if missing:
        raise InputError(f"no {agency} return for {', '.join(missing)} in this run (years "
                         f"{min(have_years, default='-')}-{max(have_years, default='-')}, {len(have_las)} LAs)")
    for name, t in data.items():
        mask = None
        if years:
            mask = pc.is_in(t["YEAR"], pa.array(list(years), pa.int64()))
        if las:
            m2 = pc.is_in(t["LA"], pa.array(list(las), pa.string()))
            mask = m2 if mask is None else pc.and_(mask, m2)
        if mask is not None:
            t = t.filter(mask)
        order = [*PARTITION, *(k for k in specs[name].key if k not in PARTITION)]
        data[name] = t.sort_by([(k, "ascending") for k in order])
    both = pa.concat_tables([t.select(list(PARTITION)) for t in data.values()])
    uniq = both.group_by(list(PARTITION)).aggregate([])
    pairs = sorted(zip(uniq["YEAR"].to_pylist(), uniq["LA"].to_pylist()))
    if not pairs:
        raise InputError(f"no {agency} return for LA {', '.join(las)} in year {', '.join(map(str, years))}")
    result = ReturnsResult(path=out, returns=pairs)
    with staged_dir(out, force) as staging, rep.phase("returns:write", total=len(data)) as phase:
        for y, la in pairs:
            (staging / str(y) / la).mkdir(parents=True)
        for name, t in data.items():
            result.rows[f"{name}.csv"] = _write_table(staging, t, specs[name], name, pairs)
            phase.advance()
        write_manifest(staging / "manifest.json", {
            "kind": "synth returns", "run": str(Path(run_dir).resolve()), "agency": agency,
            "years": sorted({y for y, _ in pairs}), "las": sorted({la for _, la in pairs}),
            "returns": len(pairs), "rows": result.rows})
    return result
