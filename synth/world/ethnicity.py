"""Ethnicity per person: mothers from their area's population, partners matched, children from both.

* **Mothers.** A family's mother is drawn from her local authority's population mix (Census 2011
  QS201EW by LA, ``reference/ethnicity.csv``; scripts/build_ethnicity_reference.py) times a
  per-group *propensity* to come to court. The propensities are calibrated once per run
  (:func:`calibrate`) so the ethnic mix of the children in public-law proceedings, over the LAs'
  public-law weights, equals the profile's ``ethnicity`` distribution for the country (the CLA
  proxy, stats.md 2: Mixed and Black over-represented, Asian under-represented against the
  under-18 population). The census table is all ages: a national age gradient would be one more
  factor per code, which the calibration absorbs.
* **Partners.** Each man keeps the partner's mother's code with probability ``1 - out_rate`` of
  her code; otherwise he is drawn from the LA's population without her code. A man who is the
  partner of several mothers (partners.share_men) has ONE ethnicity: the one drawn for his first
  partnership.
* **Children** follow both parents (:data:`CHILD_RULE`): same code -> that code; White with
  Black Caribbean -> MWBC, with Black African -> MWBA, with Asian or Chinese -> MWAS; any other
  pair of different broad groups -> MOTH; a mixed parent with a non-mixed one -> the mixed code
  or the other parent's with probability MIXED_PARENT_CHILD_MIXED; two codes of one broad group
  (WBRI with WIRI) or two different mixed codes -> either parent's, evenly.

Codes are DfE 903 codes (schemas.md 6.5), the truth's codes. Everything is arrays: per-LA tables
indexed by LA integer, draws by inverse CDF along the 18 codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from synth.profile.kinds import Categorical, Conditional
from synth.profile.mechanisms import COUNTRIES
from synth.profile.reference import read_reference

#: Truth ethnicity codes (DfE 903 list without the recording codes REFU / NOBT).
CODES = ("WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH",
         "AIND", "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH")
K = len(CODES)
IDX = {c: i for i, c in enumerate(CODES)}
#: DfE broad group of each code (Chinese is in "Other ethnic groups" in the DfE statistics).
GROUP_OF = {c: ("White" if c[0] == "W" else "Mixed" if c[0] == "M" else "Asian" if c[0] == "A"
                else "Black" if c[0] == "B" else "Other") for c in CODES}
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
#: The group whose propensity a code takes. assumption: Chinese children, inside "Other ethnic
#: groups" in the DfE tables, come to court like Asian children; the published "Other" share of
#: children looked after (stats.md 2) is mostly Any other ethnic group (it includes unaccompanied
#: asylum-seeking children), so OOTH alone carries that group's propensity.
PROPENSITY_GROUP_OF = {c: ("Asian" if c == "CHNE" else GROUP_OF[c]) for c in CODES}

#: assumption: Roma share of "Other White" where the census has no Roma category (2011). Census
#: 2021 counted about 0.1 million Roma against about 3.7 million Other White in England and Wales.
ROMA_OF_OTHER_WHITE = 0.027

#: Share of people in a couple whose partner is of another of the 18 groups. source: about 1 in
#: 10 couples inter-ethnic in England and Wales in 2011 (ONS 2014, "What does the 2011 Census tell
#: us about inter-ethnic relationships?", as the brief states it). assumption: the rates by group
#: (White British lowest, Bangladeshi and Pakistani low, Mixed groups highest) are as recalled from
#: that report, not checked against it here; they give about 9% of couples overall at the national mix.
OUT_RATE = {"WBRI": 0.04, "WIRI": 0.70, "WIRT": 0.30, "WOTH": 0.39, "WROM": 0.30,
            "MWBC": 0.85, "MWBA": 0.85, "MWAS": 0.85, "MOTH": 0.85,
            "AIND": 0.12, "APKN": 0.09, "ABAN": 0.07, "AOTH": 0.30,
            "BCRB": 0.48, "BAFR": 0.23, "BOTH": 0.62, "CHNE": 0.39, "OOTH": 0.50}

#: assumption: a child of one mixed and one non-mixed parent is recorded with the mixed parent's
#: code half the time, otherwise with the other parent's (no published figure).
MIXED_PARENT_CHILD_MIXED = 0.5
#: Calibration: fixed-point iterations and damping of the propensity update.
ITERATIONS = 80
DAMPING = 0.8


def _child_rule() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, p): a child of mother m and father f is code a[m, f] with probability p, else b."""
    a = np.zeros((K, K), dtype=np.int64)
    b = np.zeros((K, K), dtype=np.int64)
    p = np.ones((K, K))
    for m, cm in enumerate(CODES):
        for f, cf in enumerate(CODES):
            gm, gf = GROUP_OF[cm], GROUP_OF[cf]
            a[m, f], b[m, f] = m, f
            if m == f:
                continue
            if gm == gf:
                p[m, f] = 0.5
            elif "Mixed" in (gm, gf):
                mixed, other = (m, f) if gm == "Mixed" else (f, m)
                a[m, f], b[m, f], p[m, f] = mixed, other, MIXED_PARENT_CHILD_MIXED
            else:
                pair = {gm: cm, gf: cf}
                if "White" in pair and pair.get("Black") == "BCRB":
                    code = "MWBC"
                elif "White" in pair and pair.get("Black") == "BAFR":
                    code = "MWBA"
                elif "White" in pair and ("Asian" in pair or pair.get("Other") == "CHNE"):
                    code = "MWAS"
                else:
                    code = "MOTH"
                a[m, f] = b[m, f] = IDX[code]
    return a, b, p


