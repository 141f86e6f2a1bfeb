"""Place and year: LAs that differ and years that change, as arrays the world draws from.

* **Population.** The ONS child population by LA, year and single year of age (the profile's
  ``world.population`` table) weighted by an age profile of entry (the youngest subject child's
  age distribution over the national child population by age), so a bigger or younger LA has more
  proceedings without being told.
* **LA propensities.** Each LA's propensity to bring care proceedings is its published rate over
  the national rate where stats.md gives one (Wales: its share of children looked after over its
  share of children), else a lognormal draw of median 1; private law: the regional multiplier
  times a lognormal draw; the SGO use of each LA a lognormal draw. Draws come from
  ``synth.rng.generator(seed, "place", la_code)``: a property of the run seed and the LA code,
  the same in every shard and worker.
* **Volumes.** The national series per year and law type stays as the volume table gives it; its
  split over the LAs of a country is population(LA, year) x propensity(LA) (:meth:`Place.sample_la`).
* **Year effects** (the profile's ``year_effects``): the SGO share of public law outcomes and the
  youngest child's age mix (odds of a newborn among infants, share aged 15-17) by year of issue, and
  the age of a new baby in a return (the same newborn odds).
* **Regional practice.** North and west of a Hull-Bristol line part of the supervision orders are
  care orders (at home) instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from synth.profile.kinds import Categorical, Conditional, Histogram
from synth.profile.mechanisms import AGE_BANDS
from synth.profile.place import PlaceSpec
from synth.profile.reference import read_reference
from synth.rng import generator
from synth.world.geography import Geography
from synth.world.volumes import Strata

if TYPE_CHECKING:
    from synth.world.context import WorldContext

YEAR_DAYS = 365.25
AGES = 18
NEWBORN_DAYS = 7
OLDER_TEEN_DAYS = 15 * YEAR_DAYS


@dataclass(frozen=True)
class Place:
    """Per-LA and per-year arrays (LAs in the geography's order, years from ``first_fy``).

    Attributes:
        first_fy: the financial year of row 0 of the per-year tables.
        la_code: the LA codes (the geography's order).
        la_cdf: (strata, LAs) cumulative LA weights of each volume stratum.
        entry, private, sgo, so_to_co: per-LA public entry propensity (x national), private
            propensity, SGO multiplier and share of supervision orders made care orders instead
            (negative: of care orders made supervision orders).
        child_pop: (LAs, years) children aged 0-17.
        sgo_year: per-year multiplier of the SGO probability.
        outcome_labels, outcome_p: public law outcome labels and (age band, label) probabilities.
        age_edges, age_cdf: public youngest-child age bins (days) and (years, bins) cumulative p.
        baby_edges, baby_cdf: the same for a new baby's age at a return's issue.
    """

    first_fy: int
    la_code: np.ndarray
    la_cdf: np.ndarray
    entry: np.ndarray
    private: np.ndarray
    sgo: np.ndarray
    so_to_co: np.ndarray
    child_pop: np.ndarray
    sgo_year: np.ndarray
    outcome_labels: np.ndarray
    outcome_p: np.ndarray
    age_edges: np.ndarray
    age_cdf: np.ndarray | None
    baby_edges: np.ndarray
    baby_cdf: np.ndarray | None

    def year_index(self, fy: np.ndarray) -> np.ndarray:
        """Row of each financial year in the per-year tables (years outside the period: the nearest)."""
        return np.clip(np.asarray(fy, dtype=np.int64) - self.first_fy, 0, len(self.sgo_year) - 1)

    def la_index(self, codes: np.ndarray) -> np.ndarray:
        """Index of each LA code (-1 for a code not in the geography)."""
        return pd.Index(self.la_code).get_indexer(codes)

    def sample_la(self, stratum: np.ndarray, u: np.ndarray) -> np.ndarray:
        """An LA index for each row, from its stratum's population x propensity weights."""
        n_la = self.la_cdf.shape[1]
        flat = (self.la_cdf + np.arange(len(self.la_cdf))[:, None]).ravel()
        pos = np.searchsorted(flat, stratum + np.clip(u, 0, 1 - 1e-12), side="right")
        return np.clip(pos - stratum * n_la, 0, n_la - 1)

    def public_probabilities(self, band: np.ndarray, fy: np.ndarray, la: np.ndarray) -> np.ndarray:
        """(rows, outcome labels) probabilities: the age band's mix with the year's and LA's effects."""
        b = pd.Categorical(band, categories=AGE_BANDS).codes.clip(0)
        p = self.outcome_p[b].copy()
        labels = list(self.outcome_labels)
        la = np.asarray(la)
        ok = la >= 0
        la = np.maximum(la, 0)
        if "special_guardianship_order" in labels:
            j = labels.index("special_guardianship_order")
            p[:, j] *= self.sgo_year[self.year_index(fy)] * np.where(ok, self.sgo[la], 1.0)
        if "supervision_order" in labels and "care_order" in labels:
            so, co = labels.index("supervision_order"), labels.index("care_order")
            x = np.where(ok, self.so_to_co[la], 0.0)  # > 0: supervision -> care order; < 0: the reverse
            move = np.where(x >= 0, p[:, so], p[:, co]) * x
            p[:, so] -= move
            p[:, co] += move
        return p / p.sum(axis=1, keepdims=True)

    def public_outcome(self, band: np.ndarray, fy: np.ndarray, la: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Final order of public law subjects: the age band's mix with the year's and LA's effects."""
        cdf = np.cumsum(self.public_probabilities(band, fy, la), axis=1)
        idx = np.minimum((cdf < u[:, None]).sum(axis=1), len(self.outcome_labels) - 1)
        return self.outcome_labels[idx]

    def youngest_public(self, rng: np.random.Generator, fy: np.ndarray) -> np.ndarray | None:
        """Youngest subject child's age at issue (days) from the year's age mix; None without effects."""
        return None if self.age_cdf is None else _draw(rng, self.age_edges, self.age_cdf, self.year_index(fy))

    def baby_age(self, rng: np.random.Generator, fy: np.ndarray) -> np.ndarray | None:
        """A new baby's age at a return's issue (days) from the year's mix; None without effects."""
        return None if self.baby_cdf is None else _draw(rng, self.baby_edges, self.baby_cdf, self.year_index(fy))


def _draw(rng: np.random.Generator, edges: np.ndarray, cdf: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Values from per-year binned distributions (uniform within a bin), row ``y`` for each draw."""
    nb = cdf.shape[1]
    flat = (cdf + np.arange(len(cdf))[:, None]).ravel()
    u = np.clip(rng.random(len(y)), 0, 1 - 1e-12)
    k = np.clip(np.searchsorted(flat, y + u, side="right") - y * nb, 0, nb - 1)
    lo, hi = edges[k], edges[k + 1]
    return lo + rng.random(len(y)) * (hi - lo)


def _population(path: Path, codes: np.ndarray, years: np.ndarray) -> np.ndarray:
    """(LAs, years, ages) children from the population table; years outside it take the nearest."""
    t = read_reference(path, "population")
    have = np.sort(t["year"].unique())
    near = have[np.abs(have[None, :] - years[:, None]).argmin(axis=1)]
    la_i = pd.Index(codes).get_indexer(t["la_code"])
    out = np.zeros((len(codes), len(years), AGES))
    for j, yr in enumerate(near):
        m = (t["year"].to_numpy() == yr) & (la_i >= 0)
        out[la_i[m], j, t["age"].to_numpy()[m]] = t["population"].to_numpy(float)[m]
    return out


def _age_profile(hist: Histogram, national: np.ndarray) -> np.ndarray:
    """Relative entry rate by single year of age: the histogram's mass at each age over its population."""
    edges = np.asarray(hist.bins, dtype=float)
    p = np.asarray(hist.probabilities, dtype=float)
    lo_a, hi_a = np.arange(AGES) * YEAR_DAYS, (np.arange(AGES) + 1) * YEAR_DAYS
    lo_a[0] = -np.inf  # unborn children count at age 0
    width = np.maximum(edges[1:] - edges[:-1], 1e-9)
    over = np.clip(np.minimum(hi_a[:, None], edges[None, 1:]) - np.maximum(lo_a[:, None], edges[None, :-1]), 0, None)
    mass = (over / width[None, :] * np.asarray(p)[None, :]).sum(axis=1)
    return mass / np.maximum(national / national.sum(), 1e-12)


def _lognormal(seed: int, codes: np.ndarray, sigma: float, stream: int) -> np.ndarray:
    """A mean-1 lognormal multiplier per LA, drawn from the LA's own stream of the run seed."""
    z = np.array([generator(seed, "place", str(c)).standard_normal(4)[stream] for c in codes])
    return np.exp(sigma * z - sigma * sigma / 2)


def _age_tables(hist: Histogram, spec: PlaceSpec, years: list[int]) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-year cumulative probabilities of the public youngest-age bins with the year effects."""
    edges = np.asarray(hist.bins, dtype=float)
    p = np.asarray(hist.probabilities, dtype=float)
    if edges[0] < OLDER_TEEN_DAYS < edges[-1] and OLDER_TEEN_DAYS not in edges:
        k = int(np.searchsorted(edges, OLDER_TEEN_DAYS))
        frac = (OLDER_TEEN_DAYS - edges[k - 1]) / (edges[k] - edges[k - 1])
        p = np.concatenate([p[:k - 1], [p[k - 1] * frac, p[k - 1] * (1 - frac)], p[k:]])
        edges = np.insert(edges, k, OLDER_TEEN_DAYS)
    ye = spec.year_effects
    if ye.newborn_odds is None and ye.older_teen_share is None:
        return edges, None
    lo = edges[:-1]
    newborn = (lo >= 0) & (edges[1:] <= NEWBORN_DAYS)
    infant = (lo >= 0) & (edges[1:] <= YEAR_DAYS)
    teen = lo >= OLDER_TEEN_DAYS
    odds = ye.newborn_odds.at(years) if ye.newborn_odds else [1.0] * len(years)
    tg = ye.older_teen_share.at(years) if ye.older_teen_share else [1.0] * len(years)
    rows = []
    for o, g in zip(odds, tg):
        q = p.copy()
        if newborn.any() and (infant & ~newborn).any():
            # The odds of a newborn among infants times the year's multiplier, infants' total kept.
            i_mass = q[infant].sum()
            s0 = q[newborn].sum() / i_mass
            share = s0 * o / (s0 * o + 1 - s0)
            q[newborn] *= share * i_mass / q[newborn].sum()
            rest = infant & ~newborn
            q[rest] *= (1 - share) * i_mass / q[rest].sum()
        m0 = q[teen].sum()
        if m0 > 0:
            m1 = min(g * m0, 0.9)
            q[teen] *= m1 / m0
            q[~teen] *= (1 - m1) / q[~teen].sum()
        c = np.cumsum(q / q.sum())
        c[-1] = 1.0
        rows.append(c)
    return edges, np.array(rows)


def _regional_practice(spec: PlaceSpec, region: np.ndarray, codes: np.ndarray, weight: np.ndarray,
                       op: np.ndarray, labels: list[str]) -> np.ndarray:
    """Per LA: the share of supervision orders made care orders (north and west of Hull-Bristol, > 0)
    or of care orders made supervision orders (south and east, < 0), balanced so that the national
    mix stays the one the outcome table states."""
    out = np.zeros(len(codes))
    rp = spec.regional_practice
    if rp is None or "supervision_order" not in labels or "care_order" not in labels:
        return out
    nw = np.isin(region, rp.north_west_regions) | np.isin(codes, rp.north_west_las)
    so = float(op[:, labels.index("supervision_order")].mean())
    co = float(op[:, labels.index("care_order")].mean())
    w_nw, w_se = float(weight[nw].sum()), float(weight[~nw].sum())
    out[nw] = rp.supervision_to_care_order
    if w_se > 0 and co > 0:
        out[~nw] = -min(rp.supervision_to_care_order * so * w_nw / (co * w_se), 1.0)
    return out


def build_place(spec: PlaceSpec, population: Path, la_csv: Path, geo: Geography, strata: Strata,
                volumes: pd.DataFrame, dists: dict, seed: int, first_fy: int, last_fy: int) -> Place:
    """Per-LA propensities, per-stratum LA weights and per-year tables for one run.

    Args:
        spec: the profile's ``world.place``.
        population: the child population table (``world.population``).
        la_csv: the local authority table (regions; Welsh CLA-share weights).
        geo: the run's geography (LA order, LSOA counts).
        strata: the volume strata (one LA weight row each).
        volumes: the volume table (national rates per year for the published LA rates).
        dists: the profile's distributions (youngest child's age, outcome).
        seed: the run seed (propensities are drawn from it by LA code).
        first_fy, last_fy: the period's financial years.
    """
    years = np.arange(first_fy, last_fy + 1)
    codes = geo.la_code
    pop = _population(population, codes, years)
    las = read_reference(la_csv, "local_authorities").set_index("la_code").reindex(codes)
    wales = geo.la_country == "Wales"
    child = pop.sum(axis=2)
    # Public entry: published rate / national, Welsh CLA share / child share, else lognormal.
    entry = _lognormal(seed, codes, spec.entry_spread.sigma, 0)
    eng = volumes[(volumes["country"] == "England") & (volumes["law_type"] == "public")].set_index("fy")["cases"]
    # A profile without English volumes (wales_sail) has no national rate to put the published rates on.
    if spec.published_rates is not None and len(eng):
        eng_child = child[geo.la_country == "England"].sum(axis=0)
        for code, (rate, fy) in spec.published_rates.rates.items():
            j = int(np.clip(fy - first_fy, 0, len(years) - 1))
            national = float(eng.get(fy, eng.mean())) / max(float(eng_child[j]), 1.0) * 1e4
            entry[codes == code] = rate / national
        # LAs without a published rate stay inside the published range, and are scaled so that the
        # English child-weighted mean propensity is 1 (the national rate stays the national rate).
        pub_codes = np.isin(codes, list(spec.published_rates.rates))
        eng = geo.la_country == "England"
        free = eng & ~pub_codes
        if pub_codes.any() and free.any():
            lo, hi = entry[pub_codes].min(), entry[pub_codes].max()
            w0 = child.mean(axis=1)
            for _ in range(20):
                entry[free] = np.clip(entry[free], lo, hi)
                rest = 1.0 * w0[eng].sum() - (w0 * entry)[eng & pub_codes].sum()
                entry[free] *= rest / max((w0 * entry)[free].sum(), 1e-12)
            entry[free] = np.clip(entry[free], lo, hi)
    cla = las["public_weight"].to_numpy(float)
    wc = child[:, 0]
    if wales.any():
        share = (cla[wales] / cla[wales].sum()) / np.maximum(wc[wales] / wc[wales].sum(), 1e-12)
        entry[wales] = share
    region = las["region"].astype(str).to_numpy()
    private = np.array([spec.private_region.get(r, 1.0) for r in region]) * _lognormal(
        seed, codes, spec.private_spread.sigma, 1)
    sgo = _lognormal(seed, codes, spec.sgo_spread.sigma, 2) if spec.sgo_spread else np.ones(len(codes))
    # Population weighted by the age profile of entry, per law type.
    national = pop.sum(axis=(0, 1))
    youngest = cast(Conditional, dists["youngest_child_age_at_issue"])
    weights = {lt: (pop * _age_profile(cast(Histogram, youngest.cases[lt]), national)[None, None, :]).sum(axis=2)
               for lt in ("public", "private")}
    prop = {"public": entry, "private": private}
    has_lsoa = geo.lsoa_count > 0
    cdf = np.zeros((len(strata.fy), len(codes)))
    for i, (fy, country, lt) in enumerate(zip(strata.fy, strata.country, strata.law)):
        j = int(np.clip(fy - first_fy, 0, len(years) - 1))
        # Other countries' LAs get no weight (a where, not a product: their propensity may be undefined).
        w = np.where((geo.la_country == country) & has_lsoa, weights[lt][:, j] * prop[lt], 0.0)
        if w.sum() <= 0:  # no population for this country: fall back to the LA table's weights
            w = np.where((geo.la_country == country) & has_lsoa, las[f"{lt}_weight"].to_numpy(float), 0.0)
        c = np.cumsum(w) / w.sum()
        c[-1] = 1.0
        cdf[i] = c
    # Public outcomes by age band and the year's SGO multiplier.
    pub = cast(Conditional, dists["outcome"].cases["public"])
    bands = [cast(Categorical, pub.cases[b]) for b in AGE_BANDS]
    labels = list(bands[0].probabilities)
    op = np.array([[c.probabilities.get(lab, 0.0) for lab in labels] for c in bands])
    ye = spec.year_effects
    if ye.sgo_share is not None and ye.sgo_reference_share:
        # The odds multiplier that moves the table's overall SGO share r to the year's share t.
        t, r = np.array(ye.sgo_share.at(list(years))), ye.sgo_reference_share
        sgo_year = t * (1 - r) / (r * (1 - t))
    else:
        sgo_year = np.ones(len(years))
    so_to_co = _regional_practice(spec, region, codes, weights["public"].mean(axis=1) * entry * has_lsoa, op, labels)
    edges, age_cdf = _age_tables(cast(Histogram, youngest.cases["public"]), spec, list(years))
    baby_edges, baby_cdf = _age_tables(cast(Histogram, dists["recurrence_baby_age_at_issue"]), spec, list(years))
    return Place(first_fy=first_fy, la_code=codes, la_cdf=cdf, entry=entry, private=private, sgo=sgo, so_to_co=so_to_co,
                 child_pop=child, sgo_year=sgo_year, outcome_labels=np.asarray(labels, dtype=object),
                 outcome_p=op, age_edges=edges, age_cdf=age_cdf, baby_edges=baby_edges, baby_cdf=baby_cdf)


def draw_la(ctx: WorldContext, stratum: np.ndarray, country: np.ndarray, law: np.ndarray,
            u: np.ndarray) -> np.ndarray:
    """Each index family's LA: by population x propensity when the profile has a place block."""
    if ctx.place is None:
        return ctx.geo.sample_la(country, law, u)
    return ctx.place.sample_la(stratum, u)


def youngest_by_year(ctx: WorldContext, rng: np.random.Generator, youngest: np.ndarray, law: np.ndarray,
                     fy: np.ndarray | None) -> np.ndarray:
    """The youngest child's age with the year's public law age mix (unchanged without year effects)."""
    if ctx.place is None or fy is None or ctx.place.age_cdf is None:
        return youngest
    pub = law == "public"
    drawn = ctx.place.youngest_public(rng, fy[pub])
    if drawn is None:
        return youngest
    out = np.asarray(youngest, dtype=float).copy()
    out[pub] = drawn
    return out


def baby_age_by_year(ctx: WorldContext, rng: np.random.Generator, baby_age: np.ndarray,
                     fy: np.ndarray) -> np.ndarray:
    """A new baby's age at a return's issue (whole days) with the year's newborn odds."""
    if ctx.place is None:
        return baby_age
    drawn = ctx.place.baby_age(rng, fy)
    return baby_age if drawn is None else np.round(drawn).astype(np.int64)


def outcomes_by_place(ctx: WorldContext, outcome: np.ndarray, band: np.ndarray, law: np.ndarray,
                      fy: np.ndarray | None, la: np.ndarray | None, u: np.ndarray) -> np.ndarray:
    """Public law outcomes redrawn (same uniforms) with the year's SGO share and the LA's practice."""
    if ctx.place is None or fy is None or la is None:
        return outcome
    pub = law == "public"
    out = outcome.copy()
    out[pub] = ctx.place.public_outcome(band[pub], fy[pub], la[pub], u[pub])
    return out
