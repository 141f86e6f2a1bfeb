"""Identifier errors: turn a person's true identifiers into what an agency recorded.

``corrupt`` takes agency person records with their true identifiers and returns the recorded
identifiers plus a long table of the errors applied. Error kinds follow the FEBRL/GeCo taxonomy
(domain/peers.md 1.4-1.5): keyboard typos placed away from the first letter, phonetic variants,
nicknames, missing values, swapped day and month, and so on; rates depend on the person (MoJ
``splink_synthetic_data`` Bayes-factor idea, peers.md 1.6) through the profile's groups
(``synth.profile.identifier_errors``).

A record gets at most one error per field: one uniform draw per record and field picks a kind by
the cumulative rates. Where a kind cannot apply to the value (no nickname for the name, no
phonetic rule matches, day above 12 for a day-month swap, no previous postcode, value already
missing) the value is left as it is and no error row is written, so the achieved rate of that
kind is lower than the configured one; the ``errors`` table lists only errors actually applied.

Everything is vectorised: the few rows drawn for a string error are turned into a fixed-width
code-point matrix and edited by array indexing; rule and nickname look-ups work on the distinct
values. Only the generator passed in is used.

Identifiers stay in the project's safe ranges: NHS-number typos never touch the ``999`` test-range
prefix, and postcode typos never change the postcode area letters (the unallocated ``ZZ`` area).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from synth.profile.identifier_errors import FIELD_KINDS, ErrorRate, Group, IdentifierErrors

FIELDS = tuple(FIELD_KINDS)
NICKNAMES_CSV = Path(__file__).resolve().parents[2] / "profiles" / "reference" / "nicknames.csv"

#: QWERTY neighbours (same row and the rows above and below), as in GeCo's keyboard corruptor.
KEYBOARD = {
    "q": "wa", "w": "qeas", "e": "wrsd", "r": "etdf", "t": "ryfg", "y": "tugh", "u": "yihj", "i": "uojk",
    "o": "ipkl", "p": "ol", "a": "qwsz", "s": "awedxz", "d": "serfcx", "f": "drtgvc", "g": "ftyhbv",
    "h": "gyujnb", "j": "huikmn", "k": "jiolm", "l": "kop", "z": "asx", "x": "zsdc", "c": "xdfv",
    "v": "cfgb", "b": "vghn", "n": "bhjm", "m": "njk",
    "1": "2", "2": "13", "3": "24", "4": "35", "5": "46", "6": "57", "7": "68", "8": "79", "9": "80", "0": "9",
}

#: Shares of the four single edits within a typo (assumption: Damerau's ~80% single-edit errors,
#: peers.md 1.4, give the kinds; the split between them is not published there).
TYPO_EDITS = {"substitute": 0.3, "delete": 0.3, "insert": 0.25, "transpose": 0.15}

#: Sound-alike rewrites (regex on upper case, first match only); a value gets one of those that apply.
#: Assumption: common English spelling alternations (GeCo/FEBRL-style phonetic corruption, peers.md 1.4).
PHONETIC_RULES = (
    ("PH", "F"), (r"(?<=[A-EG-Z])F(?!F)", "PH"),  # Stephen/Stefen (not at the start: Field)
    ("CK", "K"), (r"(?<=[^AEIOU][AEIOU])K(?![AEIOU])", "CK"),  # Jackson/Jakson, Derek/Dereck
    ("IE$", "Y"), (r"(?<=[^AEIOUY])Y$", "IE"), ("EY$", "Y"), (r"(?<=[CLNRS])Y$", "EY"),  # Katie/Katy, Tracy/Tracey
    (r"OU(?=[LN])", "OW"), (r"OW(?=[LN])", "OU"),  # Fowler/Fouler, Brown/Broun
    ("C(?=[AOU])", "K"), ("K(?=[AOU])", "C"),  # Carl/Karl, Connor/Konnor
    (r"([BCDFGHJKLMNPQRSTVWXZ])\1", r"\1"),  # Phillip/Philip, Russell/Russel
    (r"(?<=[^AEIOU][AEIOU])([LMNPRST])(?=[AEIOUY](?!$))", r"\1\1"),  # Philip/Phillip, Sarah/Sarrah
    ("SON$", "SEN"), ("SEN$", "SON"), ("^MAC", "MC"), ("^MC", "MAC"),  # Jackson/Jacksen, Macdonald/Mcdonald
    (r"(?<=[AEIOU])S(?=[AEIOU])", "Z"), (r"(?<=[AEIOU])Z(?=[AEIOU])", "S"),  # Elisabeth/Elizabeth
    (r"(?<=[^AEIOUY])Y(?=[^AEIOUY])", "I"),  # Martyn/Martin
    (r"(?<=[BCDFGHJKLMNPRSTVWXZ])I(?=[BCDFGHJKLMNPRSTVWXZ])", "Y"),  # Smith/Smyth
)


def _neighbour_table() -> tuple[np.ndarray, np.ndarray]:
    width = max(len(v) for v in KEYBOARD.values())
    table, count = np.zeros((128, width), np.uint32), np.zeros(128, np.int64)
    for key, near in KEYBOARD.items():
        for k, n in ((key, near), (key.upper(), near.upper())):
            table[ord(k), : len(n)] = [ord(c) for c in n]
            count[ord(k)] = len(n)
    return table, count


NEIGHBOURS, NEIGHBOUR_COUNT = _neighbour_table()


# ------------------------------------------------------------------------------------------
# Nicknames


@dataclass(frozen=True)
class Nicknames:
    """Forename short forms as sorted arrays, for vectorised look-up.

    Attributes:
        names: Sorted distinct upper-case names.
        starts: For each name, its first row in ``nicknames``.
        counts: For each name, how many short forms it has.
        nicknames: Upper-case short forms, grouped by name in the order of ``names``.
    """

    names: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    nicknames: np.ndarray

    @classmethod
    def from_frame(cls, table: pd.DataFrame) -> Nicknames:
        """Build from a frame with columns ``name`` and ``nickname`` (any case)."""
        t = pd.DataFrame({"name": table["name"].astype(str).str.strip().str.upper(),
                          "nickname": table["nickname"].astype(str).str.strip().str.upper()})
        t = t[t["name"] != t["nickname"]].drop_duplicates().sort_values(["name", "nickname"])
        names, starts, counts = np.unique(t["name"].to_numpy(str), return_index=True, return_counts=True)
        return cls(names, starts, counts, t["nickname"].to_numpy(str))

    @classmethod
    def from_csv(cls, path: str | Path) -> Nicknames:
        """Read a ``name,nickname`` CSV (extra columns are ignored)."""
        return cls.from_frame(pd.read_csv(path, dtype=str, keep_default_na=False))

    def lookup(self, names: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pick a short form for each upper-case name, using uniforms ``u`` in [0, 1).

        Returns:
            The short forms (None where the name has none) and a mask of names that have one.
        """
        names = np.asarray(names, dtype=str)
        if not len(self.names):
            return np.full(len(names), None, object), np.zeros(len(names), bool)
        at = np.searchsorted(self.names, names).clip(0, len(self.names) - 1)
        found = self.names[at] == names
        pick = self.starts[at] + np.minimum((u * self.counts[at]).astype(np.int64), self.counts[at] - 1)
        return np.where(found, self.nicknames[pick].astype(object), None), found


