"""Id spaces: two runs with different seeds share no agency-facing id (issue 15, point 4).

Agency ids are keyed bijections of truth ids with a key that includes the seed
(synth.keys.run_key), so two seeds share an id only by chance: about n**2 / 2**48 for n ids of an
entity, under 1e-5 at this size. FamilyMan case numbers have five serial digits per court, year and
case type; each run uses blocks of serials chosen by its seed (synth.world.court.first_block), so
one-shard runs of seeds whose first blocks differ (seeds 1 and 2 here) share none.
"""

from __future__ import annotations

import pandas as pd
import pytest

import synth
from synth.profile.loader import load_profile
from synth.world.court import first_block

FAMILIES = 1500


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return [synth.generate("training_small", families=FAMILIES, seed=s, out=tmp_path_factory.mktemp(f"ids{s}") / "run")
            for s in (1, 2)]


def _id_columns() -> list[tuple[str, str]]:
    """(agency/table, column) of every id column the profile declares, plus FamilyMan case numbers."""
    prof = load_profile("training_small").profile
    out = []
    for akey, agency in prof.agencies.items():
        for table in agency.tables.values():
            for col in table.columns:
                if col.id is not None or col.name == "case_number":
                    out.append((f"{akey}/{table.name}", col.name))
    return out


#: Agency-facing ids a profile does not mark with ``id:``: SAIL encrypted ids (``_E``/``_PE``: ALF,
#: RALF, PRAC), FamilyMan role, party, event and representative numbers. Each is keyed by the run
#: seed (synth.keys.run_key) like the ``id:`` columns: the SAIL project encryption in
#: synth.views.transforms and synth.views.spine_gp, the FamilyMan numbers in synth.views.familyman
#: and synth.views.familyman_events.
NUMBER_FIELDS = ("role_number", "party_number", "event_number", "representative_role")


def _other_id_columns() -> list[tuple[str, str]]:
    """(agency/table, column) of the agency-facing ids without ``id:`` (see NUMBER_FIELDS)."""
    prof = load_profile("training_small").profile
    return [(f"{akey}/{table.name}", col.name) for akey, agency in prof.agencies.items()
            for table in agency.tables.values() for col in table.columns
            if col.id is None and (col.name.upper().endswith(("_E", "_PE")) or (col.field or "") in NUMBER_FIELDS)]


@pytest.mark.parametrize("table, column", _other_id_columns())
def test_two_seeds_share_no_encrypted_or_familyman_number(runs, table, column):
    a, b = runs
    va = set(pd.Series(a.table(table)[column]).dropna().astype(str))
    vb = set(pd.Series(b.table(table)[column]).dropna().astype(str))
    assert va and vb, (table, column)
    shared = va & vb
    assert not shared, f"{table}.{column}: {len(shared)} of {len(va)} values shared by seeds 1 and 2"


def test_the_two_seeds_use_different_case_serial_blocks():
    assert first_block(1) != first_block(2)


def test_two_seeds_share_no_agency_facing_id(runs):
    a, b = runs
    names = set(a.tables())
    checked = 0
    for table, column in _id_columns():
        if table not in names:
            continue
        va = pd.Series(a.table(table)[column]).dropna().astype(str)
        vb = pd.Series(b.table(table)[column]).dropna().astype(str)
        assert len(va) and len(vb), (table, column)
        shared = set(va) & set(vb)
        assert not shared, f"{table}.{column}: {len(shared)} ids shared by seeds 1 and 2, e.g. {sorted(shared)[:3]}"
        checked += 1
    assert checked >= 30


def test_one_seed_gives_the_same_ids(runs, tmp_path):
    again = synth.generate("training_small", families=FAMILIES, seed=1, out=tmp_path / "again")
    for table in ("familyman/cases", "cafcass_england/adult_party"):
        pd.testing.assert_frame_equal(runs[0].table(table), again.table(table))
