"""Privacy checks: safe-range identifiers, no truth ids in agency tables, no copies of reference records.

Four checks always run on a run folder:

* ``nhs_safe_range``: NHS numbers come only from the never-issued 999 test range, with valid
  mod-11 check digits (truth/person and any agency column named like ``NHS_NUMBER``).
* ``upn_safe_range``: UPNs use the never-issued LA number 999 and a correct check letter.
* ``postcode_safe_range``: postcodes are in the unallocated ``ZZ`` area (or NHS ``ZZ99``
  pseudo-postcodes).
* ``truth_id_leak``: agency id columns hold keyed ids, never the truth ids beside them.

Given a reference folder (CSV or Parquet files, e.g. real records that must not be reproduced),
two more compare each reference file with the synthetic table it names:

* ``reference_exact_copies``: synthetic records whose quasi-identifier tuple equals a reference
  record's.
* ``reference_near_copies``: synthetic records at Hamming distance at most 1 (all fields but one
  equal) from some reference record.

Both are judged against a baseline made from the reference itself: its records are split 50/50
by a fixed hash into "train" and "holdout", and the share of holdout records with a copy in train
shows how often independent records from the same population coincide by chance. Synthetic
records are compared with the whole reference, twice the size of the train half, so the holdout
share ``b`` is scaled to the whole reference as ``1 - (1 - b)**2``. A check passes when the
synthetic share is at most that baseline plus three standard errors of a two-proportion test with
pooled variance (both shares are estimates), and a handful of copies (max(3, 1e-4 * n) - 1) is
always allowed.

Every comparison is a hash join on 64-bit hashes of normalised values: one hash per field, summed
into a tuple hash, and for distance 1 the "leave one field out" hashes (the sum minus one field),
so the cost is O(n * k) for n records of k fields and never rows x rows. Examples name synthetic
records only; no reference value is ever copied into a result.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synth.errors import InputError
from synth.validate.core import MAX_EXAMPLES, CheckResult, RunData, examples_of
from synth.world.ids import is_valid_nhs, upn_is_valid
from synth.world.schema import TRUTH_TABLES, id_field

GROUP = "privacy"

NHS_COLUMNS = frozenset({"nhs_number", "nhsnumber", "nhs_no", "nhs_num"})
UPN_COLUMNS = frozenset({"upn"})
POSTCODE_COLUMNS = frozenset({"postcode", "post_code", "home_post", "pl_post"})
NHS_TEST_RANGE = (9_990_000_000, 9_999_999_999)
NHS_PSEUDO_POSTCODES = ("ZZ99 3VZ", "ZZ99 3CZ", "ZZ99 3GZ")
POSTCODE_PATTERN = r"ZZ\d{1,2} \d[A-Z]{2}"
UPN_PATTERN = r"[A-Z]999[0-9A-Z]{9}"

#: truth table -> its id field; agency id columns must hold none of these values.
TRUTH_ID_FIELDS = {
    "person": "person_id", "proceeding": "proceeding_id", "proceeding_child": "pc_id",
    "hearing": "hearing_id", "proceeding_relationship": "relationship_id",
    "proceeding_party": "party_id", "family": "family_id",
}
#: Largest share of agency id values that may equal a truth id (chance collisions are ~1e-9).
ID_LEAK_TOLERANCE = 1e-4
#: Standard errors allowed above the baseline share.
Z_COPIES = 3.0
#: Fewest quasi-identifier columns a reference comparison needs.
MIN_QI = 2
REFERENCE_SUFFIXES = (".csv.gz", ".csv", ".parquet", ".pq")
TRUTH_TABLE_NAMES = (*TRUTH_TABLES, "links")

_NULL = "\x00<NA>"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_UK_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_DATE_SAMPLE = 1000


def check_privacy(run: RunData, reference: Path | None = None) -> list[CheckResult]:
    """Run every privacy check on a run folder.

    Args:
        run: the run to check.
        reference: a folder of CSV or Parquet files (or one such file) whose records must not be
            reproduced; each file is compared with the synthetic table its stem names
            (case-insensitive agency or truth table name), or with truth/person when it names none.

    Returns:
        The results, group ``privacy``: one per identifier column checked, one ``truth_id_leak``
        per agency table, and with a reference one ``reference_exact_copies`` and one
        ``reference_near_copies`` per reference file and matched table.

    Raises:
        InputError: when the reference folder is missing or holds no readable CSV or Parquet file.
    """
    references = _read_references(Path(reference)) if reference is not None else []
    results = [
        *_identifier_check(run, "nhs_safe_range", "nhs_number", NHS_COLUMNS, _nhs_ok,
                           "NHS numbers", "10 digits in 999 000 0000-999 999 9999 with a valid check digit"),
        *_identifier_check(run, "upn_safe_range", "upn", UPN_COLUMNS, _upn_ok,
                           "UPNs", "LA number 999 with a correct check letter"),
        *_identifier_check(run, "postcode_safe_range", "postcode", POSTCODE_COLUMNS, _postcode_ok,
                           "postcodes", "in the unallocated ZZ area"),
        *_truth_id_leak(run),
    ]
    for path, frame in references:
        results += _reference_checks(run, path, frame)
    return results


# --- identifiers -----------------------------------------------------------------------------


def _agency_frames(run: RunData) -> Iterator[tuple[str, pd.DataFrame, list[str], list[str]]]:
    """(label, frame, key, id columns) of every agency table present in the run."""
    for akey, agency in run.profile.agencies.items():
        for tkey, spec in agency.tables.items():
            if run.has(akey, spec.name):
                ids = [c.name for c in spec.columns if c.id is not None]
                yield f"{akey}/{spec.name}", run.agency_table(akey, tkey), list(spec.key), ids


def _text(s: pd.Series) -> pd.Series:
    """Values as stripped, upper-case strings (integral numbers without a decimal point); NA when blank."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype("string").str.upper()
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64").astype("string")
    if pd.api.types.is_float_dtype(s):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        out = pd.Series(arr.astype(str), index=s.index, dtype="string")
        whole = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2.0**62)
        out[whole] = arr[whole].astype(np.int64).astype(str)
        out[~np.isfinite(arr)] = pd.NA
        return out
    out = s.astype("string").str.strip().str.upper()
    return out.mask(out == "")


