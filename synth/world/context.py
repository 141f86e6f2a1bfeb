"""Everything the world model needs, prepared once per run from a loaded profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from synth.dates import fy_of, to_days
from synth.profile.kinds import Categorical, Conditional, Histogram
from synth.profile.loader import LoadedProfile
from synth.world import ethnicity as ethnic
from synth.world.court import court_prefixes
from synth.world.geography import Geography, load_geography
from synth.world.place import Place, build_place
from synth.world.volumes import Strata, fill_unpublished, index_strata, read_volumes


@dataclass(frozen=True)
class WorldContext:
    """Arrays and distributions for simulating families (picklable, shared by workers).

    Attributes:
        seed: run seed.
        start, end: first and last issue day (days since 1970-01-01).
        dists: the profile's named distributions.
        geo: local authorities and LSOAs.
        strata: index-proceeding strata.
        ethnic: per-LA ethnic mixes and calibrated propensities (synth/world/ethnicity.py).
    """

    seed: int
    start: int
    end: int
    dists: dict
    geo: Geography
    strata: Strata
    court_prefixes: dict
    place: Place | None = None
    ethnic: ethnic.EthnicModel | None = None


def teen_share(dist: Histogram) -> float:
    """Share of a mother's-age-at-first-birth histogram below 20 years."""
    edges = np.asarray(dist.bins)
    p = dist.p
    lo, hi = edges[:-1], edges[1:]
    frac = np.clip((20 - lo) / (hi - lo), 0, 1)
    return float((p * frac).sum())


def build_context(loaded: LoadedProfile, seed: int | None = None) -> WorldContext:
    """Prepare a run's world context from a checked profile."""
    prof = loaded.profile
    w = prof.world
    geo = load_geography(loaded.reference_path(w.local_authorities.file), loaded.reference_path(w.lsoas.file))
    first_fy = int(fy_of(np.array([to_days(prof.period.start)]))[0])
    last_fy = int(fy_of(np.array([to_days(prof.period.end)]))[0])
    volumes = read_volumes(loaded.reference_path(w.volumes.file), first_fy, last_fy)
    volumes = volumes[volumes["country"].isin(w.countries)].reset_index(drop=True)
    pv = w.place.year_effects.private_law_volume if w.place is not None else None
    if pv is not None:  # the year effect of the April 2013 legal aid cut on unpublished private law years
        years = sorted(set(pv.fill_years) | {pv.anchor})
        volumes = fill_unpublished(volumes, pv.law_type, pv.anchor, pv.fill_years, dict(zip(years, pv.at(years))))
    mafb = cast(Conditional, w.distributions["mother_age_at_first_birth"])
    teen = {lt: teen_share(cast(Histogram, mafb.cases[lt])) for lt in mafb.cases}
    strata = index_strata(volumes, w.distributions, teen)
    run_seed = prof.seed if seed is None else int(seed)
    place = None
    if w.place is not None and w.population is not None:
        place = build_place(w.place, loaded.reference_path(w.population.file),
                            loaded.reference_path(w.local_authorities.file), geo, strata, volumes, w.distributions,
                            run_seed, first_fy, last_fy)
    return WorldContext(
        seed=run_seed,
        start=to_days(prof.period.start),
        end=to_days(prof.period.end),
        dists=dict(w.distributions),
        geo=geo,
        strata=strata,
        court_prefixes=court_prefixes(geo.dfj_area),
        place=place,
        ethnic=_ethnic_model(loaded, geo, place, strata),
    )


def _ethnic_model(loaded: LoadedProfile, geo: Geography, place: Place | None, strata: Strata) -> ethnic.EthnicModel:
    """Per-LA ethnic mixes (the profile's census table, or the target mix everywhere) calibrated over the
    LAs' public-law weights (the place model's population x propensity when there is one)."""
    w = loaded.profile.world
    eth = cast(Conditional, w.distributions["ethnicity"])
    targets = {c: dict(cast(Categorical, leaf).probabilities) for c, leaf in eth.cases.items()}
    if w.ethnic_population is not None:
        pop = ethnic.read_population(loaded.reference_path(w.ethnic_population.file), geo.la_code)
    else:
        pop = np.array([[targets.get(c, {}).get(code, 0.0) for code in ethnic.CODES] for c in geo.la_country])
        pop = pop / np.maximum(pop.sum(1, keepdims=True), 1e-300)
    weight = {}
    for c in set(geo.la_country):
        if place is not None:
            rows = np.flatnonzero((strata.country == c) & (strata.law == "public"))
            per_la = np.diff(np.concatenate([np.zeros((len(rows), 1)), place.la_cdf[rows]], axis=1), axis=1)
            weight[c] = strata.index_p[rows] @ per_la
            continue
        idx, cdf = geo.la_cdf.get((c, "public"), (np.zeros(0, int), np.zeros(0)))
        wt = np.zeros(len(geo.la_code))
        wt[idx] = np.diff(np.concatenate([[0.0], cdf]))
        weight[c] = wt
    return ethnic.build_model(pop, geo.la_country, weight, targets)
