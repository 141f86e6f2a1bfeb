"""Reference comparison: exact and near copies of reference records, judged against a holdout baseline.

See synth.validate.privacy for how these checks fit with the other privacy checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from synth.errors import InputError
from synth.export.arrow import TRUTH_OUTPUTS
from synth.hashing import field_hashes, member, tuple_hashes
from synth.keys import GOLDEN, mix64
from synth.validate.core import MAX_EXAMPLES, CannotRun, CheckResult, RunData, examples_of
from synth.world.schema import TRUTH_TABLES, id_field

GROUP = "privacy"

#: Standard errors allowed above the baseline share.
Z_COPIES = 3.0
#: Fewest quasi-identifier columns a reference comparison needs.
MIN_QI = 2
REFERENCE_SUFFIXES = (".csv.gz", ".csv", ".parquet", ".pq")
TRUTH_TABLE_NAMES = TRUTH_OUTPUTS


def row_examples(df: pd.DataFrame, mask: np.ndarray, key: list[str]) -> list:
    """Key values of offending rows, or their row numbers when the table has no key."""
    key = [k for k in key if k in df.columns]
    if key:
        return examples_of(df, mask, key)
    return [int(i) for i in np.flatnonzero(mask)[:MAX_EXAMPLES]]


# --- reference comparison --------------------------------------------------------------------


def _stem(path: Path) -> str:
    name = path.name
    for suffix in REFERENCE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _read_one(path: Path) -> pd.DataFrame:
    if path.is_dir() or path.name.lower().endswith((".parquet", ".pq")):  # a file or a folder of parts
        return pd.read_parquet(path)
    return pd.read_csv(path, low_memory=False)


def read_references(reference: Path) -> list[tuple[Path, pd.DataFrame | str]]:
    """Each reference file with its frame, or the reason it could not be read.

    Raises:
        InputError: when the folder is missing or no file in it can be read.
    """
    if not reference.exists():
        raise InputError(f"{reference}: no such reference folder; give a folder of CSV or Parquet files")
    if reference.is_file():
        files = [reference]
    else:
        files = sorted(p for p in reference.iterdir() if (p.is_file() and p.name.lower().endswith(REFERENCE_SUFFIXES))
                       or (p.is_dir() and any(p.glob("*.parquet"))))  # a run's table: a folder of parts
    if not files:
        raise InputError(f"{reference}: no CSV or Parquet files in the reference folder")
    out: list[tuple[Path, pd.DataFrame | str]] = []
    for path in files:
        try:
            out.append((path, _read_one(path)))
        except Exception as e:  # any reader failure makes the file unreadable
            out.append((path, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}".rstrip(": ")))
    if all(isinstance(frame, str) for _, frame in out):
        raise InputError(f"{reference}: none of its {len(out)} reference file(s) could be read ({out[0][1]})")
    return out


@dataclass
class _Target:
    label: str
    load: Callable[[], pd.DataFrame]
    key: list[str]
    id_columns: list[str]


def _targets(run: RunData, stem: str) -> list[_Target]:
    """The synthetic tables a reference file stem names; truth/person when it names none."""
    s = stem.lower()
    found = []
    for akey, agency in run.profile.agencies.items():
        for tkey, spec in agency.tables.items():
            if spec.name.lower() == s:
                found.append(_Target(f"{akey}/{spec.name}", partial(run.agency_table, akey, tkey),
                                     list(spec.key), [c.name for c in spec.columns if c.id is not None]))
    for table in TRUTH_TABLE_NAMES:
        if table == s:
            key = [id_field(table)] if table in TRUTH_TABLES else []
            found.append(_Target(f"truth/{table}", partial(run.truth, table), key, []))
    return found or [_Target("truth/person", lambda: run.truth("person"), ["person_id"], [])]


def _is_key_column(name: str, id_columns: set[str]) -> bool:
    n = name.lower()
    return n in id_columns or n == "id" or n.endswith(("_id", "_e", "_pe"))  # _E / _PE: SAIL encrypted ids


def _failed_pair(label: str, path: Path, detail: str) -> list[CheckResult]:
    return [CheckResult(GROUP, name, False, label, detail=detail)
            for name in ("reference_exact_copies", "reference_near_copies")]


def _cannot_pair(label: str, reason: str) -> list[CheckResult]:
    return [CheckResult.could_not_run(GROUP, name, reason, label)
            for name in ("reference_exact_copies", "reference_near_copies")]


def reference_checks(run: RunData, path: Path, frame: pd.DataFrame | str) -> list[CheckResult]:
    """Exact and near copies of one reference file's records in each synthetic table it names."""
    results: list[CheckResult] = []
    for target in _targets(run, _stem(path)):
        if isinstance(frame, str):
            results += _cannot_pair(target.label, f"reference {path.name} could not be read ({frame})")
            continue
        try:
            syn = target.load()
        except CannotRun as e:
            results += _cannot_pair(target.label, f"{e}, so reference {path.name} cannot be compared with it")
            continue
        ids = {c.lower() for c in target.id_columns}
        ref_cols = {str(c).lower(): c for c in frame.columns}
        qi = [c for c in syn.columns if str(c).lower() in ref_cols and not _is_key_column(str(c), ids)]
        wanted = [c for c in syn.columns if not _is_key_column(str(c), ids)]
        if len(wanted) < MIN_QI:
            # A link table (ids and a role at most) holds nothing about a person that could be copied.
            results += [CheckResult(GROUP, name, True, target.label, detail=(
                f"{target.label} has no quasi-identifiers (non-id columns: {', '.join(map(str, wanted)) or 'none'}), "
                f"so no record of reference {path.name} can be copied into it."))
                for name in ("reference_exact_copies", "reference_near_copies")]
            continue
        if len(qi) < MIN_QI:
            have = ", ".join(map(str, qi)) or "none"
            results += _failed_pair(target.label, path, (
                f"Reference {path.name} shares {len(qi)} non-id column(s) with {target.label} ({have}); "
                f"at least {MIN_QI} are needed, from: {', '.join(map(str, wanted))}."))
            continue
        if len(frame) == 0:
            results += _failed_pair(target.label, path, f"Reference {path.name} has no records to compare.")
            continue
        stats = compare_records(syn[qi], frame[[ref_cols[str(c).lower()] for c in qi]])
        results += _copy_results(stats, syn, target, path, [str(c) for c in qi])
    return results


