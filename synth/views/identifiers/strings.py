"""String edits for identifier errors: keyboard typos and sound-alike (phonetic) variants.

Vectorised: the rows drawn for an edit become a fixed-width code-point matrix edited by array
indexing; phonetic rules run once per distinct value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def to_matrix(values: np.ndarray, extra: int = 0) -> np.ndarray:
    """Strings as an (n, width + extra) uint32 matrix of code points, zero-padded."""
    a = np.asarray(values, dtype=str)
    width = a.dtype.itemsize // 4 + extra
    return np.ascontiguousarray(a.astype(f"U{width}")).view(np.uint32).reshape(len(a), width)


def from_matrix(m: np.ndarray) -> np.ndarray:
    """Inverse of ``to_matrix``: an object array of Python strings."""
    m = np.ascontiguousarray(m, dtype=np.uint32)
    return m.view(f"U{m.shape[1]}").ravel().astype(object)


def upper_values(values: np.ndarray) -> np.ndarray:
    """Upper-case strings, converting each distinct value once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Series(uniques, dtype=object).str.upper().to_numpy(object)[codes]


def match_case(new: np.ndarray, original: np.ndarray) -> np.ndarray:
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


def neighbour(chars: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A keyboard neighbour of each code point (which must have one)."""
    c = np.minimum(chars, 127)
    return NEIGHBOURS[c, (u * NEIGHBOUR_COUNT[c]).astype(np.int64)]


def has_neighbour(chars: np.ndarray) -> np.ndarray:
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
    m = to_matrix(values, extra=1)
    n, width = int(m.shape[0]), int(m.shape[1])
    rows, lengths = np.arange(n), (m != 0).sum(1)
    pos = typo_positions(lengths, rng)
    edit: np.ndarray = rng.choice(len(TYPO_EDITS), n, p=list(TYPO_EDITS.values()))
    u: np.ndarray = rng.random(n)
    left = np.minimum(pos, np.maximum(lengths - 2, 0))
    edit[(edit == 3) & ((lengths < 2) | (m[rows, left] == m[rows, left + 1]))] = 0
    edit[(edit == 0) & ~has_neighbour(m[rows, pos])] = 1
    edit[(edit == 1) & (lengths < 2)] = 2
    out = m.copy()
    s = edit == 0
    out[s, pos[s]] = neighbour(m[s, pos[s]], u[s])
    cols = np.arange(width)
    d = edit == 1
    out[d] = np.take_along_axis(m[d], np.minimum(cols + (cols >= pos[d, None]), width - 1), 1)
    i = edit == 2
    at = pos[i] + 1
    out[i] = np.take_along_axis(m[i], cols - (cols >= at[:, None]), 1)
    ch = m[i, pos[i]]
    out[i, at] = np.where(has_neighbour(ch), neighbour(np.where(has_neighbour(ch), ch, 97), u[i]), ch)
    t = edit == 3
    out[t, left[t]], out[t, left[t] + 1] = m[t, left[t] + 1], m[t, left[t]]
    return from_matrix(out)


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
    new[changed] = match_case(variants[codes[changed], rule[changed]], new[changed])
    return new, changed
