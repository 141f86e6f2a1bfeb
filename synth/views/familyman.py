"""Row sources of the HMCTS FamilyMan view: the roles on each case.

FamilyMan's ``roles`` table (schemas.md 5.1) holds every party's role on a case, and in public
law the local authority applicant, which is not a person. Role models combine the role (APL
applicant, RSP respondent, CHLD child) with a suffix for the case type (C public law, Z private
law; the suffix meanings are not published, schemas.md 5.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ROLE_PREFIX = {"applicant": "APL", "respondent": "RSP", "subject": "CHLD"}
CASE_ROLE = {"applicant": "Applicant", "respondent": "Respondent"}
#: Party slot of the local authority applicant on a public law case (person parties use 0-62).
LA_SLOT = 63


def familyman_role(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                   rng: np.random.Generator) -> pd.DataFrame:
    """Every party's role on each covered case, plus the local authority applicant in public law."""
    proc = covered["proceeding"]
    party = covered["proceeding_party"]
    law = proc.set_index("proceeding_id")["law_type"]
    suffix = np.where(party["proceeding_id"].map(law).to_numpy() == "public", "C", "Z")
    people = pd.DataFrame({
        "role_key": party["party_id"].to_numpy(np.int64),
        "proceeding_id": party["proceeding_id"].to_numpy(np.int64),
        "person_id": pd.array(party["person_id"].to_numpy(np.int64), dtype="Int64"),
        "role_model": party["party_role"].map(ROLE_PREFIX).to_numpy(object) + suffix,
        "case_role": party["party_role"].map(CASE_ROLE).to_numpy(object),
        "is_la": False,
    })
    public = proc[proc["law_type"] == "public"]
    la = pd.DataFrame({
        "role_key": public["proceeding_id"].to_numpy(np.int64) * 64 + LA_SLOT,
        "proceeding_id": public["proceeding_id"].to_numpy(np.int64),
        "person_id": pd.array([None] * len(public), dtype="Int64"),
        "role_model": "APLC", "case_role": "Applicant", "is_la": True,
    })
    out = pd.concat([people, la], ignore_index=True)
    return out.sort_values("role_key", kind="stable").reset_index(drop=True)
