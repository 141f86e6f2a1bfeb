"""Row sources of the HMCTS FamilyMan view: roles and parties on each case (schemas.md 5.1).

FamilyMan's ``roles`` table holds every party's role on a case, the local authority applicant of a
public law case included; ``parties`` holds the parties themselves. MoJ code (FCSQ
``01_ca_apps.ipynb``) joins roles to parties on ``party`` and tells the local authority from a person
by the party having no given name or a gender other than 1/2, so the local authority is a party
here too, with no name, date of birth or sex. A person's party number is the agency's person record
id for that appearance (duplicates included); the local authority's is ``2**48`` plus a keyed
permutation of the case's proceeding id, above every person record id (those are at most ``2**48``),
so the two never collide.

Role models combine the role (APL applicant, RSP respondent, CHLD child) with a suffix for the case
type (C public law, Z private law; the suffix meanings are not published, schemas.md 5.1). Role
numbers are keyed from the truth's role key (:func:`role_number`) so the event fields that list the
children of an event (``<model>_CH``) can name them. Representation is modelled (see
:data:`REPRESENTED`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import keyed_id, permute_index, run_key
from synth.rng import stream_key

ROLE_PREFIX = {"applicant": "APL", "respondent": "RSP", "subject": "CHLD"}
CASE_ROLE = {"applicant": "Applicant", "respondent": "Respondent"}
#: Party slot of the local authority applicant on a public law case (person parties use 0-62).
LA_SLOT = 63
#: Local authority party numbers start above every agency person record id.
LA_PARTY_BASE = 1 << 48
LA_PARTY_KEY = stream_key("familyman:la-party")
ROLE_KEY = stream_key("familyman:role-number")
REP_KEY = stream_key("familyman:representative-role")
#: Probability an adult party's role has a legal representative, by (law type, case role).
#: Assumption: parents in care proceedings get non-means-tested legal aid, so nearly all are
#: represented; in private law most parties have been unrepresented since legal aid was withdrawn
#: in 2013 (LASPO). Not calibrated: FCSQ representation tables are not in stats.md.
REPRESENTED = {("public", "Applicant"): 1.0, ("public", "Respondent"): 0.9,
               ("private", "Applicant"): 0.35, ("private", "Respondent"): 0.25}


def role_number(role_key: np.ndarray, seed: int) -> np.ndarray:
    """FamilyMan role number of a truth role key in the run of ``seed`` (a keyed bijection, so distinct and stable)."""
    return keyed_id(np.asarray(role_key, dtype=np.int64), run_key(seed, ROLE_KEY))


def la_party(proceeding_id: np.ndarray, seed: int) -> np.ndarray:
    """Party number of the local authority on each public law case in the run of ``seed``."""
    key = run_key(seed, LA_PARTY_KEY)
    return LA_PARTY_BASE + permute_index(np.asarray(proceeding_id, dtype=np.int64), 1 << 40, key)


def _party_numbers(covered: dict[str, pd.DataFrame], proc: np.ndarray, person: np.ndarray) -> np.ndarray:
    """The agency person record each (proceeding, person) appearance uses."""
    pm = covered["agency_person_map"]
    rec = pd.Series(pm["agency_person_id"].to_numpy(np.int64),
                    index=pd.MultiIndex.from_arrays([pm["proceeding_id"], pm["person_id"]]))
    rec = rec[~rec.index.duplicated()]
    return rec.reindex(pd.MultiIndex.from_arrays([proc, person])).to_numpy(np.int64)


def familyman_role(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                   rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Every party's role on each covered case, plus the local authority applicant in public law."""
    proc = covered["proceeding"]
    party = covered["proceeding_party"]
    law_of = proc.set_index("proceeding_id")["law_type"]
    law = party["proceeding_id"].map(law_of).to_numpy(object)
    suffix = np.where(law == "public", "C", "Z")
    people = pd.DataFrame({
        "role_key": party["party_id"].to_numpy(np.int64),
        "proceeding_id": party["proceeding_id"].to_numpy(np.int64),
        "person_id": pd.array(party["person_id"].to_numpy(np.int64), dtype="Int64"),
        "party_number": _party_numbers(covered, party["proceeding_id"].to_numpy(np.int64),
                                       party["person_id"].to_numpy(np.int64)),
        "role_model": party["party_role"].map(ROLE_PREFIX).to_numpy(object) + suffix,
        "case_role": party["party_role"].map(CASE_ROLE).to_numpy(object),
        "is_la": False, "law_type": law,
    })
    public = proc[proc["law_type"] == "public"]
    la = pd.DataFrame({
        "role_key": public["proceeding_id"].to_numpy(np.int64) * 64 + LA_SLOT,
        "proceeding_id": public["proceeding_id"].to_numpy(np.int64),
        "person_id": pd.array([None] * len(public), dtype="Int64"),
        "party_number": la_party(public["proceeding_id"].to_numpy(np.int64), seed),
        "role_model": "APLC", "case_role": "Applicant", "is_la": True, "law_type": "public",
    })
    out = pd.concat([people, la], ignore_index=True)
    out = out.sort_values("role_key", kind="stable").reset_index(drop=True)
    out["role_number"] = role_number(out["role_key"].to_numpy(), seed)
    p_rep = pd.Series(list(zip(out["law_type"], out["case_role"], strict=True))).map(REPRESENTED).fillna(0.0)
    rep = rng.random(len(out)) < p_rep.to_numpy(float)
    rep_number = keyed_id(out["role_key"].to_numpy(), run_key(seed, REP_KEY))
    out["representative_role"] = pd.array(np.where(rep, rep_number, -1), dtype="Int64")
    out["representative_role"] = out["representative_role"].mask(~pd.Series(rep))
    out["representation"] = np.where(rep, "Y", "N").astype(object)
    out.loc[out["case_role"].isna().to_numpy(), "representation"] = None  # children: the guardian, not modelled
    n_resp = out[out["case_role"] == "Respondent"].groupby("proceeding_id").size()
    out["respondent_count"] = out["proceeding_id"].map(n_resp).fillna(0).astype(np.int64)
    # pub_la_ind as the FCSQ code derives it: N/A outside public law applicants, LA or Non-LA.
    pub = np.where(out["is_la"].to_numpy(bool), "LA", "Non-LA").astype(object)
    na = (out["law_type"].to_numpy(object) != "public") | (out["case_role"].to_numpy(object) != "Applicant")
    out["pub_la_ind"] = np.where(na, "N/A", pub).astype(object)
    return out.drop(columns=["law_type"])


