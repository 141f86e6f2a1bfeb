"""Error kinds: what each (field, kind) does to the true values of the rows drawn for it.

Each kind takes the true values of the rows drawn for it, a mask of those it can change and the
context, and returns the new values and the mask of rows it did change. A kind that cannot apply
to a value (no nickname, no phonetic rule, day above 12 for a swap, no previous postcode) leaves it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.profile.identifier_errors import FIELD_KINDS
from synth.views.identifiers.date_edits import day_month_swap, day_offset, year_typos
from synth.views.identifiers.nicknames import Nicknames
from synth.views.identifiers.strings import (
    from_matrix,
    has_neighbour,
    match_case,
    neighbour,
    phonetic,
    to_matrix,
    typos,
    upper_values,
)

FIELDS = tuple(FIELD_KINDS)
#: Forename of a newborn whose birth is not yet registered (the ``baby`` kind).
BABY = "Baby"

#: New values and the mask of rows changed.
Edit = tuple[np.ndarray, np.ndarray]
#: A kind: (values, changeable mask, context) -> (new values, changed mask).
Kind = Callable[[np.ndarray, np.ndarray, "Context"], Edit]


@dataclass(frozen=True)
class Context:
    """What a kind may read besides the values: their rows, all records, the generator, nicknames."""

    rows: np.ndarray  # positions in the records of the values being changed
    records: pd.DataFrame
    rng: np.random.Generator
    nicknames: Nicknames

    def column(self, name: str) -> np.ndarray:
        """Another column's values at ``rows``, as an object array."""
        s = self.records[name]
        return s.to_numpy(dtype=object)[self.rows] if s.dtype == object else object_values(s.iloc[self.rows])


def present(v: np.ndarray) -> np.ndarray:
    """Values that are there: not None/NaN/NA/NaT, and for strings not empty."""
    present = np.asarray(pd.notna(v), bool)
    if v.dtype == object:
        present[present] = v[present] != ""
    return present


