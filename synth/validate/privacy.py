"""Privacy checks: safe-range identifiers, no truth ids in agency tables, no copies of reference records.

Four checks always run on a run folder:

* ``nhs_safe_range``: NHS numbers come only from the never-issued 999 test range: in
  truth/person with valid mod-11 check digits; in agency columns named like ``NHS_NUMBER`` ten
  digits starting 999 (a recorded number may be mistyped, so its check digit may fail).
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

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from synth.validate.copies import read_references, reference_checks, row_examples
from synth.validate.core import MAX_EXAMPLES, CannotRun, CheckResult, RunData
from synth.validate.privacy_sql import judge_sql, nhs_recorded_ok, nhs_truth_ok, postcode_ok
from synth.validate.registry import AgencyTable, check
from synth.validate.scan import batches
from synth.validate.sqlrun import quote
from synth.world.ids import is_valid_nhs, upn_is_valid

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



def read_reference_folder(reference: Path) -> list[tuple[Path, pd.DataFrame | str]]:
    """Each reference file (``--reference``) with its frame, or the reason it could not be read.

    Raises:
        InputError: when the folder is missing or no file in it can be read.
    """
    return read_references(Path(reference))


def check_privacy(run: RunData, reference: Path | None = None) -> list[CheckResult]:
    """Run every privacy check on a run folder (never raises once the reference is read).

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
    from synth.validate.registry import registered
    from synth.validate.runner import run_check

    references = read_reference_folder(Path(reference)) if reference is not None else None
    return [r for c in registered([GROUP]) if not (c.reference and references is None)
            for r in run_check(c, run, references)]


# --- identifiers -----------------------------------------------------------------------------


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


def _nhs_recorded_ok(v: pd.Series) -> np.ndarray:
    """Recorded NHS numbers: ten digits in the 999 test range (a typo may break the check digit)."""
    digits = v.str.replace(r"[\s-]", "", regex=True)
    return digits.str.fullmatch(r"999\d{7}").fillna(False).to_numpy(dtype=bool)


def _upn_ok(v: pd.Series) -> np.ndarray:
    ok = v.str.fullmatch(UPN_PATTERN).fillna(False).to_numpy(dtype=bool)
    if ok.any():
        ok[ok] = upn_is_valid(v[ok].to_numpy(dtype=str))
    return ok


def _upn_recorded_ok(v: pd.Series) -> np.ndarray:
    """Agency UPN columns: a safe UPN, or a DfE 'UPN unknown' code UN1-UN7 (schemas.md 6.2)."""
    return _upn_ok(v) | v.str.fullmatch(r"UN[1-7]").fillna(False).to_numpy(dtype=bool)


def _postcode_ok(v: pd.Series) -> np.ndarray:
    v = v.str.replace(r"\s+", " ", regex=True)
    return (v.str.fullmatch(POSTCODE_PATTERN).fillna(False) | v.isin(NHS_PSEUDO_POSTCODES)).to_numpy(dtype=bool)




def _judge_column(name: str, label: str, parts: Iterable[pd.DataFrame], col: str, key: list[str],
                  ok: Callable[[pd.Series], np.ndarray], what: str, rule: str) -> CheckResult:
    """One identifier column, read part by part: how many present values ``ok`` rejects."""
    return _column_result(name, label, col, *_tally_column(parts, col, key, ok), what, rule)


def _tally_column(parts: Iterable[pd.DataFrame], col: str, key: list[str],
                  ok: Callable[[pd.Series], np.ndarray]) -> tuple[int, int, list]:
    """Present values, rejected values and up to five example keys of a column read part by part."""
    n = v = offset = 0
    examples: list = []
    for df in parts:
        df = df.reset_index(drop=True)
        values = _text(df[col])
        present = values.notna().to_numpy(dtype=bool)
        bad = present.copy()
        bad[present] = ~ok(values[present])
        n, v = n + int(present.sum()), v + int(bad.sum())
        if bad.any() and len(examples) < MAX_EXAMPLES:
            found = row_examples(df, bad, key)
            if not [k for k in key if k in df.columns]:
                found = [i + offset for i in found]
            examples += found[: MAX_EXAMPLES - len(examples)]
        offset += len(df)
    return n, v, examples


