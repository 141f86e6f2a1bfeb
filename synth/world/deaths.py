"""Deaths: each person's date of death, drawn from the national life table by age and sex.

People are in the data because they were alive when they appeared in it, so a death is drawn
conditional on surviving past the person's last activity (:func:`last_activity`: their birth,
the births of their children, the end of every proceeding they are a party to, every court event,
care episode, review, missing spell and adoption step about them). The draw is left-truncated
at that day: with the life table's hazard constant within each year of age
(``mu_x = -ln(1 - q_x)``), the cumulative hazard ``H`` is piecewise linear, and the age at death
is ``H^-1(H(age at last activity) + E)`` with ``E ~ Exp(1)``. Deaths after the period end are
not known to any agency, so they stay empty (NaT).

The rates are the ONS national life table (qx by single year of age and sex) in
``synth/profiles/reference/life_table.csv`` (its source is in SOURCES.md there). Ages past the
table's last age keep its last rate.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from synth.profile.kinds import YEAR
from synth.world.context import WorldContext
from synth.world.residence import HISTORY_YEARS

#: The life table shipped with the profiles (package data).
LIFE_TABLE = "reference/life_table.csv"
#: Oldest age the hazard is tabulated to (the table's last rate is kept from its last age on).
MAX_AGE = 130
#: A father's last activity is at least the conception of each child (about 38 weeks before birth).
GESTATION_DAYS = 266


@lru_cache(maxsize=1)
def hazards() -> np.ndarray:
    """Yearly hazards ``mu[sex, age]`` (sex 0 = male, 1 = female; ages 0..MAX_AGE-1)."""
    text = resources.files("synth.profiles").joinpath(LIFE_TABLE).read_text(encoding="utf-8")
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    qx = np.array([[float(r[1]) for r in rows], [float(r[2]) for r in rows]])
    mu = -np.log1p(-qx)
    tail = np.repeat(mu[:, -1:], MAX_AGE - mu.shape[1], axis=1)
    return np.concatenate([mu, tail], axis=1)


def _table(mu: np.ndarray, age_years: np.ndarray) -> np.ndarray:
    """Cumulative hazard from birth to each age under one row of yearly hazards ``mu``."""
    H = np.concatenate([[0.0], np.cumsum(mu)])
    a = np.clip(age_years, 0, MAX_AGE - 1e-9)
    x = np.floor(a).astype(np.int64)
    return H[x] + mu[x] * (a - x)


def _sex_hazards(sex: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(row mask, yearly hazards) per sex group: 1 male, 2 female, any other the mean of the two."""
    mu = hazards()
    sex = np.asarray(sex)
    other = (sex != 1) & (sex != 2)
    return [(sex == 1, mu[0]), (sex == 2, mu[1]), (other, mu.mean(axis=0))]


def cumulative_hazard(sex: np.ndarray, age_years: np.ndarray) -> np.ndarray:
    """Cumulative life-table hazard from birth to ``age_years`` for each person of sex ``sex``."""
    age = np.asarray(age_years, dtype=float)
    out = np.zeros(len(age))
    for rows, mu in _sex_hazards(sex):
        out[rows] = _table(mu, age[rows])
    return out


def draw_age_at_death(sex: np.ndarray, entry_age_years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Age at death (years) of people alive at ``entry_age_years``, from the life-table hazard.

    Args:
        sex: 1 male, 2 female (anything else takes the mean of the two).
        entry_age_years: age at which each person is known to be alive (>= 0).
        rng: the random stream.

    Returns:
        Ages at death, each at least its entry age.
    """
    entry = np.clip(np.asarray(entry_age_years, dtype=float), 0, None)
    target = cumulative_hazard(sex, entry) + rng.exponential(1.0, len(entry))
    age = np.empty(len(entry))
    for rows, mu in _sex_hazards(sex):
        H = np.concatenate([[0.0], np.cumsum(mu)])
        # The whole age x with H[x] <= target < H[x + 1], then linear within the year.
        x = np.minimum(np.searchsorted(H, target[rows], side="right") - 1, MAX_AGE - 1)
        age[rows] = x + (target[rows] - H[x]) / mu[x]
    return np.maximum(age, entry)


def last_activity(tables: dict[str, pd.DataFrame], end: int) -> np.ndarray:
    """Last day (days since 1970) each person of ``tables['person']`` is known to be alive.

    Args:
        tables: one shard's truth tables (``person`` sorted by person_id).
        end: the period end (days since 1970); open proceedings run to it.
    """
    person = tables["person"]
    pid = person["person_id"].to_numpy(np.int64)
    dob = person["date_of_birth"].to_numpy("datetime64[D]").astype(np.int64)
    last = dob.copy()
    ids, days = [], []

    def add(who: pd.Series | np.ndarray, when: np.ndarray) -> None:
        w = pd.Series(who).to_numpy(np.int64, na_value=-1)
        d = np.asarray(when, dtype="datetime64[D]").astype(np.int64)
        ok = (w >= 0) & (d != np.iinfo(np.int64).min)
        ids.append(w[ok])
        days.append(d[ok])

    # Parents were alive at each child's birth (fathers at least at the conception).
    add(person["mother_id"], person["date_of_birth"].to_numpy("datetime64[D]"))
    add(person["father_id"], person["date_of_birth"].to_numpy("datetime64[D]") - np.timedelta64(GESTATION_DAYS, "D"))
    proc = tables["proceeding"]
    closed = proc["disposal_date"].to_numpy("datetime64[D]")
    closed = np.where(np.isnat(closed), np.datetime64(int(end), "D"), closed)
    party = tables["proceeding_party"]
    pos = np.searchsorted(proc["proceeding_id"].to_numpy(np.int64), party["proceeding_id"].to_numpy(np.int64))
    add(party["person_id"], closed[pos])
    if "court_event" in tables:
        add(tables["court_event"]["person_id"], tables["court_event"]["event_date"].to_numpy("datetime64[D]"))
    for name in ("care_episode", "care_review", "care_missing", "adoption"):
        t = tables.get(name)
        if t is None or not len(t):
            continue
        for col, typ in t.dtypes.items():
            if pd.api.types.is_datetime64_any_dtype(typ):
                add(t["person_id"], t[col].to_numpy("datetime64[D]"))
    if ids:
        who, when = np.concatenate(ids), np.concatenate(days)
        at = np.searchsorted(pid, who)
        known = (at < len(pid)) & (pid[np.minimum(at, len(pid) - 1)] == who)
        np.maximum.at(last, at[known], when[known])
    return last


def add_deaths(ctx: WorldContext, tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    """Fill ``person.date_of_death`` of one shard in place (NaT when alive at the period end).

    Args:
        ctx: the run's world context (its ``end`` is the period end).
        tables: the shard's truth tables, care tables included.
        rng: the shard's death stream.
    """
    person = tables["person"]
    dob = person["date_of_birth"].to_numpy("datetime64[D]").astype(np.int64)
    # Everyone holds an address from the start of the address history (residence.HISTORY_YEARS
    # before the period) or their birth, so the spine has each person alive there.
    entry = np.maximum(last_activity(tables, ctx.end), ctx.start - int(round(HISTORY_YEARS * YEAR)))
    age = draw_age_at_death(person["sex"].to_numpy(), (entry - dob) / YEAR, rng)
    day = np.maximum(dob + np.floor(age * YEAR).astype(np.int64), entry)
    died = day <= ctx.end
    out = np.where(died, day, 0).astype("datetime64[D]").astype("datetime64[ns]")
    out[~died] = np.datetime64("NaT")
    person["date_of_death"] = out