def _nhs_ok(v: pd.Series) -> np.ndarray:
    digits = v.str.replace(r"[\s-]", "", regex=True)
    ok = digits.str.fullmatch(r"\d{10}").fillna(False).to_numpy(dtype=bool)
    num = pd.to_numeric(digits.where(ok), errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    return ok & (num >= NHS_TEST_RANGE[0]) & (num <= NHS_TEST_RANGE[1]) & is_valid_nhs(num)


def _upn_ok(v: pd.Series) -> np.ndarray:
    ok = v.str.fullmatch(UPN_PATTERN).fillna(False).to_numpy(dtype=bool)
    if ok.any():
        ok[ok] = upn_is_valid(v[ok].to_numpy(dtype=str))
    return ok


def _postcode_ok(v: pd.Series) -> np.ndarray:
    v = v.str.replace(r"\s+", " ", regex=True)
    return (v.str.fullmatch(POSTCODE_PATTERN).fillna(False) | v.isin(NHS_PSEUDO_POSTCODES)).to_numpy(dtype=bool)


def _examples(df: pd.DataFrame, mask: np.ndarray, key: list[str]) -> list:
    """Key values of offending rows, or their row numbers when the table has no key."""
    key = [k for k in key if k in df.columns]
    if key:
        return examples_of(df, mask, key)
    return [int(i) for i in np.flatnonzero(mask)[:MAX_EXAMPLES]]


def _identifier_check(run: RunData, name: str, truth_column: str, names: frozenset[str],
                      ok: Callable[[pd.Series], np.ndarray], what: str, rule: str) -> list[CheckResult]:
    """One result per column holding identifiers of one kind: truth/person's and any agency column so named."""
    results: list[CheckResult] = []
    targets: list[tuple[str, pd.DataFrame, str, list[str]]] = []
    if not run.has("truth", "person"):
        results.append(CheckResult(GROUP, name, False, "truth/person", truth_column,
                                   detail=f"truth/person is missing, so its {what} cannot be checked."))
    else:
        person = run.truth("person")
        if truth_column in person.columns:
            targets.append(("truth/person", person, truth_column, ["person_id"]))
        else:
            results.append(CheckResult(GROUP, name, False, "truth/person", truth_column,
                                       detail=f"truth/person has no {truth_column} column to check."))
    for label, df, key, _ in _agency_frames(run):
        targets += [(label, df, col, key) for col in df.columns if str(col).lower() in names]

    for label, df, col, key in targets:
        values = _text(df[col])
        present = values.notna().to_numpy(dtype=bool)
        bad = present.copy()
        bad[present] = ~ok(values[present])
        n, v = int(present.sum()), int(bad.sum())
        share = v / n if n else 0.0
        detail = (f"All {n:,} {what} in {label}.{col} are safe ({rule})." if not v else
                  f"{v:,} of {n:,} {what} in {label}.{col} are outside the safe range ({rule}).")
        results.append(CheckResult(GROUP, name, v == 0, label, col, v, _examples(df, bad, key),
                                   {"name": "share_outside_safe_range", "value": share, "tolerance": 0.0}, detail))
    return results


def _truth_ids(run: RunData) -> np.ndarray:
    parts = [np.empty(0, dtype=np.int64)]
    for table, col in TRUTH_ID_FIELDS.items():
        if run.has("truth", table):
            df = run.truth(table)
            if col in df.columns:
                parts.append(pd.to_numeric(df[col], errors="coerce").dropna().to_numpy(dtype=np.int64))
    return np.unique(np.concatenate(parts))


def _truth_id_leak(run: RunData) -> list[CheckResult]:
    """One result per agency table: the share of its id-column values that are truth ids."""
    truth_ids = pd.Index(_truth_ids(run))
    if not any(run.has("truth", t) for t in TRUTH_ID_FIELDS):
        return [CheckResult(GROUP, "truth_id_leak", False, "truth",
                            detail="The run has no truth tables, so agency ids cannot be compared with truth ids.")]
    results = []
    for label, df, _, id_cols in _agency_frames(run):
        cols = [c for c in id_cols if c in df.columns]
        total, leaked, leaking = 0, 0, []
        for col in cols:
            vals = pd.to_numeric(df[col], errors="coerce").dropna().to_numpy(dtype=float)
            vals = vals[(np.floor(vals) == vals) & (np.abs(vals) < 2.0**62)].astype(np.int64)
            hit = int((truth_ids.get_indexer(vals) >= 0).sum())
            total += len(vals)
            leaked += hit
            if hit:
                leaking.append(col)
        share = leaked / total if total else 0.0
        passed = share <= ID_LEAK_TOLERANCE
        if not cols:
            detail = f"{label} has no id columns, so no truth id can leak through one."
        elif passed:
            detail = (f"{leaked:,} of {total:,} id values in {label} ({', '.join(cols)}) equal a truth id, "
                      f"within the {ID_LEAK_TOLERANCE:g} allowed for chance collisions.")
        else:
            detail = (f"{leaked:,} of {total:,} id values in {label} ({share:.3%}) are truth ids, "
                      f"in {', '.join(leaking)}; agency ids must be keyed ids, never truth ids.")
        results.append(CheckResult(GROUP, "truth_id_leak", passed, label, None, leaked, leaking[:MAX_EXAMPLES],
                                   {"name": "share_truth_ids", "value": share, "tolerance": ID_LEAK_TOLERANCE},
                                   detail))
    return results


# --- reference comparison --------------------------------------------------------------------


def _stem(path: Path) -> str:
    name = path.name
    for suffix in REFERENCE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _read_one(path: Path) -> pd.DataFrame:
    if path.name.lower().endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    return pd.read_csv(path, low_memory=False)


def _read_references(reference: Path) -> list[tuple[Path, pd.DataFrame | str]]:
    """Each reference file with its frame, or the reason it could not be read.

    Raises:
        InputError: when the folder is missing or no file in it can be read.
    """
    if not reference.exists():
        raise InputError(f"{reference}: no such reference folder; give a folder of CSV or Parquet files")
    if reference.is_file():
        files = [reference]
    else:
        files = sorted(p for p in reference.iterdir() if p.is_file() and p.name.lower().endswith(REFERENCE_SUFFIXES))
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
                found.append(_Target(f"{akey}/{spec.name}", lambda a=akey, t=tkey: run.agency_table(a, t),
                                     list(spec.key), [c.name for c in spec.columns if c.id is not None]))
    for table in TRUTH_TABLE_NAMES:
        if table == s:
            key = [id_field(table)] if table in TRUTH_TABLES else []
            found.append(_Target(f"truth/{table}", lambda t=table: run.truth(t), key, []))
    return found or [_Target("truth/person", lambda: run.truth("person"), ["person_id"], [])]


def _is_key_column(name: str, id_columns: set[str]) -> bool:
    n = name.lower()
    return n in id_columns or n in ("id", "alf_pe") or n.endswith(("_id", "_e"))


def _failed_pair(label: str, path: Path, detail: str) -> list[CheckResult]:
    return [CheckResult(GROUP, name, False, label, detail=detail)
            for name in ("reference_exact_copies", "reference_near_copies")]


def _reference_checks(run: RunData, path: Path, frame: pd.DataFrame | str) -> list[CheckResult]:
    """Exact and near copies of one reference file's records in each synthetic table it names."""
    results: list[CheckResult] = []
    for target in _targets(run, _stem(path)):
        if isinstance(frame, str):
            results += _failed_pair(target.label, path, f"Reference {path.name} could not be read ({frame}).")
            continue
        try:
            syn = target.load()
        except FileNotFoundError:
            results += _failed_pair(target.label, path, f"{target.label} is missing, so reference {path.name} "
                                                        "cannot be compared with it.")
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
            GROUP, name, passed, target.label, None, hits, _examples(syn, mask, target.key),
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
    syn_fields = _field_hashes(synthetic)
    ref_fields = _field_hashes(reference)
    syn_full, syn_loo = _tuple_hashes(syn_fields, len(synthetic))
    ref_full, ref_loo = _tuple_hashes(ref_fields, len(reference))
    del syn_fields, ref_fields

    exact = _member(syn_full, ref_full)
    near = exact.copy()
    for s, r in zip(syn_loo, ref_loo):
        near |= _member(s, r)
    reference_copied = int(_member(ref_full, syn_full).sum())

    # Split by the tuple hash and the record's rank among records with the same tuple: fixed,
    # independent of row order, and it puts duplicates of one tuple on both sides.
    rank = pd.Series(ref_full).groupby(ref_full, sort=False).cumcount().to_numpy(dtype=np.uint64)
    with np.errstate(over="ignore"):
        train = (_mix64(ref_full + rank * _GOLDEN) & np.uint64(1)) == 0
    hold = ~train
    holdout_exact = _member(ref_full[hold], ref_full[train])
    holdout_near = holdout_exact.copy()
    for r in ref_loo:
        holdout_near |= _member(r[hold], r[train])
    return CopyStats(len(synthetic), len(reference), exact, near, reference_copied, int(hold.sum()),
                     int(holdout_exact.sum()), int(holdout_near.sum()))


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective mix of 64-bit integers."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _field_hashes(df: pd.DataFrame) -> list[np.ndarray]:
    """One 64-bit hash per value of each column, salted by the column's position."""
    out = []
    for j in range(df.shape[1]):
        h = pd.util.hash_array(_normalise(df.iloc[:, j]), categorize=True)
        with np.errstate(over="ignore"):
            out.append(_mix64(h + np.uint64(j + 1) * _GOLDEN))
    return out


def _tuple_hashes(fields: list[np.ndarray], n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The hash of each whole tuple and, per field, of the tuple without that field."""
    total = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for h in fields:
            total += h
        return _mix64(total), [_mix64(total - h) for h in fields]


def _member(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Whether each value occurs in ``among`` (a hash-table semi-join)."""
    if len(among) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    index = pd.Index(pd.unique(among.view(np.int64)))
    return index.get_indexer(values.view(np.int64)) >= 0


def _normalise(s: pd.Series) -> np.ndarray:
    """Comparable text for one column: ISO dates, stripped upper-case strings, numbers as strings."""
    s = s.reset_index(drop=True)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    missing = s.isna().to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(s):
        out = np.where(s.fillna(False).to_numpy(dtype=bool), "TRUE", "FALSE").astype(object)
    elif pd.api.types.is_datetime64_any_dtype(s):
        out = _iso(s)
    elif pd.api.types.is_integer_dtype(s):
        out = s.to_numpy(dtype=np.int64, na_value=0).astype(str).astype(object)
    elif pd.api.types.is_float_dtype(s):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        out = arr.astype(str).astype(object)
        whole = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2.0**62)
        out[whole] = arr[whole].astype(np.int64).astype(str)
    else:
        out, extra_missing = _normalise_text(s, missing)
        missing = missing | extra_missing
    out[missing] = _NULL
    return out


def _normalise_text(s: pd.Series, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Object columns: dates (as objects or ISO / dd/mm/yyyy text) to ISO strings, else stripped upper text."""
    present = s[~missing]
    if len(present) and isinstance(present.iloc[0], (dt.date, pd.Timestamp)):
        parsed = pd.to_datetime(s, errors="coerce")
        if int(parsed.notna().sum()) == len(present):
            return _iso(parsed), np.zeros(len(s), dtype=bool)
    text = s.astype("string").str.strip()
    blank = (text == "").fillna(False).to_numpy(dtype=bool)
    filled = text[~missing & ~blank]
    for pattern, fmt in ((_ISO_DATE, "ISO8601"), (_UK_DATE, "%d/%m/%Y")):
        if len(filled) and filled.iloc[:_DATE_SAMPLE].str.fullmatch(pattern).all() \
                and filled.str.fullmatch(pattern).all():
            parsed = pd.to_datetime(text.mask(blank), format=fmt, errors="coerce")
            if int(parsed.notna().sum()) == len(filled):
                return _iso(parsed), blank
    return text.str.upper().to_numpy(dtype=object, na_value=None), blank


def _iso(s: pd.Series) -> np.ndarray:
    """ISO dates (``YYYY-MM-DD``), with `` HH:MM:SS`` only where the time is not midnight."""
    if getattr(s.dtype, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    arr = s.to_numpy(dtype="datetime64[ns]")
    days = arr.astype("datetime64[D]")
    out = np.datetime_as_string(days, unit="D").astype(object)
    timed = ~np.isnat(arr) & (arr != days.astype("datetime64[ns]"))
    if timed.any():
        out[timed] = np.char.replace(np.datetime_as_string(arr[timed], unit="s"), "T", " ")
    return out