def _column_result(name: str, label: str, col: str, n: int, v: int, examples: list, what: str,
                   rule: str) -> CheckResult:
    share = v / n if n else 0.0
    detail = (f"All {n:,} {what} in {label}.{col} are safe ({rule})." if not v else
              f"{v:,} of {n:,} {what} in {label}.{col} are outside the safe range ({rule}).")
    return CheckResult(GROUP, name, v == 0, label, col, v, examples,
                       {"name": "share_outside_safe_range", "value": share, "tolerance": 0.0}, detail)


#: name -> (truth/person column, agency column names, truth rule, agency rule, what, rule text).
IDENTIFIERS: dict[str, tuple[str, frozenset[str], Callable, Callable, str, str]] = {}
#: name -> (truth rule, agency rule) in SQL (synth.validate.privacy_sql); rules not here run in pandas.
SQL_RULES: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {}


def _judge(run: RunData, name: str, folder: str, table: str, label: str, col: str, key: list[str],
           truth: bool) -> CheckResult:
    """One identifier column: in SQL where the rule has a SQL form and the key is there, else in pandas."""
    _, _, truth_ok, agency_ok, what, rule = IDENTIFIERS[name]
    ok = truth_ok if truth else agency_ok
    src = run.source(folder, table)
    present = run.sql.describe(src)
    sql = SQL_RULES.get(name)
    if sql is not None and key and all(k in present for k in key):
        got = judge_sql(run, src, col, key, sql[0 if truth else 1], _text, ok)
        if got is not None:
            return _column_result(name, label, col, *got, what, rule)
    have = [k for k in key if k in present]
    parts = batches(run, folder, table, [*have, col] if col not in have else have)
    return _judge_column(name, label, parts, col, key, ok, what, rule)


def _truth_identifier(run: RunData, name: str) -> CheckResult:
    column = IDENTIFIERS[name][0]
    if column not in run.sql.describe(run.source("truth", "person")):
        return CheckResult.could_not_run(GROUP, name, f"truth/person has no {column} column", "truth/person", column)
    return _judge(run, name, "truth", "person", "truth/person", column, ["person_id"], True)


def _agency_identifiers(run: RunData, t: AgencyTable, name: str) -> list[CheckResult]:
    names = IDENTIFIERS[name][1]
    present = list(run.sql.describe(run.agency_source(t.agency, t.key)))
    return [_judge(run, name, t.agency, t.spec.name, t.label, col, list(t.spec.key), False)
            for col in present if str(col).lower() in names]


def _has_column(names: frozenset[str]) -> Callable[[object], bool]:
    return lambda spec: any(c.name.lower() in names for c in spec.columns)  # type: ignore[attr-defined]


IDENTIFIERS["nhs_safe_range"] = ("nhs_number", NHS_COLUMNS, _nhs_ok, _nhs_recorded_ok, "NHS numbers",
                                 "10 digits in 999 000 0000-999 999 9999 with a valid check digit")
IDENTIFIERS["upn_safe_range"] = ("upn", UPN_COLUMNS, _upn_ok, _upn_recorded_ok, "UPNs",
                                 "LA number 999 with a correct check letter")
IDENTIFIERS["postcode_safe_range"] = ("postcode", POSTCODE_COLUMNS, _postcode_ok, _postcode_ok, "postcodes",
                                      "in the unallocated ZZ area")
SQL_RULES["nhs_safe_range"] = (nhs_truth_ok, nhs_recorded_ok)
SQL_RULES["postcode_safe_range"] = (postcode_ok(POSTCODE_PATTERN, NHS_PSEUDO_POSTCODES),) * 2


@check(GROUP, "nhs_safe_range", id="nhs_safe_range_truth", truth=("person",))
def nhs_truth(run: RunData) -> CheckResult:
    """NHS numbers in truth/person are in the never-issued 999 range with valid check digits."""
    return _truth_identifier(run, "nhs_safe_range")


@check(GROUP, "nhs_safe_range", id="nhs_safe_range_agency", each="agency_table", applies=_has_column(NHS_COLUMNS))
def nhs_agency(run: RunData, t: AgencyTable) -> list[CheckResult]:
    """Recorded NHS numbers are ten digits in the 999 range (a typo may break the check digit)."""
    return _agency_identifiers(run, t, "nhs_safe_range")


@check(GROUP, "upn_safe_range", id="upn_safe_range_truth", truth=("person",))
def upn_truth(run: RunData) -> CheckResult:
    """UPNs in truth/person use LA number 999 with a correct check letter."""
    return _truth_identifier(run, "upn_safe_range")


