"""What the family court records: case numbers and the events of each case (FamilyMan shape).

Case numbers have the FamilyMan shape (schemas.md 5.1): a two-letter court prefix, the two-digit
year of issue, the case type letter (``C`` public law, ``P`` private law) and five digits, e.g.
``BM23C50095`` (serials scattered by a keyed permutation, so they look like real ones). Events
are the application that starts a case and one disposal per subject child, coded by the
Children Act order form (schemas.md 5.2) or the FamilyMan no-order / refused / withdrawn events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import FAMILIES_PER_SHARD, keyed_id, permute_index
from synth.rng import stream_key
from synth.world import sampling as S

#: Case serials a shard may use per court, year and case type; serial = shard * this + rank.
#: Case numbers are distinct while shards * SERIALS_PER_SHARD < 100,000 (200 shards, 2M families).
SERIALS_PER_SHARD = 500
#: Key of the permutation that scatters serials over 00000-99999 (distinct serials stay distinct).
SERIAL_KEY = stream_key("familyman-case-serial")
#: Child outcome -> (event model, FCSQ disposal type: 1 order made, 3 withdrawn, 4 refused, 5 no order).
DISPOSALS = {
    "care_order": ("C32A", 1), "care_and_placement_order": ("C32A", 1), "supervision_order": ("C35A", 1),
    "special_guardianship_order": ("C43A", 1), "child_arrangements_order": ("C43", 1),
    "prohibited_steps_order": ("C43", 1), "specific_issue_order": ("C43", 1),
    "no_order": ("ORDNOM", 5), "refused": ("ORDREF", 4), "withdrawn": ("G63", 3),
}
#: The application event (modelled on the FamilyMan field model U22_AT, "new application form").
APPLICATION_EVENT = "U22"


def court_prefixes(areas: np.ndarray) -> dict[str, str]:
    """A distinct two-letter prefix for each court (DFJ area): its initial, then a later letter."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for area in sorted(set(areas)):
        letters = [c for c in area.upper() if c.isalpha()]
        candidates = [letters[0] + c for c in letters[1:]] + [letters[0] + c for c in "XYZQWVKJ"]
        code = next(c for c in candidates if c not in used)
        used.add(code)
        out[area] = code
    return out


def case_numbers(proceeding: pd.DataFrame, prefixes: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Court prefix and case number of each proceeding of one shard.

    Returns:
        ``(court_code, case_number)`` arrays in the proceeding table's order.
    """
    area = proceeding["dfj_area"].to_numpy(object)
    court = pd.Series(area).map(prefixes).to_numpy(object)
    year = pd.to_datetime(proceeding["issue_date"]).dt.year.to_numpy() % 100
    letter = np.where(proceeding["law_type"].to_numpy() == "public", "C", "P")
    shard = proceeding["family_id"].to_numpy(np.int64) // FAMILIES_PER_SHARD
    group = pd.factorize(pd.Series(court).str.cat([year.astype(str), letter], sep="|"))[0]
    order = np.lexsort((proceeding["proceeding_id"].to_numpy(), group))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = S.within_group_index(group[order])
    # A per-(court, year, type) offset, then a keyed permutation: distinct within a group, varied across.
    court_no = pd.Series(court).map({c: i for i, c in enumerate(sorted(prefixes.values()))}).to_numpy(np.int64)
    offset = keyed_id((court_no * 100 + year) * 2 + (letter == "C"), SERIAL_KEY) % 100_000
    serial = permute_index((offset + shard * SERIALS_PER_SHARD + rank) % 100_000, 100_000, SERIAL_KEY)
    number = (pd.Series(court) + pd.Series(year).map("{:02d}".format) + pd.Series(letter)
              + pd.Series(serial).map("{:05d}".format))
    return court, number.to_numpy(object)


def court_events(proceeding: pd.DataFrame, pchild: pd.DataFrame) -> pd.DataFrame:
    """The application event of every proceeding and a disposal event per child with an outcome."""
    app = pd.DataFrame({
        "event_id": proceeding["proceeding_id"].to_numpy(np.int64) * 64,
        "proceeding_id": proceeding["proceeding_id"].to_numpy(np.int64),
        "person_id": pd.array([None] * len(proceeding), dtype="Int64"),
        "event_model": APPLICATION_EVENT, "event_date": proceeding["issue_date"].to_numpy(),
        "order_sought": proceeding["application_type"].to_numpy(object),
        "disposal_type": pd.array([None] * len(proceeding), dtype="Int64"),
    })
    done = pchild[pchild["has_outcome"].to_numpy(bool)]
    outcome = done["outcome"].to_numpy(object)
    model = pd.Series(outcome).map({k: v[0] for k, v in DISPOSALS.items()}).to_numpy(object)
    dtype_ = pd.Series(outcome).map({k: v[1] for k, v in DISPOSALS.items()}).to_numpy(np.int64)
    disp = pd.DataFrame({
        "event_id": done["proceeding_id"].to_numpy(np.int64) * 64 + 1 + done["child_index"].to_numpy(np.int64),
        "proceeding_id": done["proceeding_id"].to_numpy(np.int64),
        "person_id": pd.array(done["person_id"].to_numpy(np.int64), dtype="Int64"),
        "event_model": model, "event_date": done["outcome_date"].to_numpy(),
        "order_sought": np.full(len(done), None, dtype=object),
        "disposal_type": pd.array(dtype_, dtype="Int64"),
    })
    return pd.concat([app, disp], ignore_index=True).sort_values("event_id", kind="stable").reset_index(drop=True)
