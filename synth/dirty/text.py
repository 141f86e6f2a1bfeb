"""Whitespace and case noise in postcodes and person names, and missing mandatory fields."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from synth.dirty.frame import NOISY_NAME, DirtyTable, pick


def noisy_columns(t: DirtyTable) -> list[str]:
    """Text columns holding postcodes or person names (POSTCODE, HOME_POST, SURNAME, FORENAME, ...)."""
    return [c.name for c in t.columns() if not c.codes and pa.types.is_string(t.type_of(c.name))
            and NOISY_NAME.search(c.name)]


def noise(values: list[str], draws: np.ndarray) -> list[str]:
    """Each value with one kind of noise: a trailing space, two, a leading space, lower, upper or title case.

    A case change that would leave the value as it is (``SMITH`` upper-cased) becomes a trailing
    space, so every noisy value differs from its clean one.
    """
    out = []
    for v, u in zip(values, draws):
        kind = int(u * 6)
        new = (v + " ", v + "  ", " " + v, v.lower(), v.upper(), v.title())[kind]
        out.append(new if new != v else v + " ")
    return out


def whitespace_case(t: DirtyTable, rng: np.random.Generator, rate: float) -> None:
    """Add whitespace or case noise to postcode and name cells."""
    names = noisy_columns(t)
    if not names or not t.n:
        return
    rows, cols = pick(rng, np.column_stack([t.free(n) for n in names]), rate)
    draws = rng.random(len(rows))
    for j, name in enumerate(names):
        at = rows[cols == j]
        clean = t.table.column(name).take(pa.array(at)).to_pylist()
        t.set(name, at, pa.array(noise(clean, draws[cols == j]), pa.string()), "whitespace_case")


def missing_mandatory(t: DirtyTable, rng: np.random.Generator, rate: float) -> None:
    """Empty a cell of a column the profile declares ``required`` (the key excluded)."""
    names = [c.name for c in t.columns() if c.required]
    if not names or not t.n:
        return
    rows, cols = pick(rng, np.column_stack([t.free(n) for n in names]), rate)
    for j, name in enumerate(names):
        at = rows[cols == j]
        t.set(name, at, pa.nulls(len(at), t.type_of(name)), "missing_mandatory")
