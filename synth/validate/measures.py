"""Achieved figures measured on truth tables, to compare with what the profile states.

Pure functions over DataFrames. They are the basis of the statistical tests and the realism
validator: children per case, ages at issue, outcome shares, recurrence (Kaplan-Meier), etc.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile.kinds.stats import kaplan_meier

__all__ = ["adult_counts", "adults_per_case", "children_per_case", "father_party_share", "index_proceedings",
           "kaplan_meier", "outcome_shares", "recurrence_km", "recurrence_sample", "stratum_shares",
           "youngest_age_days"]

YEAR = 365.25


def index_proceedings(proceeding: pd.DataFrame) -> pd.DataFrame:
    """Each family's first proceeding."""
    return proceeding[proceeding["sequence"] == 1]


def children_per_case(proceeding: pd.DataFrame, law_type: str, index_only: bool = True) -> pd.Series:
    """Number of subject children per proceeding of a law type."""
    p = index_proceedings(proceeding) if index_only else proceeding
    return p.loc[p["law_type"] == law_type, "n_children"]


def youngest_age_days(proceeding: pd.DataFrame, pchild: pd.DataFrame, law_type: str) -> pd.Series:
    """Age at issue in days of the youngest subject child on each index proceeding."""
    p = index_proceedings(proceeding)
    ids = p.loc[p["law_type"] == law_type, "proceeding_id"]
    c = pchild[pchild["proceeding_id"].isin(ids)]
    return c.groupby("proceeding_id")["age_at_issue_days"].min()


def outcome_shares(proceeding: pd.DataFrame, pchild: pd.DataFrame, law_type: str,
                   age_band: str | None = None) -> pd.Series:
    """Share of each final order among children with an outcome."""
    ids = proceeding.loc[proceeding["law_type"] == law_type, "proceeding_id"]
    c = pchild[pchild["proceeding_id"].isin(ids) & pchild["has_outcome"]]
    if age_band is not None:
        c = c[c["age_band"] == age_band]
    return c["outcome"].value_counts(normalize=True)


def recurrence_km(proceeding: pd.DataFrame, law_type: str | None, end: np.datetime64, years: float = 7.0,
                  teen: pd.Series | None = None) -> tuple[float, float, int]:
    """Share of families whose next proceeding starts within ``years`` of the index one (KM).

    Args:
        proceeding: truth proceedings.
        law_type: the index proceeding's law type (None matches no proceeding).
        end: the period's end (censoring date).
        years: horizon.
        teen: optional boolean Series by family_id to restrict to (True rows kept).

    Returns:
        (cumulative incidence, standard error, families at risk).
    """
    dur, event = recurrence_sample(proceeding, law_type, end, teen)
    inc, se = kaplan_meier(dur, event, years)
    return inc, se, len(dur)


def recurrence_sample(proceeding: pd.DataFrame, law_type: str | None, end: np.datetime64,
                      teen: pd.Series | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Years from each family's index proceeding of a law type to its next one, and whether it came.

    Args:
        proceeding: truth proceedings.
        law_type: the index proceeding's law type (None matches no proceeding).
        end: the period's end (censoring date).
        teen: optional boolean Series by family_id to restrict to (True rows kept).

    Returns:
        (durations in years, event flags), one per family, in family order.
    """
    p = proceeding.sort_values(["family_id", "sequence"])
    first = p[p["sequence"] == 1]
    first = first[first["law_type"] == law_type]
    if teen is not None:
        first = first[first["family_id"].map(teen).fillna(False).to_numpy(bool)]
    second = p[p["sequence"] == 2].set_index("family_id")["issue_date"]
    nxt = first["family_id"].map(second)
    issue = pd.to_datetime(first["issue_date"])
    event = nxt.notna().to_numpy()
    stop = np.where(event, pd.to_datetime(nxt).to_numpy("datetime64[D]"), np.asarray(end, dtype="datetime64[D]"))
    return (stop - issue.to_numpy("datetime64[D]")).astype(float) / YEAR, event


def father_party_share(proceeding: pd.DataFrame, party: pd.DataFrame, law_type: str) -> float:
    """Share of proceedings of a law type with at least one father as a party."""
    ids = proceeding.loc[proceeding["law_type"] == law_type, "proceeding_id"]
    with_father = party.loc[party["relationship"] == "father", "proceeding_id"].unique()
    return float(np.isin(ids, with_father).mean())


def adult_counts(proceeding: pd.DataFrame, party: pd.DataFrame, law_type: str | None) -> pd.Series:
    """Adult parties on each proceeding of a law type (None matches no proceeding)."""
    ids = proceeding.loc[proceeding["law_type"] == law_type, "proceeding_id"]
    adults = party[party["party_role"] != "subject"]
    return adults.groupby("proceeding_id").size().reindex(ids, fill_value=0)


def adults_per_case(proceeding: pd.DataFrame, party: pd.DataFrame, law_type: str) -> float:
    """Mean adult parties per proceeding of a law type."""
    return float(adult_counts(proceeding, party, law_type).mean())


def stratum_shares(proceeding: pd.DataFrame) -> pd.Series:
    """Share of all proceedings by (fy, country, law_type)."""
    return proceeding.groupby(["fy", "country", "law_type"]).size() / len(proceeding)