def _missing(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    blank = np.datetime64("NaT", "ns") if v.dtype.kind == "M" else (np.nan if v.dtype.kind == "f" else None)
    return np.full(len(v), blank, v.dtype), ok


def _name_typo(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    new = v.copy()
    new[ok] = typos(v[ok], ctx.rng)
    return new, ok


def _phonetic(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    new = v.copy()
    new[ok], changed = phonetic(v[ok], ctx.rng)
    ok[ok] = changed
    return new, ok


def _nickname(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    nick, found = ctx.nicknames.lookup(upper_values(v[ok]), ctx.rng.random(int(ok.sum())))
    ok[ok] = found
    new = v.copy()
    new[ok] = match_case(nick[found], v[ok])
    return new, ok


def _other_surname(v: np.ndarray, ok: np.ndarray, ctx: Context, hyphenate: bool) -> Edit:
    alt = ctx.column("alt_surname")
    ok &= present(alt)
    ok[ok] = upper_values(alt[ok]) != upper_values(v[ok])
    a, s = match_case(alt[ok], v[ok]), v[ok]
    if hyphenate:
        a = np.where(ctx.rng.random(len(s)) < 0.5, s + "-" + a, a + "-" + s)
    new = v.copy()
    new[ok] = a
    return new, ok


def _nhs_typo(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    ok &= pd.Series(v, dtype=object).str.fullmatch(r"\d{10}", na=False).to_numpy(bool)
    m = to_matrix(v[ok])
    r, pos = np.arange(len(m)), ctx.rng.integers(3, 10, len(m))  # never the 999 test-range prefix
    m[r, pos] = (m[r, pos] - 48 + ctx.rng.integers(1, 10, len(m))) % 10 + 48
    new = v.copy()
    new[ok] = from_matrix(m)
    return new, ok


def _postcode_typo(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    m = to_matrix(v[ok])
    letter = ((m | 32) >= 97) & ((m | 32) <= 122)
    area = np.cumprod(letter, 1).astype(bool)  # the leading letters stay: still the ZZ area
    can = has_neighbour(m) & ~area
    k = (ctx.rng.random(len(m)) * can.sum(1)).astype(np.int64)
    r, pos = np.arange(len(m)), np.argmax(np.cumsum(can, 1) > k[:, None], 1)
    m[r, pos] = np.where(can.any(1), neighbour(m[r, pos], ctx.rng.random(len(m))), m[r, pos])
    new = v.copy()
    new[ok] = from_matrix(m)
    ok[ok] = can.any(1)
    return new, ok


def _take(v: np.ndarray, ok: np.ndarray, other: np.ndarray) -> Edit:
    """The value of another field where it is present and differs (a stale or a relative's value)."""
    ok &= present(other)
    ok[ok] = other[ok] != v[ok]
    new = v.copy()
    new[ok] = other[ok]
    return new, ok


def _moved(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    return _take(v, ok, ctx.column("previous_postcode"))


def _swap_names(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    """Forename and surname entered the wrong way round: the forename field gets the surname (the
    surname field gets the forename in ``corrupt``, which sees both)."""
    sur = ctx.column("surname")
    ok &= present(sur)
    ok[ok] = upper_values(sur[ok]) != upper_values(v[ok])
    new = v.copy()
    new[ok] = sur[ok]
    return new, ok


def _baby(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    """A newborn recorded before the birth was registered: forename "Baby" (renamed in later records)."""
    ok[ok] = upper_values(v[ok]) != BABY.upper()
    new = v.copy()
    new[ok] = match_case(np.full(int(ok.sum()), BABY, dtype=object), v[ok])
    return new, ok


def _relative_nhs(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    """A relative's NHS number copied (the mother's on a baby's record): valid checksum, wrong person."""
    return _take(v, ok, ctx.column("relative_nhs_number"))


def _relative_dob(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    """A relative's date of birth copied (the mother's on a child's record)."""
    rel = ctx.records["relative_date_of_birth"].to_numpy("datetime64[ns]")[ctx.rows]
    ok &= ~np.isnat(rel)
    ok[ok] = rel[ok] != v[ok]
    new = v.copy()
    new[ok] = rel[ok]
    return new, ok


def _miscode(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
    ok &= np.isin(v, (1, 2))
    return np.where(ok, 3 - v, v), ok


def _date_kind(change: Callable[[np.ndarray, Context, np.ndarray], Edit]) -> Kind:
    """Wrap ``change(dates, ctx, ok) -> (new dates, applies)`` so it sees present dates only."""
    def apply(v: np.ndarray, ok: np.ndarray, ctx: Context) -> Edit:
        d = v[ok].astype("datetime64[D]")
        changed, applies = change(d, ctx, ok)
        new = v.copy()
        new[ok] = np.where(applies, changed, d)
        ok[ok] = applies
        return new, ok
    return apply


def _swap(d: np.ndarray, ctx: Context, ok: np.ndarray) -> Edit:
    return day_month_swap(d)


def _offset(d: np.ndarray, ctx: Context, ok: np.ndarray) -> Edit:
    return day_offset(d, ctx.rng), np.ones(len(d), bool)


def _year(d: np.ndarray, ctx: Context, ok: np.ndarray) -> Edit:
    age = ctx.records["age_years"].to_numpy(float)[ctx.rows][ok]
    return year_typos(d, age, ctx.rng), np.ones(len(d), bool)


KINDS: dict[tuple[str, str], Kind] = {
    **{(f, "missing"): _missing for f in FIELDS},
    ("forename", "typo"): _name_typo, ("surname", "typo"): _name_typo,
    ("forename", "phonetic"): _phonetic, ("surname", "phonetic"): _phonetic,
    ("forename", "nickname"): _nickname, ("forename", "swap"): _swap_names, ("forename", "baby"): _baby,
    ("nhs_number", "relative"): _relative_nhs, ("date_of_birth", "relative"): _relative_dob,
    ("surname", "change"): lambda v, ok, ctx: _other_surname(v, ok, ctx, hyphenate=False),
    ("surname", "hyphenate"): lambda v, ok, ctx: _other_surname(v, ok, ctx, hyphenate=True),
    ("date_of_birth", "day_month_swap"): _date_kind(_swap),
    ("date_of_birth", "day_offset"): _date_kind(_offset),
    ("date_of_birth", "year_typo"): _date_kind(_year),
    ("sex", "miscode"): _miscode,
    ("nhs_number", "typo"): _nhs_typo,
    ("postcode", "typo"): _postcode_typo, ("postcode", "moved"): _moved,
}


def apply_kind(field: str, kind: str, values: np.ndarray, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Apply one kind to the values of ``ctx.rows``; returns new values and where they changed."""
    ok = present(values)
    if not ok.any():
        return values, ok
    return KINDS[field, kind](values, ok, ctx)


def object_values(s: pd.Series) -> np.ndarray:
    """Strings as an object array: object columns as they are (no copy; their missing values are
    kept), other dtypes (Arrow strings, categoricals) converted with None for missing."""
    return s.to_numpy(dtype=object) if s.dtype == object else s.to_numpy(dtype=object, na_value=None)