CHILD_RULE = _child_rule()


def _child_tensor() -> np.ndarray:
    """T[m, f, c]: probability a child of (m, f) is code c."""
    a, b, p = CHILD_RULE
    t = np.zeros((K, K, K))
    mm, ff = np.meshgrid(np.arange(K), np.arange(K), indexing="ij")
    np.add.at(t, (mm, ff, a), p)
    np.add.at(t, (mm, ff, b), 1 - p)
    return t


@dataclass(frozen=True)
class EthnicModel:
    """Per-LA ethnic mixes and the calibrated propensities (picklable).

    Attributes:
        pop: (LAs, codes) population mix of each LA (rows sum to 1).
        mother_cdf: (LAs, codes) cumulative mix of mothers in proceedings (population x propensity).
        out_rate: (codes,) share of partnerships with a man of another code.
        propensity: country -> (codes,) calibrated relative propensity (max 1).
        targets: country -> the ``ethnicity`` probabilities the propensities were calibrated to.
    """

    pop: np.ndarray
    mother_cdf: np.ndarray
    out_rate: np.ndarray
    propensity: dict
    targets: dict


def read_population(path: str | Path, la_code: np.ndarray) -> np.ndarray:
    """(LAs, codes) population mix from ``reference/ethnicity.csv`` in the order of ``la_code``.

    Raises:
        synth.errors.ProfileError: via read_reference, for a malformed file.
    """
    t = read_reference(path, "ethnic_population")
    pos = {c: i for i, c in enumerate(la_code)}
    rows = t["la_code"].map(pos)
    t = t[rows.notna()]
    out = np.zeros((len(la_code), K))
    np.add.at(out, (t["la_code"].map(pos).to_numpy(np.int64), t["code"].map(IDX).to_numpy(np.int64)),
              t["count"].to_numpy(float))
    roma = out[:, IDX["WOTH"]] * ROMA_OF_OTHER_WHITE
    out[:, IDX["WROM"]] += roma
    out[:, IDX["WOTH"]] -= roma
    tot = out.sum(1, keepdims=True)
    return np.divide(out, tot, out=np.full_like(out, 1.0 / K), where=tot > 0)


def _expected_children(pop: np.ndarray, prop: np.ndarray, w: np.ndarray, out_rate: np.ndarray,
                       tensor: np.ndarray) -> np.ndarray:
    """National code mix of children, over LA weights ``w``, for propensities ``prop``."""
    m = pop * prop
    m /= np.maximum(m.sum(1, keepdims=True), 1e-300)
    other = pop[:, None, :] * (1 - np.eye(K))[None]  # (LA, mother code, father code), own code removed
    other /= np.maximum(other.sum(2, keepdims=True), 1e-300)
    f = (1 - out_rate)[None, :, None] * np.eye(K)[None] + out_rate[None, :, None] * other
    joint = np.einsum("l,lm,lmf->mf", w, m, f)
    return np.einsum("mf,mfc->c", joint, tensor)


def calibrate(pop: np.ndarray, w: np.ndarray, target: np.ndarray, out_rate: np.ndarray) -> np.ndarray:
    """Per-group propensities so the children's broad-group mix over LA weights ``w`` is ``target``'s.

    The published figures are broad groups (stats.md 2); within a group the split follows the
    census mixes of the LAs and the partnership and child rules.

    Args:
        pop: (LAs, codes) population mixes.
        w: (LAs,) weights (zero outside the country), summing to 1.
        target: (codes,) target mix of children in proceedings.
        out_rate: (codes,) inter-ethnic partnership rates.

    Returns:
        (codes,) propensities (one value per broad group), the largest 1; 0 for a group with no share.
    """
    tensor = _child_tensor()
    member = np.array([[PROPENSITY_GROUP_OF[c] == g for c in CODES] for g in GROUPS], dtype=float)  # (groups, codes)
    want = member @ target
    prop = np.ones(K)
    for _ in range(ITERATIONS):
        got = member @ _expected_children(pop, prop, w, out_rate, tensor)
        ratio = np.divide(want, got, out=np.ones(len(GROUPS)), where=got > 0)
        prop = np.clip(prop * (member.T @ ratio) ** DAMPING, 1e-6, 1e6)
        prop /= prop.max()
    return np.where(member.T @ want > 0, prop, 0.0)


