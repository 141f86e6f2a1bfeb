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
    received = proc["receipt_date"].to_numpy("datetime64[D]")[_at(proc, "proceeding_id",
                                                                    ap["first_proceeding_id"].to_numpy(np.int64))]
    # Nobody is recorded before birth: an unborn child's record is made on the day of birth.
    created = np.maximum(received, p["date_of_birth"].to_numpy("datetime64[D]"))
    address = truth["address"]
    hh = household_of(p)
    fam = p["family_id"].to_numpy(np.int64)
    at = address_at(address, fam, hh, created)
    hh_key = address["family_id"].to_numpy(np.int64) * HOUSEHOLD_STRIDE + address["household"].to_numpy(np.int64)
    prev_ok = (at > 0) & (hh_key[np.clip(at - 1, 0, None)] == fam * HOUSEHOLD_STRIDE + hh)
    postcode = address["postcode"].to_numpy(object)[at]
    previous = np.where(prev_ok, address["postcode"].to_numpy(object)[np.clip(at - 1, 0, None)], None)
    lines = {f"address_{i}": address[f"address_{i}"].to_numpy(object)[at] for i in (1, 2, 3)}
    before = np.clip(at - 1, 0, None)
    lines.update({f"previous_address_{i}": np.where(prev_ok, address[f"address_{i}"].to_numpy(object)[before], None)
                  for i in (1, 2, 3)})
    # Adults recorded with no address keep the NHS pseudo-postcode and no address lines.
    pseudo = p["postcode"].astype(str).str.startswith(PSEUDO_PREFIX).to_numpy()
    postcode = np.where(pseudo, p["postcode"].to_numpy(object), postcode)
    previous = np.where(pseudo, None, previous)  # type: ignore[call-overload]
    for k in lines:
        lines[k] = np.where(pseudo, None, lines[k])
    dob = p["date_of_birth"].to_numpy("datetime64[D]")
    age = (created - dob).astype(np.int64) / YEAR
    nhs = p["nhs_number"].to_numpy(object)
    rel_nhs, rel_dob = _mothers(p, person)
    return pd.DataFrame({
        "forename": p["forename"].to_numpy(object), "surname": p["surname"].to_numpy(object),
        "other_surname": _other_surname(p),
        "date_of_birth": dob.astype("datetime64[ns]"), "sex": p["sex"].to_numpy(np.int64),
        "nhs_number": nhs, "postcode": postcode, "previous_postcode": previous,
        **lines, "created_date": created.astype("datetime64[ns]"),
        "is_adult": age >= 18, "age_years": age, "ethnicity": p["ethnicity"].to_numpy(object),
        "relative_nhs_number": rel_nhs, "relative_date_of_birth": rel_dob,
    })


def _mothers(p: pd.DataFrame, person: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The NHS number and date of birth of each child's mother (None / NaT for adults and the
    motherless): what a record of a child may carry by mistake."""
    mother = p["mother_id"].to_numpy(np.int64, na_value=-1)
    ids = person["person_id"].to_numpy(np.int64)
    pos = np.clip(np.searchsorted(ids, mother), 0, max(len(ids) - 1, 0))
    found = (mother >= 0) & (ids[pos] == mother) if len(ids) else np.zeros(len(p), bool)
    nhs: np.ndarray = np.where(found, person["nhs_number"].to_numpy(object)[pos], None)  # type: ignore[call-overload,assignment]
    dob: np.ndarray = np.where(found, person["date_of_birth"].to_numpy("datetime64[ns]")[pos],
                               np.datetime64("NaT", "ns"))
    return nhs, dob


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
                           "kind": pd.Series([], dtype=object), "true_value": pd.Series([], dtype=object),
                           "recorded_value": pd.Series([], dtype=object)})
    if agency.identifier_errors is not None and len(ap):
        # The surname an agency may record instead: the other one the person is known by (a
        # married mother's birth surname, a child's other parent's), else any surname.
        other = true["other_surname"].to_numpy(object)
        inputs = true.assign(alt_surname=np.where(pd.notna(other), other, names.surnames(len(true), rng)))
        rec, err = corrupt(inputs, agency.identifier_errors, rng)
        for f in ("forename", "surname", "date_of_birth", "sex", "nhs_number", "postcode"):
            recorded[f] = rec[f].to_numpy()
        recorded["sex"] = pd.array(rec["sex"], dtype="Int64")
        for f in ("address_1", "address_2", "address_3"):
            if f in rec:
                recorded[f] = rec[f].to_numpy()
        rows = err["row"].to_numpy()
        errors = pd.DataFrame({"agency_person_id": ap["agency_person_id"].to_numpy(np.int64)[rows],
                               "field": err["field"].to_numpy(object), "kind": err["kind"].to_numpy(object),
                               "true_value": _values(true, err), "recorded_value": _values(recorded, err)})
    return recorded, true, errors


def _values(frame: pd.DataFrame, err: pd.DataFrame) -> np.ndarray:
    """The value of each error's field in its row, as text (dates YYYY-MM-DD; None when missing)."""
    out = np.full(len(err), None, dtype=object)
    rows, fields = err["row"].to_numpy(), err["field"].to_numpy(object)
    for f in pd.unique(fields):
        at = fields == f
        v = frame[f].iloc[rows[at]]
        text = pd.to_datetime(v).dt.strftime("%Y-%m-%d") if f == "date_of_birth" else v.astype("string")
        out[at] = text.astype("string").to_numpy(object, na_value=None)
    return out
