"""The split-file "File 1": the source system's own person ids, apart from the anonymised ones.

A SAIL data provider splits each extract in two (schemas.md 1.1): File 1 (the identifiable
demographics, keyed by the source system's record id ``SYSTEM_ID``) goes to the trusted third party,
and the content tables reach SAIL with that id encrypted (``SYSTEM_ID_E``, ``PERS_ID_E``, ...). The
two never share a value, and only the provider and the trusted third party can join them.

Here every agency person record has two ids:

- ``agency_person_id``: the id the agency's tables carry (for a SAIL dataset, the encrypted ``_E``
  id of its anonymised tables);
- ``system_id``: the id in the agency's File 1. For a SAIL dataset (``sail_dataset: true``) it is a
  keyed bijection of the record with its own key, so it never equals an anonymised id and neither
  can be computed from the other without the generator's keys; for any other agency (its tables are
  not anonymised) it is ``agency_person_id`` itself.

The pair lives only in ``truth/links`` (``agency``, ``agency_person_id``, ``system_id``,
``person_id``), which is how linkage tools that read File 1s are scored.
"""

from __future__ import annotations

import numpy as np

from synth.keys import keyed_id
from synth.profile.models import Agency
from synth.rng import stream_key


def source_ids(agency: Agency, agency_person_ids: np.ndarray) -> np.ndarray:
    """The File 1 ``SYSTEM_ID`` of each agency person record.

    Args:
        agency: the agency (its ``id_salt`` keys the mapping; ``sail_dataset`` decides whether the
            File 1 id differs from the id in its tables).
        agency_person_ids: the records' ids as the agency's tables carry them (positive, below 2**48).

    Returns:
        int64 ids, one per record: distinct for distinct records, and for a SAIL dataset disjoint in
        practice from the anonymised ids (two keyed 48-bit bijections; a clash has probability about
        n**2 / 2**48).
    """
    ids = np.asarray(agency_person_ids, dtype=np.int64)
    if not agency.sail_dataset:
        return ids.copy()
    return keyed_id(ids, stream_key(f"{agency.id_salt}:file1-system-id"))