def familyman_party(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                    rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """FamilyMan parties: every person record of the agency, plus each public law case's local authority.

    A person's ``role_model`` is their role on the case their record was first made for; the
    local authority's is APLC.
    """
    ap = covered["agency_person"]
    party = covered["proceeding_party"]
    proc = covered["proceeding"]
    law_of = proc.set_index("proceeding_id")["law_type"]
    key = pd.MultiIndex.from_arrays([party["proceeding_id"], party["person_id"]])
    role = pd.Series(party["party_role"].map(ROLE_PREFIX).to_numpy(object)
                     + np.where(party["proceeding_id"].map(law_of).to_numpy(object) == "public", "C", "Z"), index=key)
    role = role[~role.index.duplicated()]
    first = pd.MultiIndex.from_arrays([ap["first_proceeding_id"], ap["person_id"]])
    people = pd.DataFrame({
        "party_number": ap["agency_person_id"].to_numpy(np.int64),
        "proceeding_id": ap["first_proceeding_id"].to_numpy(np.int64),
        "person_id": pd.array(ap["person_id"].to_numpy(np.int64), dtype="Int64"),
        "date_of_birth": ap["date_of_birth"].to_numpy(), "sex": ap["sex"].array,
        "forename": ap["forename"].to_numpy(object), "surname": ap["surname"].to_numpy(object),
        "role_model": role.reindex(first).to_numpy(object),
    })
    public = proc[proc["law_type"] == "public"]
    pid = public["proceeding_id"].to_numpy(np.int64)
    la = pd.DataFrame({
        "party_number": la_party(pid, seed), "proceeding_id": pid,
        "person_id": pd.array([None] * len(pid), dtype="Int64"),
        "date_of_birth": np.full(len(pid), np.datetime64("NaT"), dtype="datetime64[ns]"),
        "sex": pd.array([None] * len(pid), dtype="Int64"), "forename": None, "surname": None, "role_model": "APLC",
    })
    out = pd.concat([people, la], ignore_index=True)
    return out.sort_values("party_number", kind="stable").reset_index(drop=True)