@check(GROUP, "upn_safe_range", id="upn_safe_range_agency", each="agency_table", applies=_has_column(UPN_COLUMNS))
def upn_agency(run: RunData, t: AgencyTable) -> list[CheckResult]:
    """Recorded UPNs are safe UPNs or DfE 'UPN unknown' codes."""
    return _agency_identifiers(run, t, "upn_safe_range")


@check(GROUP, "postcode_safe_range", id="postcode_safe_range_truth", truth=("person",))
def postcode_truth(run: RunData) -> CheckResult:
    """Postcodes in truth/person are in the unallocated ZZ area."""
    return _truth_identifier(run, "postcode_safe_range")


@check(GROUP, "postcode_safe_range", id="postcode_safe_range_agency", each="agency_table",
       applies=_has_column(POSTCODE_COLUMNS))
def postcode_agency(run: RunData, t: AgencyTable) -> list[CheckResult]:
    """Recorded postcodes are in the unallocated ZZ area."""
    return _agency_identifiers(run, t, "postcode_safe_range")


def _truth_ids(run: RunData) -> str:
    """A temporary DuckDB table of every truth id (``_truth_ids(id)``); its name."""
    parts = []
    for table, col in TRUTH_ID_FIELDS.items():
        if run.has("truth", table):
            src = run.source("truth", table)
            if col in run.sql.describe(src):
                parts.append(f"SELECT TRY_CAST({quote(col)} AS BIGINT) AS id FROM {src}")
    run.sql.rows("CREATE OR REPLACE TEMP TABLE _truth_ids AS SELECT DISTINCT id FROM ("
                 + " UNION ALL ".join(parts or ["SELECT NULL::BIGINT AS id"]) + ") WHERE id IS NOT NULL")
    return "_truth_ids"


@check(GROUP)
def truth_id_leak(run: RunData) -> Iterator[CheckResult]:
    """Per agency table: the share of its id-column values that are truth ids."""
    if not any(run.has("truth", name) for name in TRUTH_ID_FIELDS):
        yield CheckResult.could_not_run(GROUP, "truth_id_leak", "the run has no truth tables to compare ids with",
                                        "truth")
        return
    truth_ids = _truth_ids(run)  # unreadable truth: one "could not run" for the whole check
    for akey, agency in run.profile.agencies.items():
        for tkey, spec in agency.tables.items():
            label = f"{akey}/{spec.name}"
            if not run.has(akey, spec.name):
                continue  # table_present reports it
            try:
                src = run.agency_source(akey, tkey)
                names = run.sql.describe(src)
            except CannotRun as e:
                yield CheckResult.could_not_run(GROUP, "truth_id_leak", str(e), label)
                continue
            cols = [c.name for c in spec.columns if c.id is not None and c.name in names]
            yield _id_leak(run, src, label, cols, truth_ids)


def _id_leak(run: RunData, src: str, label: str, cols: list[str], truth_ids: str) -> CheckResult:
    total, leaked, leaking = 0, 0, []
    for col in cols:
        # As pandas.to_numeric then float: whole finite numbers below 2**62 are compared as integers.
        values = (f"SELECT CAST(v AS BIGINT) AS x FROM (SELECT TRY_CAST({quote(col)} AS DOUBLE) AS v FROM {src}) "
                  f"WHERE v IS NOT NULL AND isfinite(v) AND floor(v) = v AND abs(v) < 2.0 ^ 62")
        n, hit = run.sql.rows(f"SELECT count(*), count(t.id) FROM ({values}) AS s LEFT JOIN {truth_ids} AS t "
                              f"ON t.id = s.x")[0]
        total += int(n)
        leaked += int(hit)
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
    return CheckResult(GROUP, "truth_id_leak", passed, label, None, leaked, leaking[:MAX_EXAMPLES],
                       {"name": "share_truth_ids", "value": share, "tolerance": ID_LEAK_TOLERANCE}, detail)




@check(GROUP, reference=True)
def reference_copies(run: RunData, references: list[tuple[Path, pd.DataFrame | str]]) -> list[CheckResult]:
    """No synthetic record copies a reference record (exact or all fields but one), beyond a holdout baseline."""
    return [r for path, frame in references for r in reference_checks(run, path, frame)]