def _copy_results(stats: CopyStats, syn: pd.DataFrame, target: _Target, path: Path,
                  qi: list[str]) -> list[CheckResult]:
    out = []
    fields = f"{len(qi)} fields ({', '.join(qi)})"
    for name, stat_name, mask, holdout_hits, what in (
            ("reference_exact_copies", "share_exact_copies", stats.exact, stats.holdout_exact,
             "exact copies of a reference record"),
            ("reference_near_copies", "share_within_1_field", stats.near, stats.holdout_near,
             "within one field of a reference record")):
        n = stats.n_synthetic
        hits = int(mask.sum())
        share = hits / n if n else 0.0
        half = holdout_hits / stats.n_holdout if stats.n_holdout else 0.0
        baseline = 1.0 - (1.0 - half) ** 2
        # Two-proportion test (pooled variance): the baseline comes from a sample too, so a small
        # holdout with no chance copies must not make a few chance copies look like leakage.
        m = stats.n_holdout
        pooled = (hits + baseline * m) / (n + m) if n + m else 0.0
        se = math.sqrt(pooled * (1.0 - pooled) * ((1.0 / n if n else 0.0) + (1.0 / m if m else 0.0)))
        tolerance = baseline + Z_COPIES * se
        floor = (math.ceil(max(3.0, 1e-4 * n)) - 1) / n if n else 0.0  # a handful is always allowed
        tolerance = max(tolerance, floor) if n else 0.0
        passed = share <= tolerance
        extra = (f"; {stats.reference_copied:,} of {stats.n_reference:,} reference records are copied"
                 if name == "reference_exact_copies" else "")
        detail = (f"{hits:,} of {n:,} synthetic records in {target.label} ({share:.4%}) are {what} in "
                  f"{path.name} on {fields}{extra}; by chance a 50/50 split of the reference gives "
                  f"{holdout_hits:,} of {stats.n_holdout:,} holdout records ({half:.4%}, "
                  f"{baseline:.4%} scaled to the whole reference), "
                  f"{'within' if passed else 'beyond'} the tolerance of {tolerance:.4%}.")
        out.append(CheckResult(
            GROUP, name, passed, target.label, None, hits, row_examples(syn, mask, target.key),
            {"name": stat_name, "value": share, "tolerance": tolerance, "baseline": baseline,
             "holdout_share": half, "reference": path.name}, detail))
    return out


