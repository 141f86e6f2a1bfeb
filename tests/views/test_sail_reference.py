"""SAIL reference tables (SAILREFRV): public lookup rows, the same in every run, written once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile, with_agencies
from synth.views.reference import reference_rows, sail_lsoa
from tests.conftest import Run

WIMD = "WIMD2019_INDEX_AND_DOMAIN_RANKS_BY_SMALL_AREA"
N = 1909

#: The 22 Welsh authorities of each health board (stats.md 5b), restated independently of the builder.
BOARD_OF = {
    **dict.fromkeys(["Isle of Anglesey", "Gwynedd", "Conwy", "Denbighshire", "Flintshire", "Wrexham"],
                    "Betsi Cadwaladr University Health Board"),
    "Powys": "Powys Teaching Health Board",
    **dict.fromkeys(["Ceredigion", "Pembrokeshire", "Carmarthenshire"], "Hywel Dda University Health Board"),
    **dict.fromkeys(["Swansea", "Neath Port Talbot"], "Swansea Bay University Health Board"),
    **dict.fromkeys(["Bridgend", "Rhondda Cynon Taf", "Merthyr Tydfil"], "Cwm Taf Morgannwg University Health Board"),
    **dict.fromkeys(["Vale of Glamorgan", "Cardiff"], "Cardiff and Vale University Health Board"),
    **dict.fromkeys(["Caerphilly", "Blaenau Gwent", "Torfaen", "Monmouthshire", "Newport"],
                    "Aneurin Bevan University Health Board"),
}


def _run(tmp_path_factory, seed: int, families: int) -> Run:
    loaded = with_agencies(load_profile("england_wales"), ["sail_reference"])
    path = tmp_path_factory.mktemp(f"sailref-{seed}") / "run"
    generate(loaded, path, families=families, seed=seed, duckdb=False)
    return Run(path, loaded)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Run, Run]:
    return _run(tmp_path_factory, 1, 300), _run(tmp_path_factory, 2, 900)


def test_wimd_ranks_are_a_permutation_with_welsh_government_bands(runs):
    w = runs[0].table("sail_reference", WIMD)
    assert len(w) == N and w["LSOA2011_CD"].is_unique and w["LSOA2011_CD"].str.fullmatch(r"W01\d{6}").all()
    assert sorted(w["OVERALL_RANK"]) == list(range(1, N + 1))
    quintiles = w["OVERALL_QUINTILE"].value_counts()
    assert sorted(quintiles.index) == [1, 2, 3, 4, 5] and (abs(quintiles - N / 5) <= 1).all()
    deciles = w["OVERALL_DECILE"].value_counts()
    assert sorted(deciles.index) == list(range(1, 11)) and (abs(deciles - N / 10) <= 1).all()
    # Bands follow the rank: quintile 1 is ranks 1-382, decile 10 ranks 1,720-1,909.
    by_q = w.groupby("OVERALL_QUINTILE")["OVERALL_RANK"].agg(["min", "max"])
    assert by_q.loc[1].tolist() == [1, 382] and by_q.loc[5].tolist() == [1529, N]
    assert (w["OVERALL_DECILE"] == (w["OVERALL_RANK"] - 1) * 10 // N + 1).all()
    # The most deprived LSOA of WIMD 2019 is in Denbighshire (Rhyl West 2).
    assert w.loc[w["OVERALL_RANK"] == 1, "LA_DESC"].tolist() == ["Denbighshire"]


def test_lsoa_lookup_has_the_published_local_authorities_and_health_boards(runs):
    ref = runs[0].table("sail_reference", "LSOA_REFR")
    geo = pd.read_csv(Path(__file__).parents[2] / "synth/profiles/reference/lsoa.csv")
    geo = geo[geo["lsoa_code"].str.startswith("W01")]
    m = ref.merge(geo, left_on="LSOA_CD", right_on="lsoa_code", validate="one_to_one")
    assert len(m) == len(ref) == N and (m["UA_CD"] == m["la_code"]).all()
    assert set(ref["UA_DESC"]) == set(BOARD_OF)
    assert (ref["LHB19NM"] == ref["UA_DESC"].map(BOARD_OF)).all()
    assert ref.groupby("HB_CD")["LHB19NM"].nunique().eq(1).all() and ref["HB_CD"].nunique() == 7
    # Cardiff has 214 LSOAs (SOURCES.md), all in Cardiff and Vale.
    assert (ref["UA_DESC"] == "Cardiff").sum() == 214


def test_reference_tables_are_identical_across_seeds_and_sizes(runs):
    for name in (WIMD, "LSOA_REFR"):
        a, b = (r.table("sail_reference", name) for r in runs)
        pd.testing.assert_frame_equal(a, b)


def test_only_the_first_shard_writes_the_reference_rows():
    assert len(reference_rows("sail_ref_lsoa", 0)) == N
    later = reference_rows("sail_ref_lsoa", 3)
    assert len(later) == 0 and list(later.columns) == list(sail_lsoa().columns)
