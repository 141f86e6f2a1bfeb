"""Identifiers: safe-range NHS numbers and UPNs, and pseudo-postcodes.

* NHS numbers come only from the never-issued test range 999 000 0000 - 999 999 9999, with valid
  mod-11 check digits (domain/schemas.md 6.1). Each person gets a distinct one through a keyed
  permutation of the run's dense person sequence, so numbers never collide until the range (about
  909,000 valid numbers) is exhausted; beyond that they wrap and repeat.
* UPNs use LA number 999, which is never issued (6.2), with a correct check letter.
* The keyed bijections and permutations behind them (and behind agency ids) are in ``synth.keys``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from synth.keys import permute_index

UPN_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))


def nhs_check_digit(first9: np.ndarray) -> np.ndarray:
    """Mod-11 check digit for 9-digit integers; 10 means the number is invalid."""
    x = np.asarray(first9, dtype=np.int64)
    total = np.zeros(x.shape, dtype=np.int64)
    for weight in range(2, 11):  # the last digit has weight 2, the first weight 10
        total += (x % 10) * weight
        x = x // 10
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


@lru_cache(maxsize=1)
def valid_test_nhs_numbers() -> np.ndarray:
    """All valid NHS numbers in the 999 test range, ascending, as int64."""
    first9 = 999_000_000 + np.arange(1_000_000, dtype=np.int64)
    check = nhs_check_digit(first9)
    ok = check != 10
    return first9[ok] * 10 + check[ok]


def is_valid_nhs(numbers: np.ndarray) -> np.ndarray:
    """True for 10-digit numbers with a valid check digit."""
    n = np.asarray(numbers, dtype=np.int64)
    return (n >= 10**9) & (n < 10**10) & (nhs_check_digit(n // 10) == n % 10)


def nhs_numbers(person_seq: np.ndarray, key: int) -> np.ndarray:
    """Distinct test-range NHS numbers (as 10-character strings) for dense person sequence numbers."""
    valid = valid_test_nhs_numbers()
    return valid[permute_index(person_seq, len(valid), key)].astype(str)


def _upn_values() -> np.ndarray:
    table = np.full(256, -1, dtype=np.int64)
    table[ord("0"):ord("9") + 1] = np.arange(10)
    for i, c in enumerate(UPN_ALPHABET):
        table[ord(c)] = i
    return table


_UPN_VALUE = _upn_values()


def _char_matrix(strings: np.ndarray, width: int) -> np.ndarray:
    """ASCII codes of fixed-width strings as an (n, width) uint8 matrix."""
    return np.asarray(strings, dtype=f"S{width}").view(np.uint8).reshape(-1, width)


def upn_check_letter(body: np.ndarray) -> np.ndarray:
    """Check letters for 12-character UPN bodies (LA number + establishment + year + serial)."""
    values = _UPN_VALUE[_char_matrix(body, 12)]
    weights = np.arange(2, 14)
    return UPN_ALPHABET[(values * weights).sum(axis=1) % 23]


def upns(person_seq: np.ndarray, issue_year: np.ndarray) -> np.ndarray:
    """UPNs with never-issued LA number 999: unique per (sequence, year of issue).

    Body = LA 999, a 4-digit establishment and 3-digit serial from the sequence, and the 2-digit
    year of issue; built as a digit matrix (no per-row string work).
    """
    seq = np.asarray(person_seq, dtype=np.int64)
    body = np.zeros((len(seq), 12), dtype=np.int64)
    body[:, 0:3] = 9
    for col, value, width in ((3, (seq // 1000) % 10000, 4), (7, np.asarray(issue_year, np.int64) % 100, 2),
                              (9, seq % 1000, 3)):
        for k in range(width):
            body[:, col + width - 1 - k] = (value // 10**k) % 10
    check = (body * np.arange(2, 14)).sum(axis=1) % 23
    chars = np.empty((len(seq), 13), dtype=np.uint8)
    chars[:, 0] = UPN_ALPHABET.astype("S1").view(np.uint8)[check]
    chars[:, 1:] = body + ord("0")
    return chars.view("S13").ravel().astype(str)


def upn_is_valid(upn: np.ndarray) -> np.ndarray:
    """True for 13-character UPNs whose check letter is right."""
    upn = np.asarray(upn, dtype=str)
    out = np.zeros(len(upn), dtype=bool)
    ok = np.char.str_len(upn) == 13
    if ok.any():
        chars = _char_matrix(upn[ok], 13)
        values = _UPN_VALUE[chars[:, 1:]]
        check = UPN_ALPHABET[(values * np.arange(2, 14)).sum(axis=1) % 23].astype("S1").view(np.uint8)
        out[ok] = (values >= 0).all(axis=1) & (check == chars[:, 0])
    return out


def pseudo_postcodes(la_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fictitious postcodes in the unallocated ZZ area: ``ZZ<district> <digit><letters>``.

    The district follows the local authority, so people in one LA share outward codes.
    ZZ99 is left for the NHS pseudo-postcodes (e.g. ``ZZ99 3VZ`` no fixed abode).
    """
    n = len(la_index)
    digit = rng.integers(0, 10, n)
    first = rng.integers(0, 20, n)
    second = rng.integers(0, 20, n)
    district = np.asarray(la_index) % 98
    if n < DIRECT_POSTCODES:  # a small shard: spell them out rather than build the whole table
        return _spell_postcodes(district, digit, first, second)
    # Whole postcodes from a table of every district x inward code (98 x 4,000), by index.
    return _postcode_table()[district * 4000 + digit * 400 + first * 20 + second]


#: Below this many postcodes, spelling them out is cheaper than building the 392,000-entry table once.
DIRECT_POSTCODES = 500_000
_INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def _spell_postcodes(district: np.ndarray, digit: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The postcodes ``_postcode_table`` holds at these indices, spelled out (same strings)."""
    outward = np.char.add("ZZ", (district + 1).astype(str))
    inward = np.char.add(np.char.add(digit.astype(str), _INWARD_LETTERS[first]), _INWARD_LETTERS[second])
    return np.char.add(np.char.add(outward, " "), inward).astype(object)


@lru_cache(maxsize=1)
def _postcode_table() -> np.ndarray:
    """Every ``ZZ<district> <digit><letter><letter>`` postcode, district-major (built once)."""
    letters = _INWARD_LETTERS
    inward = np.char.add(np.char.add(np.repeat(np.arange(10).astype(str), 400), np.tile(np.repeat(letters, 20), 10)),
                         np.tile(letters, 200))
    outward = np.char.add("ZZ", (np.arange(98) + 1).astype(str))
    return np.char.add(np.char.add(np.repeat(outward, 4000), " "), np.tile(inward, 98)).astype(object)
