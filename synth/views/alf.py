"""The SAIL match model: how each agency record gets its ALF (schemas.md 1.1-1.3).

MACRAL matches a provider's File 1 against the Welsh Demographic Service: deterministically on
a valid NHS number, otherwise probabilistically on names, date of birth, sex and postcode. Here
the record's *recorded* identifiers (with the agency's errors) are compared with the truth of
the person, who can be found only if they are on the spine:

* NHS number recorded and correct: status 1 when date of birth and sex also agree, else 4;
  no score (ALF_MTCH_PCT null).
* otherwise a score, the weighted share of agreeing fields (plus a little noise): 39 when it
  reaches ``high``, 35 when it reaches ``accept``, else 99 (no ALF).
* a probabilistic match is wrong (another person's ALF) with ``false_match_rate``.

Status code meanings are not published (schemas.md 1.3); these are the documented assumptions.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from synth.keys import keyed_id
from synth.profile.models import Linkage
from synth.rng import stream_key
from synth.views.transforms import project_alf

SPINE_KEY = stream_key("sail-project:on-spine")
FIELDS = ("surname", "forename", "date_of_birth", "sex", "postcode")


def on_spine(person_ids: np.ndarray, rate: float) -> np.ndarray:
    """Whether each person is on the demographic spine (a fixed property of the person)."""
    u = keyed_id(np.asarray(person_ids, dtype=np.int64), SPINE_KEY).astype(np.float64) / float(1 << 48)
    return u < rate


def _agree(a: np.ndarray | pd.Series, b: np.ndarray | pd.Series) -> np.ndarray:
    a, b = pd.Series(a), pd.Series(b)
    return (a.notna() & b.notna() & (a.astype(str) == b.astype(str))).to_numpy()


def match(ap: pd.DataFrame, recorded: pd.DataFrame, true: pd.DataFrame, link: Linkage,
          rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """ALF_PE, ALF_STS_CD and ALF_MTCH_PCT of each record.

    Args:
        ap: the agency's person records (agency_person_id, person_id).
        recorded, true: recorded and true identifiers, row-aligned with ``ap``.
        link: the profile's linkage section.
        rng: the agency's view stream.
        seed: the run seed (it keys the project ALF, synth.views.transforms.project_alf).
    """
    m = link.alf
    n = len(ap)
    pid = ap["person_id"].to_numpy(np.int64)
    spine = on_spine(pid, m.on_spine)
    agree = {f: _agree(recorded[f], true[f]) for f in FIELDS}
    nhs_ok = spine & _agree(recorded["nhs_number"], true["nhs_number"])
    weights = cast(dict[str, float], m.weights)
    score: np.ndarray = sum(weights[f] * agree[f] for f in FIELDS) + rng.uniform(0, m.noise, n)
    score = np.round(np.clip(score, 0, 1), 6)
    sts = np.where(nhs_ok, np.where(agree["date_of_birth"] & agree["sex"], 1, 4),
                   np.where(spine & (score >= m.high), 39, np.where(spine & (score >= m.accept), 35, 99)))
    probabilistic = (sts == 35) | (sts == 39)
    alf = project_alf(pid, seed)
    wrong = probabilistic & (rng.random(n) < m.false_match_rate)
    if wrong.any() and n > 1:
        # Another record's person (a different person of the same shard).
        other = (np.flatnonzero(wrong) + rng.integers(1, n, int(wrong.sum()))) % n
        alt = project_alf(pid[other], seed)
        same = pid[other] == pid[wrong]
        alf[np.flatnonzero(wrong)[~same]] = alt[~same]
    out = pd.DataFrame({
        "alf_pe": pd.array(alf, dtype="Int64"), "alf_sts_cd": sts.astype(np.int64),
        "alf_mtch_pct": np.where(probabilistic, score, np.nan),
    })
    out.loc[sts == 99, "alf_pe"] = pd.NA
    return out
