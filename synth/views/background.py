"""The Welsh Demographic Service's background population: everyone resident who is not in a family.

The real WDS holds every Welsh resident (about 3.1 million), so a person searched for has
namesakes, some born on the same day. This module makes that population lazily and
deterministically, in chunks keyed by (seed, chunk), so memory stays flat whatever its size and
any worker makes the same chunk the same way:

- age: the stationary population of the ONS national life table (``reference/life_table.csv``;
  assumption: births constant over time, so the share aged x is proportional to survival to x),
  to age 100;
- sex: half and half (assumption; Wales is 51% female);
- area: an LSOA of Wales drawn uniformly (LSOAs are built to hold similar populations, about
  1,600 people: schemas.md 1.2), with a postcode in the fictitious ZZ district of its local
  authority, as the families' postcodes (synth.world.ids);
- names: synth.world.names with the Welsh weights (forenames by birth year and sex).

``background_size`` states how big it is for a run; ``background_chunks`` yields it.
Not yet wired into the WDSD tables (see the module's tests for the namesake rate and speed).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import numpy as np
import pandas as pd

from synth.profile.find import shipped_reference
from synth.rng import generator
from synth.world import ids, names
from synth.world.geography import Geography, load_geography

#: Welsh residents (ONS mid-year estimate, about 3.1 million; the issue's figure).
WALES_POPULATION = 3_100_000
#: Families in a run of full national size (the England and Wales profile's default size).
#: assumption: the run is a sample of the real families, so the spine is scaled with it.
FULL_FAMILIES = 1_000_000
#: Largest background per family member on the spine for small runs. assumption: enough
#: namesakes to matter without making a 1,000-family run mostly background.
SPINE_FACTOR = 20.0
#: People per chunk (memory per chunk about 100 MB).
CHUNK = 250_000
#: Background person ids start here (far above family person ids).
ID_BASE = 9 * 10**17
#: Day the population is observed (the WDS snapshot, synth.views.spine.SNAPSHOT).
SNAPSHOT_DAY = np.datetime64("2024-06-30", "D")


def background_size(families: int, spine_people: int, full_families: int = FULL_FAMILIES,
                    spine_factor: float = SPINE_FACTOR) -> int:
    """People in the background: the Welsh population scaled with the run, capped by the spine factor.

    Args:
        families: families in the run.
        spine_people: family members on the spine (Welsh family members).
        full_families: families of a run of full national size.
        spine_factor: the cap, as background people per family member on the spine.
    """
    scaled = WALES_POPULATION * min(families / full_families, 1.0)
    return int(min(scaled, spine_factor * spine_people)) if spine_people else int(scaled)


@lru_cache(maxsize=1)
def _age_cdf() -> tuple[np.ndarray, np.ndarray]:
    """Cumulative share by single year of age 0-100 of the stationary population, per sex."""
    t = pd.read_csv(shipped_reference("life_table.csv"))
    out = []
    for col in ("qx_male", "qx_female"):
        lx = np.concatenate([[1.0], np.cumprod(1 - t[col].to_numpy(float))[:-1]])
        c = np.cumsum(lx)
        out.append(c / c[-1])
    return out[0], out[1]


@lru_cache(maxsize=1)
def _wales() -> tuple[Geography, np.ndarray]:
    geo = load_geography(shipped_reference("local_authorities.csv"), shipped_reference("lsoa.csv"))
    return geo, np.flatnonzero(geo.la_country == "Wales")


def background_chunk(seed: int, chunk: int, size: int) -> pd.DataFrame:
    """One chunk of the background population (the same for the same seed, chunk and size).

    Returns:
        Columns person_id, sex, date_of_birth, forename, surname, postcode, lsoa_code, la_code.
    """
    rng = generator(seed, "wds-background", chunk)
    sex = rng.integers(1, 3, size)
    male, female = _age_cdf()
    u = rng.random(size)
    age = np.where(sex == 1, np.searchsorted(male, u), np.searchsorted(female, u))
    dob = SNAPSHOT_DAY - (age * 365.25 + rng.random(size) * 365.25).astype(np.int64)
    year = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    geo, welsh_las = _wales()
    # An LSOA uniformly over Wales: an LA in proportion to its LSOAs, then one of them.
    counts = geo.lsoa_count[welsh_las]
    cum = np.cumsum(counts)
    k = np.minimum((rng.random(size) * cum[-1]).astype(np.int64), cum[-1] - 1)
    which = np.searchsorted(cum, k, side="right")
    la = welsh_las[which]
    lsoa = geo.lsoa_code[geo.lsoa_start[la] + (k - (cum[which] - counts[which]))]
    welsh = np.ones(size, bool)
    return pd.DataFrame({
        "person_id": ID_BASE + chunk * CHUNK + np.arange(size, dtype=np.int64),
        "sex": sex.astype(np.int64),
        "date_of_birth": dob.astype("datetime64[ns]"),
        "forename": names.forenames(sex, rng, year, welsh),
        "surname": names.surnames(size, rng, welsh),
        "postcode": ids.pseudo_postcodes(la, rng),
        "lsoa_code": lsoa,
        "la_code": geo.la_code[la],
    })


def background_chunks(seed: int, total: int, chunk: int = CHUNK) -> Iterator[pd.DataFrame]:
    """The background population of ``total`` people, ``chunk`` at a time (lazily)."""
    for c, start in enumerate(range(0, total, chunk)):
        yield background_chunk(seed, c, min(chunk, total - start))
