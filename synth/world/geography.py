"""Local authorities, DFJ areas and LSOAs from the profile's reference CSVs, as arrays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synth.profile.mechanisms import COUNTRIES, LAW_TYPES
from synth.profile.reference import read_reference


@dataclass(frozen=True)
class Geography:
    """Reference arrays and per-(country, law type) sampling weights.

    Attributes:
        la_code, la_name, la_country, dfj_area: one entry per local authority.
        la_cdf: (country, law_type) -> (LA indices, cumulative weights).
        lsoa_code: LSOA codes sorted by LA; ``lsoa_start``/``lsoa_count`` index them per LA.
    """

    la_code: np.ndarray
    la_name: np.ndarray
    la_country: np.ndarray
    dfj_area: np.ndarray
    la_cdf: dict
    lsoa_code: np.ndarray
    lsoa_start: np.ndarray
    lsoa_count: np.ndarray

    def sample_la(self, country: np.ndarray, law: np.ndarray, u: np.ndarray) -> np.ndarray:
        """An LA index for each row, weighted for its country and law type."""
        out = np.zeros(len(u), dtype=np.int64)
        for c in COUNTRIES:
            for lt in LAW_TYPES:
                m = (country == c) & (law == lt)
                if m.any():
                    idx, cdf = self.la_cdf[(c, lt)]
                    out[m] = idx[np.searchsorted(cdf, u[m], side="right").clip(0, len(idx) - 1)]
        return out

    def sample_lsoa(self, la: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A real LSOA code within each row's LA (uniform)."""
        pick = self.lsoa_start[la] + np.floor(u * self.lsoa_count[la]).astype(np.int64)
        return self.lsoa_code[pick]


def load_geography(la_csv: str | Path, lsoa_csv: str | Path) -> Geography:
    """Read the LA and LSOA tables; LAs without an LSOA are given none (and never sampled)."""
    las = read_reference(la_csv, "local_authorities").sort_values("la_code").reset_index(drop=True)
    lsoa = read_reference(lsoa_csv, "lsoas")
    lsoa = lsoa[lsoa["la_code"].isin(las["la_code"])].sort_values(["la_code", "lsoa_code"])
    counts = lsoa.groupby("la_code").size().reindex(las["la_code"], fill_value=0).to_numpy()
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    cdfs = {}
    for c in COUNTRIES:
        for lt in LAW_TYPES:
            w = las[f"{lt}_weight"].to_numpy(float) * (las["country"].to_numpy() == c) * (counts > 0)
            idx = np.flatnonzero(w > 0)
            cdf = np.cumsum(w[idx]) / w[idx].sum() if len(idx) else np.zeros(0)
            if len(cdf):
                cdf[-1] = 1.0
            cdfs[(c, lt)] = (idx, cdf)
    return Geography(
        la_code=las["la_code"].to_numpy(object), la_name=las["la_name"].to_numpy(object),
        la_country=las["country"].to_numpy(object), dfj_area=las["dfj_area"].to_numpy(object),
        la_cdf=cdfs, lsoa_code=lsoa["lsoa_code"].to_numpy(object), lsoa_start=starts, lsoa_count=counts,
    )