@lru_cache(maxsize=1)
def shipped_nicknames() -> Nicknames:
    """The nickname list shipped in ``profiles/reference/nicknames.csv`` (read once)."""
    return Nicknames.from_csv(NICKNAMES_CSV)


# ------------------------------------------------------------------------------------------
# String helpers


def _matrix(values: np.ndarray, extra: int = 0) -> np.ndarray:
    """Strings as an (n, width + extra) uint32 matrix of code points, zero-padded."""
    a = np.asarray(values, dtype=str)
    width = a.dtype.itemsize // 4 + extra
    return np.ascontiguousarray(a.astype(f"U{width}")).view(np.uint32).reshape(len(a), width)


def _strings(m: np.ndarray) -> np.ndarray:
    """Inverse of ``_matrix``: an object array of Python strings."""
    m = np.ascontiguousarray(m, dtype=np.uint32)
    return m.view(f"U{m.shape[1]}").ravel().astype(object)


def _upper(values: np.ndarray) -> np.ndarray:
    """Upper-case strings, converting each distinct value once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Series(uniques, dtype=object).str.upper().to_numpy(object)[codes]


def _match_case(new: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Give ``new`` the case style of ``original``: upper, lower, or else title case (unless ``new``
    is already mixed case, e.g. McDonald). Works on distinct (value, style) pairs."""
    new_codes, new_uniques = pd.factorize(np.asarray(new, dtype=object))
    orig_codes, orig_uniques = pd.factorize(np.asarray(original, dtype=object))
    ou = pd.Series(orig_uniques, dtype=object)
    style = np.where(ou.str.isupper().astype(bool), 0, np.where(ou.str.islower().astype(bool), 1, 2))
    keys, inverse = np.unique(new_codes * 3 + style[orig_codes], return_inverse=True)
    words, st = pd.Series(np.asarray(new_uniques, dtype=object)[keys // 3], dtype=object), keys % 3
    cased = np.where(st == 0, words.str.upper(), np.where(st == 1, words.str.lower(), np.where(
        words.str.isupper().astype(bool), words.str.title(), words)))
    return cased.astype(object)[inverse.ravel()]


def _neighbour(chars: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A keyboard neighbour of each code point (which must have one)."""
    c = np.minimum(chars, 127)
    return NEIGHBOURS[c, (u * NEIGHBOUR_COUNT[c]).astype(np.int64)]


def _has_neighbour(chars: np.ndarray) -> np.ndarray:
    return (chars < 128) & (NEIGHBOUR_COUNT[np.minimum(chars, 127)] > 0)


def typo_positions(lengths: np.ndarray, rng: np.random.Generator, rounds: int = 8) -> np.ndarray:
    """Where a typo falls: GeCo's ``position_mod_normal`` (normal around length/2 + 1, sd length/4),
    redrawn when outside the string, so errors are rare at the first letter."""
    pos = np.full(len(lengths), -1)
    for _ in range(rounds):
        bad = (pos < 0) | (pos >= lengths)
        if not bad.any():
            break
        pos[bad] = np.rint(rng.normal(lengths[bad] / 2 + 1, np.maximum(lengths[bad] / 4, 0.5)))
    return np.clip(pos, 0, np.maximum(lengths - 1, 0))


def typos(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One keyboard typo in each non-empty string: substitute a neighbouring key, delete, insert a
    neighbouring key (or a doubled letter) after a letter, or transpose two adjacent letters.

    An edit that cannot change the value (transposing equal letters, substituting a character
    with no neighbour, deleting the only letter) falls back to the next: substitute, delete, insert.
    """
    m = _matrix(values, extra=1)
    n, width = m.shape
    rows, lengths = np.arange(n), (m != 0).sum(1)
    pos = typo_positions(lengths, rng)
    edit = rng.choice(len(TYPO_EDITS), n, p=list(TYPO_EDITS.values()))
    u = rng.random(n)
    left = np.minimum(pos, np.maximum(lengths - 2, 0))
    edit[(edit == 3) & ((lengths < 2) | (m[rows, left] == m[rows, left + 1]))] = 0
    edit[(edit == 0) & ~_has_neighbour(m[rows, pos])] = 1
    edit[(edit == 1) & (lengths < 2)] = 2
    out = m.copy()
    s = edit == 0
    out[s, pos[s]] = _neighbour(m[s, pos[s]], u[s])
    cols = np.arange(width)
    d = edit == 1
    out[d] = np.take_along_axis(m[d], np.minimum(cols + (cols >= pos[d, None]), width - 1), 1)
    i = edit == 2
    at = pos[i] + 1
    out[i] = np.take_along_axis(m[i], cols - (cols >= at[:, None]), 1)
    ch = m[i, pos[i]]
    out[i, at] = np.where(_has_neighbour(ch), _neighbour(np.where(_has_neighbour(ch), ch, 97), u[i]), ch)
    t = edit == 3
    out[t, left[t]], out[t, left[t] + 1] = m[t, left[t] + 1], m[t, left[t]]
    return _strings(out)


def phonetic(values: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A sound-alike variant of each string, from one of the ``PHONETIC_RULES`` that apply to it.

    Returns:
        The new values (unchanged where no rule applies) and a mask of values changed.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    upper = pd.Series(uniques, dtype=object).str.upper()
    variants = np.array([upper.str.replace(p, r, n=1, regex=True).to_numpy(object) for p, r in PHONETIC_RULES],
                        dtype=object).T.reshape(len(uniques), len(PHONETIC_RULES))
    applies = variants != upper.to_numpy(object)[:, None]
    ok = applies[codes]
    count = ok.sum(1)
    k = (rng.random(len(codes)) * count).astype(np.int64)
    rule = np.argmax(np.cumsum(ok, 1) > k[:, None], 1)
    changed = count > 0
    new = np.asarray(values, dtype=object).copy()
    new[changed] = _match_case(variants[codes[changed], rule[changed]], new[changed])
    return new, changed


# ------------------------------------------------------------------------------------------
# Dates


def _ymd(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = d.astype("datetime64[D]")
    y, m = d.astype("datetime64[Y]"), d.astype("datetime64[M]")
    return (y.astype(np.int64) + 1970, (m - y.astype("datetime64[M]")).astype(np.int64) + 1,
            (d - m.astype("datetime64[D]")).astype(np.int64) + 1)


def _date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Dates from parts, the day clipped to the month's length (29 Feb -> 28 Feb)."""
    start = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.int64)
    return start.astype("datetime64[D]") + (np.minimum(day, length) - 1)


def year_typos(dob: np.ndarray, age_years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A year of birth one out, or (half the time, when plausible) its last two digits transposed.

    A transposition is plausible when the digits differ and the new date is neither after the
    record was made (nor after the true date for the unborn) nor more than 100 years before it.
    """
    y, m, d = _ymd(dob)
    swapped = y - y % 100 + (y % 10) * 10 + (y // 10) % 10
    made = dob.astype("datetime64[D]") + np.rint(np.nan_to_num(age_years) * 365.25).astype(np.int64)
    t = _date(swapped, m, d)
    plausible = (swapped != y) & (t <= np.maximum(made, dob.astype("datetime64[D]"))) & \
        (t >= _date(_ymd(made)[0] - 100, m, d))
    use = plausible & (rng.random(len(y)) < 0.5)
    step = rng.choice(np.array([-1, 1]), len(y))
    return np.where(use, t, _date(y + step, m, d))


# ------------------------------------------------------------------------------------------
# Kinds: each takes the true values of the rows drawn for it and a mask of those it can change,
# and returns the new values and the mask of rows it did change.


@dataclass(frozen=True)
class _Context:
    rows: np.ndarray  # positions in the records of the values being changed
    records: pd.DataFrame
    rng: np.random.Generator
    nicknames: Nicknames

    def column(self, name: str) -> np.ndarray:
        s = self.records[name]
        return s.to_numpy(dtype=object)[self.rows] if s.dtype == object else _object_values(s.iloc[self.rows])


def _present(v: np.ndarray) -> np.ndarray:
    """Values that are there: not None/NaN/NA/NaT, and for strings not empty."""
    present = np.asarray(pd.notna(v), bool)
    if v.dtype == object:
        present[present] = v[present] != ""
    return present


def _missing(v, ok, ctx):
    blank = np.datetime64("NaT", "ns") if v.dtype.kind == "M" else (np.nan if v.dtype.kind == "f" else None)
    return np.full(len(v), blank, v.dtype), ok


def _name_typo(v, ok, ctx):
    new = v.copy()
    new[ok] = typos(v[ok], ctx.rng)
    return new, ok


def _phonetic(v, ok, ctx):
    new = v.copy()
    new[ok], changed = phonetic(v[ok], ctx.rng)
    ok[ok] = changed
    return new, ok


def _nickname(v, ok, ctx):
    nick, found = ctx.nicknames.lookup(_upper(v[ok]), ctx.rng.random(int(ok.sum())))
    ok[ok] = found
    new = v.copy()
    new[ok] = _match_case(nick[found], v[ok])
    return new, ok


def _other_surname(v, ok, ctx, hyphenate: bool):
    alt = ctx.column("alt_surname")
    ok &= _present(alt)
    ok[ok] = _upper(alt[ok]) != _upper(v[ok])
    a, s = _match_case(alt[ok], v[ok]), v[ok]
    if hyphenate:
        a = np.where(ctx.rng.random(len(s)) < 0.5, s + "-" + a, a + "-" + s)
    new = v.copy()
    new[ok] = a
    return new, ok


def _nhs_typo(v, ok, ctx):
    ok &= pd.Series(v, dtype=object).str.fullmatch(r"\d{10}", na=False).to_numpy(bool)
    m = _matrix(v[ok])
    r, pos = np.arange(len(m)), ctx.rng.integers(3, 10, len(m))  # never the 999 test-range prefix
    m[r, pos] = (m[r, pos] - 48 + ctx.rng.integers(1, 10, len(m))) % 10 + 48
    new = v.copy()
    new[ok] = _strings(m)
    return new, ok


def _postcode_typo(v, ok, ctx):
    m = _matrix(v[ok])
    letter = ((m | 32) >= 97) & ((m | 32) <= 122)
    area = np.cumprod(letter, 1).astype(bool)  # the leading letters stay: still the ZZ area
    can = _has_neighbour(m) & ~area
    k = (ctx.rng.random(len(m)) * can.sum(1)).astype(np.int64)
    r, pos = np.arange(len(m)), np.argmax(np.cumsum(can, 1) > k[:, None], 1)
    m[r, pos] = np.where(can.any(1), _neighbour(m[r, pos], ctx.rng.random(len(m))), m[r, pos])
    new = v.copy()
    new[ok] = _strings(m)
    ok[ok] = can.any(1)
    return new, ok


def _moved(v, ok, ctx):
    prev = ctx.column("previous_postcode")
    ok &= _present(prev)
    ok[ok] = prev[ok] != v[ok]
    new = v.copy()
    new[ok] = prev[ok]
    return new, ok


def _miscode(v, ok, ctx):
    ok &= np.isin(v, (1, 2))
    return np.where(ok, 3 - v, v), ok


def _date_kind(change):
    """Wrap ``change(dates, ctx, ok) -> (new dates, applies)`` so it sees present dates only."""
    def apply(v, ok, ctx):
        d = v[ok].astype("datetime64[D]")
        changed, applies = change(d, ctx, ok)
        new = v.copy()
        new[ok] = np.where(applies, changed, d)
        ok[ok] = applies
        return new, ok
    return apply


def _swap(d, ctx, ok):
    y, m, day = _ymd(d)
    return _date(y, np.minimum(day, 12), m), (day <= 12) & (day != m)


def _offset(d, ctx, ok):
    return d + ctx.rng.choice(np.array([-1, 1]), len(d)), np.ones(len(d), bool)


def _year(d, ctx, ok):
    age = ctx.records["age_years"].to_numpy(float)[ctx.rows][ok]
    return year_typos(d, age, ctx.rng), np.ones(len(d), bool)


KINDS = {
    **{(f, "missing"): _missing for f in FIELDS},
    ("forename", "typo"): _name_typo, ("surname", "typo"): _name_typo,
    ("forename", "phonetic"): _phonetic, ("surname", "phonetic"): _phonetic,
    ("forename", "nickname"): _nickname,
    ("surname", "change"): lambda v, ok, ctx: _other_surname(v, ok, ctx, hyphenate=False),
    ("surname", "hyphenate"): lambda v, ok, ctx: _other_surname(v, ok, ctx, hyphenate=True),
    ("date_of_birth", "day_month_swap"): _date_kind(_swap),
    ("date_of_birth", "day_offset"): _date_kind(_offset),
    ("date_of_birth", "year_typo"): _date_kind(_year),
    ("sex", "miscode"): _miscode,
    ("nhs_number", "typo"): _nhs_typo,
    ("postcode", "typo"): _postcode_typo, ("postcode", "moved"): _moved,
}


def _apply_kind(field: str, kind: str, values: np.ndarray, ctx: _Context) -> tuple[np.ndarray, np.ndarray]:
    """Apply one kind to the values of ``ctx.rows``; returns new values and where they changed."""
    ok = _present(values)
    if not ok.any():
        return values, ok
    return KINDS[field, kind](values, ok, ctx)


# ------------------------------------------------------------------------------------------
# Rates


def _group_mask(g: Group, rec: pd.DataFrame, cache: dict) -> np.ndarray:
    if g in cache:
        return cache[g]
    mask = np.ones(len(rec), bool)
    age = rec["age_years"].to_numpy(float)
    if g.is_adult is not None:
        mask &= rec["is_adult"].to_numpy(bool) == g.is_adult
    if g.sex is not None:
        mask &= rec["sex"].to_numpy() == g.sex
    if g.age_years_below is not None:
        mask &= age < g.age_years_below
    if g.age_years_at_least is not None:
        mask &= age >= g.age_years_at_least
    if g.ethnicity is not None or g.ethnicity_not is not None:
        if "ethnicity" not in cache:
            cache["ethnicity"] = pd.factorize(rec["ethnicity"])
        codes, uniques = cache["ethnicity"]
        listed = np.append(np.isin(np.asarray(uniques, dtype=object), list(g.ethnicity or g.ethnicity_not)), False)
        mask &= listed[codes] if g.ethnicity is not None else ~listed[codes]
    cache[g] = mask
    return mask


def field_rates(entries: list[ErrorRate], rec: pd.DataFrame, field: str = "", cache: dict | None = None
                ) -> np.ndarray:
    """Each record's rate of each kind, after ``when`` and multipliers: a (kinds, n) array.

    Rows whose rates add up to more than 1 (possible only when a record's flags disagree with its
    age, e.g. an adult aged 10) are scaled down to a total of 1, with a warning.
    """
    cache = {} if cache is None else cache
    rates = np.empty((len(entries), len(rec)))
    for r, e in zip(rates, entries):
        r.fill(e.rate)
        if e.when is not None:
            np.multiply(r, 0.0, out=r, where=~_group_mask(e.when, rec, cache))
        for m in e.multipliers:
            np.multiply(r, m.times, out=r, where=_group_mask(m.when, rec, cache))
    total = rates.sum(0)
    over = total > 1
    if over.any():
        warnings.warn(f"identifier_errors.{field}: rates add up to {total.max():.4g} (more than 1) for "
                      f"{int(over.sum())} records; scaled down to 1 for them", stacklevel=3)
        rates[:, over] /= total[over]
    return rates


def _choose(rates: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The kind drawn for each record: the first k with u < rates[0] + ... + rates[k]; len(rates) when none."""
    cum, choice = np.zeros(len(u)), np.zeros(len(u), np.int64)
    for r in rates:
        cum += r
        choice += u >= cum
    return choice


def expected_rates(records: pd.DataFrame, model: IdentifierErrors) -> pd.DataFrame:
    """The configured rate of each field and kind over these records (mean after multipliers).

    Returns:
        Columns ``field``, ``kind``, ``rate``.
    """
    cache, out = {}, []
    for field in FIELDS:
        entries = model.for_field(field)
        if entries:
            means = field_rates(entries, records, field, cache).mean(1)
            out += [(field, e.kind, float(r)) for e, r in zip(entries, means)]
    return pd.DataFrame(out, columns=["field", "kind", "rate"])


# ------------------------------------------------------------------------------------------
# Public entry points


def corrupt(records: pd.DataFrame, model: IdentifierErrors, rng: np.random.Generator,
            nicknames: Nicknames | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply an agency's identifier errors to true identifiers.

    Args:
        records: Columns forename, surname, date_of_birth, sex, nhs_number, postcode,
            previous_postcode, alt_surname, is_adult, age_years, ethnicity (see module docs).
        model: The agency's ``identifier_errors`` section.
        rng: The only source of randomness.
        nicknames: Short forms for the ``nickname`` kind; the shipped list when None.

    Returns:
        ``(recorded, errors)``: the recorded identifiers (same index; missing as None, NaT or
        NA; sex as Int64) and one row per applied error with columns ``row`` (position in
        ``records``), ``field`` and ``kind``.
    """
    nicknames = shipped_nicknames() if nicknames is None else nicknames
    n, cache = len(records), {}
    cols = {f: _object_values(records[f]) for f in FIELDS if f not in ("date_of_birth", "sex")}
    cols["date_of_birth"] = records["date_of_birth"].to_numpy("datetime64[ns]")
    cols["sex"] = records["sex"].to_numpy(np.float64, na_value=np.nan)  # NaN while working: Int64 at the end
    recorded = {f: c.copy() for f, c in cols.items()}
    errors = []
    for field in FIELDS:
        entries = model.for_field(field)
        if not entries or n == 0:
            continue
        choice = _choose(field_rates(entries, records, field, cache), rng.random(n))
        drawn = np.flatnonzero(choice < len(entries))  # the few records with an error drawn
        for k, e in enumerate(entries):
            rows = drawn[choice[drawn] == k]
            if len(rows) == 0:
                continue
            new, ok = _apply_kind(field, e.kind, cols[field][rows], _Context(rows, records, rng, nicknames))
            recorded[field][rows[ok]] = new[ok]
            errors.append((rows[ok], FIELDS.index(field), e.kind))
    return _recorded_frame(recorded, records.index), _errors_frame(errors)


def _object_values(s: pd.Series) -> np.ndarray:
    """Strings as an object array: object columns as they are (no copy; their missing values are
    kept), other dtypes (Arrow strings, categoricals) converted with None for missing."""
    return s.to_numpy(dtype=object) if s.dtype == object else s.to_numpy(dtype=object, na_value=None)


def _recorded_frame(recorded: dict, index: pd.Index) -> pd.DataFrame:
    sex = recorded["sex"]
    missing = np.isnan(sex)
    out = {f: recorded[f] for f in ("forename", "surname")}
    out["date_of_birth"] = recorded["date_of_birth"]
    out["sex"] = pd.arrays.IntegerArray(np.where(missing, 0, sex).astype(np.int64), missing)
    out.update({f: recorded[f] for f in ("nhs_number", "postcode")})
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
