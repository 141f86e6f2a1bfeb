"""SAIL reference data (``SAILREFRV``): the same public lookup rows in every run, whatever the seed.

Real SAIL code joins person tables to reference tables by LSOA: the Welsh Index of Multiple
Deprivation 2019 rank and its quintile, the local authority and the health board. Those are public
(ONS / Welsh Government, Open Government Licence), so a run ships them as they are:
``synth/profiles/reference/sail_lsoa2011_wales.csv`` (built by ``scripts/build_sail_reference.py``;
sources in ``reference/SOURCES.md``), one row per 2011 Welsh LSOA.

A reference source is not a function of the truth, so it is written once: shard 0 holds every row
and the other shards none, which keeps the output identical for any number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources

import pandas as pd

from synth.profile.reference import read_reference
from synth.world.la_codes import la_code_lookup, la_codes

#: The reference CSV (package data beside the profiles) and its checked shape in synth.profile.reference.
SAIL_LSOA_CSV = "reference/sail_lsoa2011_wales.csv"
SAIL_LSOA_TABLE = "sail_lsoa2011_wales"


@lru_cache(maxsize=1)
def sail_lsoa() -> pd.DataFrame:
    """The 1,909 Welsh LSOAs with local authority, health board and WIMD 2019 rank, decile and quintile."""
    with resources.as_file(resources.files("synth.profiles").joinpath(SAIL_LSOA_CSV)) as path:
        frame = read_reference(path, SAIL_LSOA_TABLE)
    frame = frame.sort_values("lsoa_code").reset_index(drop=True)
    for col in ("wimd2019_rank", "wimd2019_decile", "wimd2019_quintile"):
        frame[col] = frame[col].astype("int64")
    frame.insert(0, "sail_ref_lsoa_id", range(1, len(frame) + 1))
    return frame


def la_code_history() -> pd.DataFrame:
    """Every local authority code of England and Wales valid in 2005-2030, with its first and last day."""
    t = la_codes()
    return pd.DataFrame({
        "la_code_history_id": range(1, len(t) + 1), "la_code": t["la_code"], "la_name": t["la_name"],
        "country": t["country"], "start_date": pd.to_datetime(t["start"].replace("", None)).astype("datetime64[ns]"),
        "end_date": pd.to_datetime(t["end"].replace("", None)).astype("datetime64[ns]"),
        "successors": t["successors"].replace("", None)})


def la_code_to_current() -> pd.DataFrame:
    """Every code, past or current, -> today's code(s) of its area, with the 2011 LSOAs they share."""
    t = la_code_lookup()
    return pd.DataFrame({
        "la_code_lookup_id": range(1, len(t) + 1), "la_code": t["la_code"], "current_code": t["current_code"],
        "lsoa_first": t["lsoa_first"].replace("", None), "lsoa_last": t["lsoa_last"].replace("", None),
        "lsoas": t["lsoas"].astype("int64")})


#: Reference row sources (``synth.world.schema.DERIVED_SOURCES``) and their readers.
REFERENCE_SOURCES: dict[str, Callable[[], pd.DataFrame]] = {
    "sail_ref_lsoa": sail_lsoa, "la_code_history": la_code_history, "la_code_lookup": la_code_to_current}


def reference_rows(name: str, shard: int) -> pd.DataFrame:
    """The rows of reference source ``name`` that shard ``shard`` writes: all of them in shard 0, none elsewhere.

    Args:
        name: a key of :data:`REFERENCE_SOURCES`.
        shard: the shard being projected.
    """
    rows = REFERENCE_SOURCES[name]()
    return rows.copy() if shard == 0 else rows.iloc[0:0].copy()