def build_model(pop: np.ndarray, la_country: np.ndarray, la_weight: dict[str, np.ndarray],
                targets: dict[str, dict[str, float]]) -> EthnicModel:
    """Calibrate the propensities per country and build the sampling tables.

    Args:
        pop: (LAs, codes) population mixes (:func:`read_population`).
        la_country: (LAs,) each LA's country.
        la_weight: country -> (LAs,) public-law sampling weight of each LA.
        targets: country -> the profile's ``ethnicity`` probabilities (codes outside CODES, such as
            NOBT, are dropped and the rest renormalised).
    """
    out_rate = np.array([OUT_RATE[c] for c in CODES])
    mothers = pop.copy()
    props = {}
    for c in COUNTRIES:
        rows = la_country == c
        w = la_weight.get(c)
        if c not in targets or w is None or not rows.any() or w.sum() <= 0:
            continue
        t = np.array([float(targets[c].get(code, 0.0)) for code in CODES])
        t = t / t.sum()
        props[c] = calibrate(pop, w / w.sum(), t, out_rate)
        mothers[rows] = pop[rows] * props[c]
    tot = mothers.sum(1, keepdims=True)
    mothers = np.divide(mothers, tot, out=np.full_like(mothers, 1.0 / K), where=tot > 0)
    cdf = np.cumsum(mothers, axis=1)
    cdf[:, -1] = 1.0
    return EthnicModel(pop=pop, mother_cdf=cdf, out_rate=out_rate, propensity=props, targets=targets)


def _pick(cdf_rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.minimum((cdf_rows < u[:, None]).sum(1), K - 1)


def draw_mothers(model: EthnicModel | None, dist: Conditional, rng: np.random.Generator, la: np.ndarray) -> np.ndarray:
    """Code index of each family's mother, from her LA's mix of mothers in proceedings.

    Args:
        model: the run's ethnic model (synth.world.context.build_context).
        dist: the profile's ``ethnicity`` distribution, which the model must have been calibrated to.
        rng: the shard's world stream.
        la: (families,) LA index of each family.
    """
    assert model is not None, "synth.world.context.build_context makes the ethnic model"
    now = {c: dict(cast(Categorical, leaf).probabilities) for c, leaf in dist.cases.items()}
    if now != model.targets:
        raise ValueError("the ethnic model was calibrated to another 'ethnicity' distribution; rebuild the context")
    return _pick(model.mother_cdf[la], rng.random(len(la)))


def draw_partners(model: EthnicModel, rng: np.random.Generator, la: np.ndarray, mother: np.ndarray) -> np.ndarray:
    """Code index of the man of each partnership, given the LA and the mother's code index."""
    n = len(la)
    out = rng.random(n) < model.out_rate[mother]
    u = rng.random(n)
    w = model.pop[la[out]].copy()
    w[np.arange(len(w)), mother[out]] = 0.0
    cdf = np.cumsum(w, axis=1)
    tot = cdf[:, -1]
    pick = _pick(cdf, u[out] * tot)
    man = mother.copy()
    man[out] = np.where(tot > 0, pick, mother[out])
    return man


def draw_children(rng: np.random.Generator, mother: np.ndarray, father: np.ndarray) -> np.ndarray:
    """Code index of each child from its parents' code indices (:data:`CHILD_RULE`)."""
    a, b, p = CHILD_RULE
    return np.where(rng.random(len(mother)) < p[mother, father], a[mother, father], b[mother, father])


def people(model: EthnicModel | None, rng: np.random.Generator, la: np.ndarray, mother: np.ndarray,
           pship: dict[str, np.ndarray], kids: dict[str, np.ndarray]) -> None:
    """Partners' and children's codes, in place: ``pship['ethnicity']`` and ``kids['ethnicity']``.

    Args:
        model: the run's ethnic model.
        rng: the shard's world stream.
        la: (families,) LA index of each family.
        mother: (families,) code index of each mother.
        pship: partnerships (``family``, ``slot``, ``man``: the row of the man's first partnership),
            sorted by family and slot.
        kids: children (``family``, ``father`` slot).
    """
    assert model is not None, "synth.world.context.build_context makes the ethnic model"
    pf = pship["family"]
    drawn = draw_partners(model, rng, la[pf], mother[pf])
    man = drawn[pship["man"]]  # one man, one ethnicity
    row = np.searchsorted(pf * 64 + pship["slot"], kids["family"] * 64 + kids["father"])
    child = draw_children(rng, mother[kids["family"]], man[row])
    codes = np.asarray(CODES, dtype=object)
    pship["ethnicity"] = codes[man]
    kids["ethnicity"] = codes[child]


def broad_group(idx: np.ndarray) -> np.ndarray:
    """Broad group number (position in :data:`GROUPS`) of code indices."""
    return np.array([GROUPS.index(GROUP_OF[c]) for c in CODES])[idx]


def codes_of(idx: np.ndarray) -> np.ndarray:
    """DfE codes (object array) of code indices."""
    return np.asarray(CODES, dtype=object)[idx]
