"""The identifiers an agency holds for each of its person records, as recorded (with errors).

A person record is created when the person first appears in the agency's data (the receipt of
its first proceeding). It holds the person's names, date of birth, sex, NHS number and the
address their household lived at on that day; then the agency's ``identifier_errors`` are
applied (synth.views.identifiers). Every view of the agency (its File 1, its tables' DOB, WOB and sex
columns where the profile says so) reads these recorded values, and the SAIL match model scores
them against the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import HOUSEHOLD_STRIDE
from synth.profile.models import Agency
from synth.views.identifiers import corrupt
from synth.world import names
from synth.world.residence import PSEUDO_PREFIX, address_at, household_of

YEAR = 365.25
#: Fields of a recorded identity, in agency_person (see synth.world.schema.AGENCY_PERSON_FIELDS).
RECORDED = ("forename", "surname", "date_of_birth", "sex", "nhs_number", "postcode",
            "address_1", "address_2", "address_3", "created_date")


def _at(table: pd.DataFrame, key: str, ids: np.ndarray) -> np.ndarray:
    """Row positions of ``ids`` in ``table`` sorted by ``key``."""
    return np.searchsorted(table[key].to_numpy(np.int64), ids)


def true_identifiers(ap: pd.DataFrame, truth: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The true identifiers of each record's person on the day the record was created."""
    person = truth["person"]
    pos = _at(person, "person_id", ap["person_id"].to_numpy(np.int64))
    p = person.iloc[pos].reset_index(drop=True)
    proc = truth["proceeding"]
    created = proc["receipt_date"].to_numpy("datetime64[D]")[_at(proc, "proceeding_id",
                                                                   ap["first_proceeding_id"].to_numpy(np.int64))]
    address = truth["address"]
    hh = household_of(p)
    fam = p["family_id"].to_numpy(np.int64)
    at = address_at(address, fam, hh, created)
    hh_key = address["family_id"].to_numpy(np.int64) * HOUSEHOLD_STRIDE + address["household"].to_numpy(np.int64)
    prev_ok = (at > 0) & (hh_key[np.clip(at - 1, 0, None)] == fam * HOUSEHOLD_STRIDE + hh)
    postcode = address["postcode"].to_numpy(object)[at]
    previous = np.where(prev_ok, address["postcode"].to_numpy(object)[np.clip(at - 1, 0, None)], None)
    lines = {f"address_{i}": address[f"address_{i}"].to_numpy(object)[at] for i in (1, 2, 3)}
    # Adults recorded with no address keep the NHS pseudo-postcode and no address lines.
    pseudo = p["postcode"].astype(str).str.startswith(PSEUDO_PREFIX).to_numpy()
    postcode = np.where(pseudo, p["postcode"].to_numpy(object), postcode)
    previous = np.where(pseudo, None, previous)  # type: ignore[call-overload]
    for k in lines:
        lines[k] = np.where(pseudo, None, lines[k])
    dob = p["date_of_birth"].to_numpy("datetime64[D]")
    age = (created - dob).astype(np.int64) / YEAR
    # An unborn child has no NHS number yet when the record is made.
    nhs = np.where(age < 0, None, p["nhs_number"].to_numpy(object))
    return pd.DataFrame({
        "forename": p["forename"].to_numpy(object), "surname": p["surname"].to_numpy(object),
        "other_surname": _other_surname(p),
        "date_of_birth": dob.astype("datetime64[ns]"), "sex": p["sex"].to_numpy(np.int64),
        "nhs_number": nhs, "postcode": postcode, "previous_postcode": previous,
        **lines, "created_date": created.astype("datetime64[ns]"),
        "is_adult": age >= 18, "age_years": age, "ethnicity": p["ethnicity"].to_numpy(object),
    })


def _other_surname(p: pd.DataFrame) -> np.ndarray:
    """Each person's other surname (None where none, or in a truth made before it existed)."""
    if "other_surname" not in p:
        return np.full(len(p), None, dtype=object)
    return p["other_surname"].to_numpy(object)


def recorded_identifiers(ap: pd.DataFrame, truth: dict[str, pd.DataFrame], agency: Agency, rng: np.random.Generator
                         ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Recorded identifiers of an agency's person records.

    Returns:
        ``(recorded, true, errors)``: recorded values (columns RECORDED, record order), the true
        values they were recorded from, and one row per applied error (agency_person_id, field,
        kind).
    """
    true = true_identifiers(ap, truth)
    recorded = true[list(RECORDED)].copy()
    errors = pd.DataFrame({"agency_person_id": pd.Series([], dtype=np.int64), "field": pd.Series([], dtype=object),
                           "kind": pd.Series([], dtype=object)})
    if agency.identifier_errors is not None and len(ap):
        # The surname an agency may record instead: the other one the person is known by (a
        # married mother's birth surname, a child's other parent's), else any surname.
        other = true["other_surname"].to_numpy(object)
        inputs = true.assign(alt_surname=np.where(pd.notna(other), other, names.surnames(len(true), rng)))
        rec, err = corrupt(inputs, agency.identifier_errors, rng)
        for f in ("forename", "surname", "date_of_birth", "sex", "nhs_number", "postcode"):
            recorded[f] = rec[f].to_numpy()
        recorded["sex"] = pd.array(rec["sex"], dtype="Int64")
        errors = pd.DataFrame({"agency_person_id": ap["agency_person_id"].to_numpy(np.int64)[err["row"].to_numpy()],
                               "field": err["field"].to_numpy(object), "kind": err["kind"].to_numpy(object)})
    return recorded, true, errors
