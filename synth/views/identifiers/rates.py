"""Error rates: each record's rate of each kind after the profile's ``when`` groups and multipliers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from synth.profile.identifier_errors import ErrorRate, Group, IdentifierErrors
from synth.views.identifiers.kinds import FIELDS


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
    if g.created_before is not None or g.created_from is not None:
        if "created_year" not in cache:
            made = rec["created_date"].to_numpy("datetime64[D]")
            cache["created_year"] = made.astype("datetime64[Y]").astype(np.int64) + 1970
        year = cache["created_year"]
        if g.created_before is not None:
            mask &= year < g.created_before
        if g.created_from is not None:
            mask &= year >= g.created_from
    if g.ethnicity is not None or g.ethnicity_not is not None:
        if "ethnicity" not in cache:
            cache["ethnicity"] = pd.factorize(rec["ethnicity"])
        codes, uniques = cache["ethnicity"]
        named = list(g.ethnicity or g.ethnicity_not or ())
        listed = np.append(np.isin(np.asarray(uniques, dtype=object), named), False)
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


def choose(rates: np.ndarray, u: np.ndarray) -> np.ndarray:
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
    cache: dict = {}
    out: list[tuple[str, str, float]] = []
    for field in FIELDS:
        entries = model.for_field(field)
        if entries:
            means = field_rates(entries, records, field, cache).mean(1)
            out += [(field, e.kind, float(r)) for e, r in zip(entries, means)]
    return pd.DataFrame(out, columns=["field", "kind", "rate"])
