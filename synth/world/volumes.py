"""Annual volumes -> the distribution of index (first) proceedings over strata.

The profile states how many proceedings start each financial year by country and law type. Some
of those are recurrences of families already in court, which the mechanism produces itself; so
the index proceedings are weighted by ``target - expected recurrences`` (a fixed point), and the
total that comes out matches the stated volumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synth.errors import ProfileError
from synth.profile.kinds import Survival
from synth.profile.reference import read_reference


@dataclass(frozen=True)
class Strata:
    """Index-proceeding strata and their probabilities.

    Attributes:
        fy, country, law: one entry per stratum.
        target: the stated share of all proceedings per stratum.
        index_p: the probability of an index proceeding per stratum.
    """

    fy: np.ndarray
    country: np.ndarray
    law: np.ndarray
    target: np.ndarray
    index_p: np.ndarray


def read_volumes(path: str | Path, first_fy: int, last_fy: int) -> pd.DataFrame:
    """The volumes table restricted to the profile's financial years, in cases (:func:`in_cases`)."""
    v = in_cases(read_reference(path, "volumes"), path)
    v = v[(v["fy"] >= first_fy) & (v["fy"] <= last_fy)]
    return v.sort_values(["country", "law_type", "fy"]).reset_index(drop=True)


def in_cases(v: pd.DataFrame, path: str | Path = "volumes") -> pd.DataFrame:
    """Each row's published count converted to the world's unit, the case (a family's proceeding).

    A row states ``count`` in its ``unit`` (cases, children, applications or adults) and ``per_case``,
    how many of that unit one case makes (its source in the row's ``source``); ``cases`` is
    ``count / per_case``. A table with a ``cases`` column instead is in cases already.

    Args:
        v: the checked volumes table.
        path: its file, named in errors.

    Raises:
        ProfileError: both ``cases`` and ``count`` given, or a row not in cases without ``per_case``.
    """
    v = v.copy()
    if "count" not in v.columns:
        v["count"], v["unit"], v["per_case"] = v["cases"], "cases", 1.0
        return v
    if "cases" in v.columns:
        raise ProfileError([(str(path), "line 1", "gives both cases and count; keep count and unit (the published "
                             "figure) or cases alone")])
    if "per_case" not in v.columns:
        other = v["unit"].to_numpy(object) != "cases"
        if other.any():
            raise ProfileError([(str(path), "line 1", f"rows counting {v['unit'][other].iloc[0]} need a per_case "
                                 "column (how many of that unit one case makes, with its source)")])
        v["per_case"] = 1.0
    v["cases"] = v["count"].astype(float) / v["per_case"].astype(float)
    return v


def _offset_pmf(curve: Survival, max_years: int, points: int = 4001) -> np.ndarray:
    """P(the next issue falls d financial years later), d = 0..max_years, for events that happen."""
    u = (np.arange(points) + 0.5) / points * curve.ever
    t = curve.at(u)
    if curve.unit == "months":
        t = t / 12
    elif curve.unit == "weeks":
        t = t / 52.18
    elif curve.unit == "days":
        t = t / 365.25
    pos = (np.arange(101) + 0.5) / 101
    off = np.floor(t[:, None] + pos[None, :]).ravel().astype(int)
    pmf = np.bincount(off.clip(0, max_years), minlength=max_years + 1).astype(float)
    return pmf / pmf.sum()


def index_strata(volumes: pd.DataFrame, dists: dict, teen_share: dict[str, float]) -> Strata:
    """Solve for index-proceeding weights so that all proceedings match the stated volumes.

    Args:
        volumes: rows fy, country, law_type, cases.
        dists: the profile's distributions (``recurrence``, ``recurrence_law_type``).
        teen_share: share of mothers who were teenagers at first birth, by law type.
    """
    fy = volumes["fy"].to_numpy(int)
    country = volumes["country"].to_numpy(object)
    law = volumes["law_type"].to_numpy(object)
    target = volumes["cases"].to_numpy(float)
    target = target / target.sum()
    years = np.unique(fy)
    ny = len(years)
    rec, nxt = dists["recurrence"], dists["recurrence_law_type"]

    kernels: dict[tuple[str, str], tuple[float, np.ndarray]] = {}

    def kernel(lt: str, history: str) -> tuple[float, np.ndarray]:
        if (lt, history) not in kernels:
            curve = rec.cases[lt].cases[history]
            kernels[(lt, history)] = (curve.ever, _offset_pmf(curve, ny))
        return kernels[(lt, history)]

    index = {(c, lt): np.flatnonzero((country == c) & (law == lt)) for c in set(country) for lt in set(law)}
    w = target.copy()
    for _ in range(30):
        expected = np.zeros_like(target)
        for (c, lt), rows in index.items():
            if not len(rows):
                continue
            # First return: mixture of teen / other histories; later returns use 'repeat'.
            ts = teen_share.get(lt, 0.0)
            p_t, pmf_t = kernel(lt, "first_teen")
            p_o, pmf_o = kernel(lt, "first_other")
            p_r, pmf_r = kernel(lt, "repeat")
            first = ts * p_t * pmf_t + (1 - ts) * p_o * pmf_o
            flow = np.zeros(ny)
            flow[fy[rows] - years[0]] = w[rows]
            wave = np.convolve(flow, first)[:ny]
            total = np.zeros(ny)
            for _r in range(3):
                total += wave
                wave = np.convolve(wave, p_r * pmf_r)[:ny]
            for lt2, share in zip(nxt.cases[lt].labels, nxt.cases[lt].p):
                dest = index.get((c, lt2))
                if dest is not None and len(dest):
                    expected[dest] += share * total[fy[dest] - years[0]]
        new_w = np.clip(target - expected, target * 0.05, None)
        if np.allclose(new_w, w, rtol=1e-9, atol=1e-12):
            break
        w = new_w
    return Strata(fy=fy, country=country, law=law, target=target, index_p=w / w.sum())


def fill_unpublished(volumes: pd.DataFrame, law_type: str, anchor: int, fill_years: list[int],
                     index: dict[int, float]) -> pd.DataFrame:
    """Fill a law type's unpublished years from a published index of its level.

    The count of each year in ``fill_years`` becomes ``count(anchor) * index(year) / index(anchor)``
    in every country (a year effect, e.g. the fall of private law after legal aid was cut in April
    2013); the published years keep their counts.

    Args:
        volumes: rows fy, country, law_type, cases.
        law_type: the law type the index describes.
        anchor: a published year of the volume table present in ``index``.
        fill_years: the years to fill.
        index: the level of the series by year (interpolated values included).
    """
    v = volumes.copy()
    v["cases"] = v["cases"].astype(float)
    for country in v["country"].unique():
        rows = (v["country"] == country) & (v["law_type"] == law_type)
        base = v.loc[rows & (v["fy"] == anchor), "cases"]
        if base.empty:
            continue
        for fy in fill_years:
            at = rows & (v["fy"] == fy)
            v.loc[at, "cases"] = float(base.iloc[0]) * index[fy] / index[anchor]
    return v
