"""Applying an agency's identifier errors: the recorded identifiers and the table of errors applied."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile.identifier_errors import IdentifierErrors
from synth.views.identifiers.kinds import FIELDS, Context, apply_kind, object_values
from synth.views.identifiers.nicknames import Nicknames, shipped_nicknames
from synth.views.identifiers.rates import choose, field_rates

#: Address lines that follow a stale postcode (when the records carry them and their previous values).
ADDRESS_LINES = ("address_1", "address_2", "address_3")


def corrupt(records: pd.DataFrame, model: IdentifierErrors, rng: np.random.Generator,
            nicknames: Nicknames | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply an agency's identifier errors to true identifiers.

    Args:
        records: Columns forename, surname, date_of_birth, sex, nhs_number, postcode,
            previous_postcode, alt_surname, is_adult, age_years, ethnicity, created_date; for the
            relative kinds relative_nhs_number and relative_date_of_birth (see module docs).
        model: The agency's ``identifier_errors`` section.
        rng: The only source of randomness.
        nicknames: Short forms for the ``nickname`` kind; the shipped list when None.

    Returns:
        ``(recorded, errors)``: the recorded identifiers (same index; missing as None, NaT or
        NA; sex as Int64; the address lines too when the records carry them and their
        ``previous_address_N``) and one row per applied error with columns ``row`` (position in
        ``records``), ``field`` and ``kind``.
    """
    nicknames = shipped_nicknames() if nicknames is None else nicknames
    n = len(records)
    cache: dict = {}
    cols = {f: object_values(records[f]) for f in FIELDS if f not in ("date_of_birth", "sex")}
    cols["date_of_birth"] = records["date_of_birth"].to_numpy("datetime64[ns]")
    cols["sex"] = records["sex"].to_numpy(np.float64, na_value=np.nan)  # NaN while working: Int64 at the end
    recorded = {f: c.copy() for f, c in cols.items()}
    errors = []
    hurry = model.hurried.multipliers(rng.random(n)) if model.hurried is not None and n else None
    for field in FIELDS:
        entries = model.for_field(field)
        if not entries or n == 0:
            continue
        rates = field_rates(entries, records, field, cache)
        if hurry is not None:  # a kind at rate 1 is a field the agency never holds, not a hurried error
            scalable = np.array([e.rate < 1 for e in entries])
            rates = np.where(scalable[:, None], rates * hurry, rates)
            total = rates.sum(0)
            rates[:, total > 1] /= total[total > 1]  # a hurried record with every error of the field
        choice = choose(rates, rng.random(n))
        drawn = np.flatnonzero(choice < len(entries))  # the few records with an error drawn
        for k, e in enumerate(entries):
            rows = drawn[choice[drawn] == k]
            if len(rows) == 0:
                continue
            new, ok = apply_kind(field, e.kind, cols[field][rows], Context(rows, records, rng, nicknames))
            recorded[field][rows[ok]] = new[ok]
            errors.append((rows[ok], FIELDS.index(field), e.kind))
    errors = _follow_on(records, cols, recorded, errors)
    return _recorded_frame(recorded, records.index), _errors_frame(errors)


def _follow_on(records: pd.DataFrame, cols: dict, recorded: dict, errors: list) -> list:
    """Edits that change a second field: a name swap puts the forename in the surname field (replacing
    any surname error of the record), a stale postcode brings its old address lines."""
    swapped = [r for r, f, k in errors if f == FIELDS.index("forename") and k == "swap"]
    if swapped:
        rows = np.concatenate(swapped)
        recorded["surname"][rows] = cols["forename"][rows]
        s = FIELDS.index("surname")
        errors = [(r[~np.isin(r, rows)] if f == s else r, f, k) for r, f, k in errors]
        errors.append((rows, s, "swap"))
    moved = [r for r, f, k in errors if f == FIELDS.index("postcode") and k == "moved"]
    lines = [c for c in ADDRESS_LINES if c in records and f"previous_{c}" in records]
    if moved and lines:
        rows = np.concatenate(moved)
        for c in lines:
            recorded.setdefault(c, object_values(records[c]).copy())
            recorded[c][rows] = object_values(records[f"previous_{c}"])[rows]
    return errors


def _recorded_frame(recorded: dict, index: pd.Index) -> pd.DataFrame:
    sex = recorded["sex"]
    missing = np.isnan(sex)
    out = {f: recorded[f] for f in ("forename", "surname")}
    out["date_of_birth"] = recorded["date_of_birth"]
    out["sex"] = pd.arrays.IntegerArray(np.where(missing, 0, sex).astype(np.int64), missing)
    out.update({f: recorded[f] for f in ("nhs_number", "postcode", *ADDRESS_LINES) if f in recorded})
    return pd.DataFrame(out, index=index, copy=False)


def _errors_frame(errors: list) -> pd.DataFrame:
    if not errors:
        return pd.DataFrame({"row": np.array([], np.int64), "field": np.array([], object),
                             "kind": np.array([], object)})
    rows = np.concatenate([r for r, _, _ in errors]).astype(np.int64)
    field = np.concatenate([np.full(len(r), f) for r, f, _ in errors])
    kind = np.concatenate([np.full(len(r), k, dtype=object) for r, _, k in errors])
    order = np.lexsort((field, rows))
    return pd.DataFrame({"row": rows[order], "field": np.array(FIELDS, dtype=object)[field[order]],
                         "kind": kind[order]})


def achieved_rates(true: pd.DataFrame, recorded: pd.DataFrame) -> pd.DataFrame:
    """Per field, the share of records whose recorded value differs from the truth.

    A value recorded as missing where the truth has one counts as differing; missing in both
    does not.

    Returns:
        Columns ``field``, ``records``, ``differing``, ``rate``.
    """
    out = []
    for field in FIELDS:
        if field not in true or field not in recorded:
            continue
        a, b = true[field].reset_index(drop=True), recorded[field].reset_index(drop=True)
        same = (a.isna() & b.isna()) | (a.astype(object) == b.astype(object)).fillna(False).astype(bool)
        differing = int((~same).sum())
        out.append((field, len(a), differing, differing / len(a) if len(a) else float("nan")))
    return pd.DataFrame(out, columns=["field", "records", "differing", "rate"])
