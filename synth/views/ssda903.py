"""Builders of the SSDA903 row sources: the care truth cut into collection years.

A collection year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y``. Each builder takes the
agency's covered truth (care tables restricted to the proceedings it covers) and returns one row
per record of that year's return, with exactly the fields declared in
``synth.world.schema.DERIVED_SOURCES``. What the LA could not know at 31 March is blank: the end,
reason ceased and reason for a placement change of an episode still open, the end of a missing
episode still running, a decision to place for adoption that ceased later.

Header (``cla_child_year``) holds every child looked after at any time in the year; the UPN
follows DfE rule 209: UN1 for a child under 4 on 31 August before the year ends, the child's UPN
otherwise (UN4, not yet known, when the child has none yet). No child in this world is a mother,
so MOTHER and MC_DOB are blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.dates import (
    INF,
    add_years,
    collection_year_end,
    collection_year_of,
    days_of,
    to_dates,
)
from synth.world import sampling as S
from synth.world.schema import DERIVED_SOURCES

YEAR_KEY = 4096


def _spread(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row index and year for every year from ``first`` to ``last`` of each row."""
    k = np.maximum(last - first + 1, 0)
    rep = np.repeat(np.arange(len(k)), k)
    return rep, first[rep] + S.within_group_index(rep)


def _frame(source: str, base_id: np.ndarray, year: np.ndarray, src: pd.DataFrame, rep: np.ndarray, **more):
    """Rows of a 903 source: its id (the base id and the year), person, proceeding, year and ``more``."""
    fields = list(DERIVED_SOURCES[source])
    out = {fields[0]: base_id * YEAR_KEY + year % YEAR_KEY, "year": year}
    for col in ("person_id", "proceeding_id"):
        out[col] = src[col].to_numpy()[rep]
    out.update(more)
    return pd.DataFrame({f: out[f] for f in fields})


def _la(truth: dict, person_id: np.ndarray) -> np.ndarray:
    p = truth["person"]
    pos = np.clip(np.searchsorted(p["person_id"].to_numpy(), person_id), 0, max(len(p) - 1, 0))
    return p["la_code"].to_numpy(object)[pos] if len(p) else np.zeros(0, dtype=object)


