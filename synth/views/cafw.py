"""Row sources of the Cafcass Cymru (CAFW) view in the SAIL shape (schemas.md 2.2).

CAFW is a Microsoft Dynamics CRM system: applications are connected to the people they concern by
"connection" rows (``record1id`` the application, ``record2id`` the person, ``record2roleidname``
their role), and hearings carry a date and a listing time. Two sources are built here:

- ``cafw_hearing``: each covered hearing with the date and time it was listed. Courts list in
  morning and afternoon slots, most at 10:00 (assumption: the spread of :data:`LIST_TIMES`; no
  published distribution of hearing start times).
- ``cafw_application_party``: every party of a proceeding connected to each application on it
  (the children as subjects, the adults as applicants or respondents), so an application issued
  later in the case (a G50-type subsequent application) has its own connection rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import SUB_STRIDE

#: Listing times (hour, minute) and their shares: assumption, the common 10:00 start, later morning
#: slots, and the 14:00 afternoon list.
LIST_TIMES = ((10, 0, 0.38), (10, 30, 0.16), (11, 0, 0.10), (11, 30, 0.05), (12, 0, 0.04),
              (14, 0, 0.15), (14, 30, 0.06), (15, 0, 0.04), (15, 30, 0.02))


def cafw_hearing(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                 rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Each covered hearing with its listing date and time (:data:`LIST_TIMES`)."""
    h = covered["hearing"]
    share = np.array([p for _, _, p in LIST_TIMES])
    minutes = np.array([60 * hh + mm for hh, mm, _ in LIST_TIMES], dtype=np.int64)
    slot = rng.choice(len(LIST_TIMES), size=len(h), p=share / share.sum())
    when = pd.to_datetime(h["hearing_date"], cache=False) + pd.to_timedelta(minutes[slot], unit="min")
    return pd.DataFrame({
        "hearing_id": h["hearing_id"].to_numpy(np.int64),
        "proceeding_id": h["proceeding_id"].to_numpy(np.int64),
        "hearing_datetime": when.to_numpy(),
        "hearing_type": h["hearing_type"].to_numpy(object),
    })


def cafw_application_party(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                           rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """One row per application and party of its proceeding (id: application id and party slot)."""
    app = covered["application"][["application_id", "proceeding_id"]]
    party = covered["proceeding_party"][["party_id", "proceeding_id", "person_id", "party_role"]]
    m = app.merge(party, on="proceeding_id", how="inner", sort=False)
    slot = m["party_id"].to_numpy(np.int64) % SUB_STRIDE
    out = pd.DataFrame({
        "application_party_id": m["application_id"].to_numpy(np.int64) * SUB_STRIDE + slot,
        "application_id": m["application_id"].to_numpy(np.int64),
        "proceeding_id": m["proceeding_id"].to_numpy(np.int64),
        "person_id": m["person_id"].to_numpy(np.int64),
        "party_role": m["party_role"].to_numpy(object),
    })
    return out.sort_values("application_party_id", kind="stable").reset_index(drop=True)
