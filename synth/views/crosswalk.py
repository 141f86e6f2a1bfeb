"""``truth/case_crosswalk``: one proceeding seen through each agency's eyes (issue 16 point 4).

One row per person on a proceeding (``truth/proceeding_party``): the proceeding's Cafcass case id
(Cafcass England ``case_id`` or Cafcass Cymru ``incidentid_e``, whichever agency holds the case),
its FamilyMan ``case_number``, the LA's SSDA903 ``CHILD`` id of each subject child the LA looked
after, and the person's true ALF for proceedings in Wales (the ALF SAIL's linkage would give them).
Every value is taken from, or keyed exactly as, the agency tables of the same shard, so a trainer
can join the crosswalk to any agency table and follow one family across agencies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import keyed_id, run_key
from synth.profile.models import Profile
from synth.profile.sail import era_name
from synth.rng import stream_key
from synth.views.transforms import project_alf
from synth.world.schema import CROSSWALK_FIELDS

#: Agency whose person ids are the LA's child ids of the SSDA903 return (``CHILD``).
LA_CHILD_AGENCY = "ssda903"


def _case_key(salt: str, seed: int) -> int:
    # The key synth.views.project gives an agency's ``id: case`` columns (the run seed and the agency salt).
    return run_key(seed, stream_key(f"{salt}:case"))


def _present(tables: dict[str, pd.DataFrame], columns: list[tuple[str, str]]) -> np.ndarray:
    values = [tables[t][c].dropna().to_numpy() for t, c in columns if t in tables and c in tables[t]]
    return pd.unique(np.concatenate(values)) if values else np.array([])  # hashed: case numbers are text


def case_crosswalk(profile: Profile, truth: dict[str, pd.DataFrame],
                   agency_tables: dict[str, dict[str, pd.DataFrame]], links: pd.DataFrame,
                   seed: int) -> pd.DataFrame:
    """The crosswalk rows of one shard.

    Args:
        profile: the run's profile (which agencies hold case ids and case numbers).
        truth: the shard's truth tables.
        agency_tables: each agency's projected tables of the shard, keyed by agency then profile table key.
        links: the shard's ``truth/links`` rows (agency, agency_person_id, person_id, ...).
        seed: the run seed (it keys agency ids).

    Returns:
        One row per proceeding party with the columns of :data:`synth.world.schema.CROSSWALK_FIELDS`
        (``alf_e`` named ``alf_pe`` in the PE id era).
    """
    proc = truth["proceeding"]
    party = truth["proceeding_party"].sort_values(["proceeding_id", "party_id"], kind="stable")
    pid = proc["proceeding_id"].to_numpy(np.int64)
    case_agency = pd.Series([None] * len(proc), dtype=object)
    case_id = pd.Series(pd.array([None] * len(proc), dtype="Int64"))
    case_number = pd.Series([None] * len(proc), dtype=object)
    for akey, agency in profile.agencies.items():
        tables = agency_tables.get(akey, {})
        case_cols = [(k, c.name) for k, t in agency.tables.items() for c in t.columns
                     if c.id == "case" and c.field == "proceeding_id"]
        if case_cols:
            keyed = keyed_id(pid, _case_key(agency.id_salt, seed))
            held = pd.Series(keyed).isin(_present(tables, case_cols)).to_numpy() & case_agency.isna().to_numpy()
            case_agency[held] = akey
            case_id[held] = keyed[held]
        number_cols = [(k, c.name) for k, t in agency.tables.items() for c in t.columns
                       if t.rows == "proceeding" and c.field == "case_number"]
        if number_cols:
            numbers = proc["case_number"].to_numpy(object)
            held = pd.Series(numbers).isin(_present(tables, number_cols)).to_numpy() & case_number.isna().to_numpy()
            case_number[held] = numbers[held]
    at = np.searchsorted(pid, party["proceeding_id"].to_numpy(np.int64))
    out = pd.DataFrame({
        "proceeding_id": party["proceeding_id"].to_numpy(np.int64),
        "family_id": proc["family_id"].to_numpy(np.int64)[at],
        "person_id": party["person_id"].to_numpy(np.int64),
        "party_role": party["party_role"].to_numpy(object),
        "country": proc["country"].to_numpy(object)[at],
        "law_type": proc["law_type"].to_numpy(object)[at],
        "cafcass_agency": case_agency.to_numpy(object)[at],
        "cafcass_case_id": case_id.to_numpy(object)[at],
        "familyman_case_number": case_number.to_numpy(object)[at],
    })
    la = links[links["agency"] == LA_CHILD_AGENCY].drop_duplicates("person_id")
    la_ids = pd.Series(la["agency_person_id"].to_numpy(np.int64), index=la["person_id"].to_numpy(np.int64))
    child = out["party_role"].eq("subject").to_numpy()
    out["la_child_id"] = pd.Series(out["person_id"].map(la_ids), dtype="Int64").astype("string").where(child, None)
    wales = out["country"].eq("Wales").to_numpy()
    alf = pd.Series(pd.array(project_alf(out["person_id"].to_numpy(np.int64), seed), dtype="Int64"))
    out["alf_e"] = alf.where(pd.Series(wales), pd.NA)
    out["cafcass_case_id"] = pd.Series(pd.array(out["cafcass_case_id"], dtype="Int64"))
    ids = profile.linkage.ids if profile.linkage else "E"
    return out[list(CROSSWALK_FIELDS)].rename(columns={"alf_e": era_name("alf_e", ids)})
