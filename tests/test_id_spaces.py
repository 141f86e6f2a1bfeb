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
#: RALF, PRAC), FamilyMan role, party, event and representative numbers.
NUMBER_FIELDS = ("role_number", "party_number", "event_number", "representative_role")
#: Id columns still the same for every seed (their keys are module constants, not run_key(seed, ...)):
#: the SAIL project encryption (synth.views.transforms ALF_KEY/RALF_KEY, synth.views.spine_gp
#: PRACTICE_KEY), FamilyMan role and representative numbers (synth.views.familyman ROLE_KEY, REP_KEY),
#: the local authority's party number (LA_PARTY_KEY; the persons' party numbers are keyed by the seed)
#: and event numbers (synth.views.familyman_events EVENT_KEY). Keying them needs the seed in the row
#: sources; until then each is a strict xfail here, so the fix shows as an unexpected pass.
SEED_INDEPENDENT = {
    ("cafcass_cymru/CAFW_CAFCASS_ALF_20240630", "ALF_E"), ("wds/WDSD_AR_PERS_20240630", "ALF_E"),
    ("wds/WDSD_AR_PERS_ADD_20240630", "RALF_E"), ("wds/WDSD_AR_PERS_GP_20240630", "PRAC_CD_E"),
    ("familyman/roles", "role"), ("familyman/roles", "role_id"), ("familyman/roles", "representative_role"),
    ("familyman/roles", "party"), ("familyman/roles", "party_id"), ("familyman/parties", "party"),
    ("familyman/events", "event"), ("familyman/event_fields", "event"),
}


def _other_id_columns() -> list[tuple[str, str]]:
    """(agency/table, column) of the agency-facing ids without ``id:`` (see NUMBER_FIELDS)."""
    prof = load_profile("training_small").profile
    return [(f"{akey}/{table.name}", col.name) for akey, agency in prof.agencies.items()
            for table in agency.tables.values() for col in table.columns
            if col.id is None and (col.name.upper().endswith(("_E", "_PE")) or (col.field or "") in NUMBER_FIELDS)]


@pytest.mark.parametrize("table, column", [
    pytest.param(t, c, marks=pytest.mark.xfail(strict=True, reason="keyed by a constant, not the seed"))
    if (t, c) in SEED_INDEPENDENT else (t, c) for t, c in _other_id_columns()])
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