@dataclass
class CopyStats:
    """How synthetic records coincide with reference records, and the reference's own baseline.

    Attributes:
        n_synthetic: synthetic records compared.
        n_reference: reference records compared.
        exact: per synthetic record, whether a reference record has the same tuple.
        near: per synthetic record, whether a reference record differs in at most one field.
        reference_copied: reference records with an exact copy among the synthetic records.
        n_holdout: reference records in the holdout half.
        holdout_exact: holdout records with an exact copy in the train half.
        holdout_near: holdout records within one field of a train record.
    """

    n_synthetic: int
    n_reference: int
    exact: np.ndarray
    near: np.ndarray
    reference_copied: int
    n_holdout: int
    holdout_exact: int
    holdout_near: int


def compare_records(synthetic: pd.DataFrame, reference: pd.DataFrame) -> CopyStats:
    """Exact and distance-1 copies of reference records among synthetic records, by hash joins.

    Fields are matched by position, so give both frames the same quasi-identifier columns in the
    same order. Values are normalised (dates to ISO strings, text stripped and upper-cased,
    numbers as strings, blanks equal to blanks) and hashed to 64 bits per field; a tuple's hash is
    the mixed sum of its field hashes and, for distance 1, each field's "all but this field" hash
    is the sum minus that field. Every join is a hash semi-join, O(n * k) in time and memory.

    Args:
        synthetic: synthetic records, one column per quasi-identifier.
        reference: reference records with the same columns in the same order.

    Returns:
        The per-record flags and counts, with the holdout->train baseline of the reference.
    """
    if synthetic.shape[1] != reference.shape[1]:
        raise ValueError(f"synthetic has {synthetic.shape[1]} columns, reference {reference.shape[1]}")
    syn_fields = field_hashes(synthetic)
    ref_fields = field_hashes(reference)
    syn_full, syn_loo = tuple_hashes(syn_fields, len(synthetic))
    ref_full, ref_loo = tuple_hashes(ref_fields, len(reference))
    del syn_fields, ref_fields

    exact = member(syn_full, ref_full)
    near = exact.copy()
    for s, r in zip(syn_loo, ref_loo):
        near |= member(s, r)
    reference_copied = int(member(ref_full, syn_full).sum())

    # Split by the tuple hash and the record's rank among records with the same tuple: fixed,
    # independent of row order, and it puts duplicates of one tuple on both sides.
    rank = pd.Series(ref_full).groupby(ref_full, sort=False).cumcount().to_numpy(dtype=np.uint64)
    with np.errstate(over="ignore"):
        train = (mix64(ref_full + rank * GOLDEN) & np.uint64(1)) == 0
    hold = ~train
    holdout_exact = member(ref_full[hold], ref_full[train])
    holdout_near = holdout_exact.copy()
    for r in ref_loo:
        holdout_near |= member(r[hold], r[train])
    return CopyStats(len(synthetic), len(reference), exact, near, reference_copied, int(hold.sum()),
                     int(holdout_exact.sum()), int(holdout_near.sum()))