def cla_episode_year(cov: dict, truth: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Each episode in every collection year it overlaps, as that year's return shows it."""
    e = cov["care_episode"]
    rep, year = _spread(collection_year_of(days_of(e["start_date"])), collection_year_of(days_of(e["observed_to"])))
    end = days_of(e["end_date"])[rep]
    shown = end <= collection_year_end(year)
    blank = lambda col: np.where(shown, e[col].to_numpy(object)[rep], None).astype(object)  # type: ignore[attr-defined]  # noqa: E731,E501
    return _frame("cla_episode_year", e["episode_id"].to_numpy()[rep], year, e, rep,
                  episode_id=e["episode_id"].to_numpy()[rep], la_code=e["la_code"].to_numpy(object)[rep],
                  end_date=to_dates(np.where(shown, end, INF)), reason_ceased=blank("reason_ceased"),
                  reason_place_change=blank("reason_place_change"))


def _child_years(e: pd.DataFrame) -> pd.DataFrame:
    """(person, year) pairs looked after, with the proceeding of the first episode in the year."""
    rep, year = _spread(collection_year_of(days_of(e["start_date"])), collection_year_of(days_of(e["observed_to"])))
    df = pd.DataFrame({"person_id": e["person_id"].to_numpy()[rep], "year": year,
                       "proceeding_id": e["proceeding_id"].to_numpy()[rep],
                       "start": days_of(e["start_date"])[rep], "la_code": e["la_code"].to_numpy(object)[rep]})
    return df.sort_values(["person_id", "year", "start"], kind="stable").drop_duplicates(["person_id", "year"])


def cla_child_year(cov: dict, truth: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Header: every child looked after at any time in the year."""
    cy = _child_years(cov["care_episode"]).reset_index(drop=True)
    p = truth["person"]
    pos = np.searchsorted(p["person_id"].to_numpy(), cy["person_id"].to_numpy())
    year = cy["year"].to_numpy()
    dob = days_of(p["date_of_birth"].to_numpy()[pos])
    aug31 = ((year - 1 - 1970) * 12 + 8).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1
    school_age = add_years(dob, 4) <= aug31
    upn = p["upn"].to_numpy(object)[pos]
    upn = np.where(school_age, np.where(pd.isna(upn), "UN4", upn), "UN1").astype(object)
    return _frame("cla_child_year", cy["person_id"].to_numpy(), year, cy, np.arange(len(cy)),
                  la_code=cy["la_code"].to_numpy(object), upn=upn,
                  mother=pd.array([None] * len(cy), dtype="Int64"), mc_dob=to_dates(np.full(len(cy), INF)))


def cla_review_year(cov: dict, truth: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Reviews held in the year."""
    r = cov["care_review"]
    year = collection_year_of(days_of(r["review_date"]))
    rep = np.arange(len(r))
    return _frame("cla_review_year", r["review_id"].to_numpy(), year, r, rep, review_id=r["review_id"].to_numpy(),
                  la_code=_la(truth, r["person_id"].to_numpy()))


def cla_missing_year(cov: dict, truth: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Missing or away episodes that started in the year (the end blank if after 31 March)."""
    m = cov["care_missing"]
    year = collection_year_of(days_of(m["start_date"]))
    end = days_of(m["end_date"])
    return _frame("cla_missing_year", m["missing_id"].to_numpy(), year, m, np.arange(len(m)),
                  missing_id=m["missing_id"].to_numpy(), la_code=_la(truth, m["person_id"].to_numpy()),
                  end_date=to_dates(np.where(end <= collection_year_end(year), end, INF)))


def cla_adoption_year(cov: dict, truth: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """AD1: children adopted in the year."""
    a = cov["adoption"]
    a = a[a["adoption_date"].notna()].reset_index(drop=True)
    year = collection_year_of(days_of(a["adoption_date"]))
    return _frame("cla_adoption_year", a["adoption_id"].to_numpy(), year, a, np.arange(len(a)),
                  adoption_id=a["adoption_id"].to_numpy(), la_code=_la(truth, a["person_id"].to_numpy()))


def cla_placed_adoption_year(cov: dict, truth: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """PlacedAdoption: decisions that the child should be placed for adoption, in force or ceasing in
    the year, for children looked after in the year."""
    a = cov["adoption"].reset_index(drop=True)
    e = cov["care_episode"]
    seen = e.groupby("person_id")["observed_to"].max()
    last = days_of(a["person_id"].map(seen).to_numpy())
    for col in ("ceased_date", "adoption_date"):
        last = np.minimum(last, days_of(a[col]))
    rep, year = _spread(collection_year_of(days_of(a["decision_date"])), collection_year_of(np.minimum(last, INF - 1)))
    cy = _child_years(e)
    looked_after = pd.MultiIndex.from_arrays([cy["person_id"], cy["year"]])
    keep = pd.MultiIndex.from_arrays([a["person_id"].to_numpy()[rep], year]).isin(looked_after)
    rep, year = rep[keep], year[keep]
    ceased = days_of(a["ceased_date"])[rep]
    shown = ceased <= collection_year_end(year)
    return _frame("cla_placed_adoption_year", a["adoption_id"].to_numpy()[rep], year, a, rep,
                  adoption_id=a["adoption_id"].to_numpy()[rep], la_code=_la(truth, a["person_id"].to_numpy()[rep]),
                  ceased_date=to_dates(np.where(shown, ceased, INF)),
                  ceased_reason=np.where(shown, a["ceased_reason"].to_numpy(object)[rep],
                                         None).astype(object))  # type: ignore[attr-defined]


def cla_prev_perm_year(cov: dict, truth: dict, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """PrevPerm: children starting a period of care in the year, with any earlier permanence order
    (P1 adoption, P2 SGO, P3 child arrangements order; Z1 none)."""
    e = cov["care_episode"]
    s = e[e["rne"] == "S"]
    s = s.assign(year=collection_year_of(days_of(s["start_date"])), start=days_of(s["start_date"]))
    s = s.sort_values(["person_id", "year", "start"], kind="stable").drop_duplicates(["person_id", "year"])
    s = s.reset_index(drop=True)
    # Earlier permanence of these children: adoptions (truth episodes) and SGO / CAO outcomes.
    te, pc = truth["care_episode"], truth["proceeding_child"]
    ad = te[te["reason_ceased"].isin(["E11", "E12"])]
    perm = pd.concat([
        pd.DataFrame({"person_id": ad["person_id"], "day": days_of(ad["end_date"]), "code": "P1"}),
        pd.DataFrame({"person_id": pc["person_id"], "day": days_of(pc["outcome_date"]),
                      "code": pc["outcome"].map({"special_guardianship_order": "P2",
                                                 "child_arrangements_order": "P3"})}),
    ]).dropna(subset=["code"])
    perm = perm[perm["person_id"].isin(s["person_id"]) & (perm["day"] < INF)]
    m = s[["person_id", "start"]].reset_index().merge(perm, on="person_id")
    m = m[m["day"] < m["start"]].sort_values(["index", "day"]).drop_duplicates("index", keep="last")
    code = np.full(len(s), "Z1", dtype=object)
    day = np.full(len(s), INF)
    code[m["index"].to_numpy()] = m["code"].to_numpy(object)
    day[m["index"].to_numpy()] = m["day"].to_numpy()
    return _frame("cla_prev_perm_year", s["person_id"].to_numpy(), s["year"].to_numpy(), s, np.arange(len(s)),
                  la_code=s["la_code"].to_numpy(object), prev_perm=code,
                  la_perm=np.full(len(s), None, dtype=object), date_perm=to_dates(day))


BUILDERS = {
    "cla_child_year": cla_child_year,
    "cla_episode_year": cla_episode_year,
    "cla_review_year": cla_review_year,
    "cla_missing_year": cla_missing_year,
    "cla_adoption_year": cla_adoption_year,
    "cla_placed_adoption_year": cla_placed_adoption_year,
    "cla_prev_perm_year": cla_prev_perm_year,
}
