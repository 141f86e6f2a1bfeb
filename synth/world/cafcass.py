"""Cafcass's own involvement in a case: from receipt to the day its work ends.

Cafcass counts a case as open while it is working on it, which is not the court's open period
(stats.md 1b: "open children's cases"). In public law the children's guardian stays to the final
order. In private law Cafcass's work to the first hearing (safeguarding checks and a letter to the
court) ends at that hearing unless the court orders a welfare report (s7), when Cafcass works on to
the final order (assumption; the profile's ``welfare_report`` share is sourced). A case whose
first hearing or disposal is after the period end is still open.
"""

from __future__ import annotations

import numpy as np


def first_hearing_day(hearing_proc: np.ndarray, hearing_seq: np.ndarray, hearing_day: np.ndarray, m: int) -> np.ndarray:
    """Day number of each proceeding's first hearing (-1 where it has none).

    Args:
        hearing_proc: each hearing's proceeding (row index into the proceedings).
        hearing_seq: each hearing's sequence within its proceeding (1 = first).
        hearing_day: each hearing's day number.
        m: number of proceedings.
    """
    out = np.full(m, -1, dtype=np.int64)
    first = hearing_seq == 1
    out[hearing_proc[first]] = hearing_day[first]
    return out


def involvement_end(law: np.ndarray, disposal: np.ndarray, first_hearing: np.ndarray, report: np.ndarray) -> np.ndarray:
    """Day number Cafcass's work on each proceeding ends (-1: still open at the period end).

    Args:
        law: law type per proceeding (``public`` / ``private``).
        disposal: final disposal day (-1 while open).
        first_hearing: first hearing day (-1 while none has been held).
        report: whether a welfare report was ordered (private law).
    """
    early = (np.asarray(law) == "private") & ~np.asarray(report, dtype=bool) & (first_hearing >= 0)
    return np.where(early, first_hearing, disposal).astype(np.int64)
