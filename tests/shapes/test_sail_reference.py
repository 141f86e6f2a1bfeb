"""Shape tests: SAIL DB2 queries joining person tables to the SAILREFRV reference tables by LSOA.

Written here in our own words, with the joins public SAIL code makes (schemas.md 1.2, 1.4): a
person table's ``lsoa2011_cd`` LEFT JOINed to ``SAILREFRV.WIMD2019_INDEX_AND_DOMAIN_RANKS_BY_SMALL_AREA``
for ``overall_quintile`` and ``la_desc``, and to an LSOA lookup for the health board (``hb_cd``,
``lhb19nm``), with the ``alf_sts_cd IN (1, 4, 39)`` filter on good matches. Every count is compared
with the truth: the person's own local authority and the health board stats.md 5b puts it in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import Run
from tests.shapes.helpers import agency_run, ask
from tests.views.test_sail_reference import BOARD_OF

REF = Path(__file__).parents[2] / "synth" / "profiles" / "reference"

#: Each Cafcass Cymru person record with its area's deprivation, authority and health board.
AREA = """
SELECT alf.system_id_pe, alf.lsoa2011_cd, wimd.la_desc, wimd.overall_quintile, lkp.hb_cd, lkp.lhb19nm
FROM SAIL1234V.CAFW_CAFCASS_ALF_20230622 AS alf
LEFT JOIN SAILREFRV.WIMD2019_INDEX_AND_DOMAIN_RANKS_BY_SMALL_AREA AS wimd
  ON alf.lsoa2011_cd = wimd.lsoa2011_cd
LEFT JOIN SAILREFRV.LSOA_REFR AS lkp
  ON lkp.lsoa_cd = alf.lsoa2011_cd
WHERE alf.lsoa2011_cd IS NOT NULL
WITH UR
"""

#: Well-matched people by health board and WIMD quintile (the usual descriptive table).
BY_BOARD_QUINTILE = """
SELECT lkp.lhb19nm AS health_board, wimd.overall_quintile AS wimd2019_quintile, COUNT(*) AS n
FROM SAIL1234V.CAFW_CAFCASS_ALF_20230622 AS alf
INNER JOIN SAILREFRV.WIMD2019_INDEX_AND_DOMAIN_RANKS_BY_SMALL_AREA AS wimd ON alf.lsoa2011_cd = wimd.lsoa2011_cd
INNER JOIN SAILREFRV.LSOA_REFR AS lkp ON lkp.lsoa_cd = wimd.lsoa2011_cd
WHERE alf.alf_sts_cd IN (1, 4, 39)
GROUP BY lkp.lhb19nm, wimd.overall_quintile
ORDER BY 1, 2
WITH UR
"""

#: The reference table's own quintile sizes.
QUINTILES = """
SELECT overall_quintile, COUNT(*) AS n
FROM SAILREFRV.WIMD2019_INDEX_AND_DOMAIN_RANKS_BY_SMALL_AREA
GROUP BY overall_quintile
ORDER BY overall_quintile
FETCH FIRST 10 ROWS ONLY
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    return agency_run(tmp_path_factory, "wales_sail", ["cafcass_cymru", "sail_reference"], 2000, seed=5)


def _truth_areas(run: Run) -> pd.DataFrame:
    """Each Cafcass Cymru person record with its true local authority name and health board."""
    links = run.truth("links").query("agency == 'cafcass_cymru'")
    person = run.truth("person").set_index("person_id")
    las = pd.read_csv(REF / "local_authorities.csv").set_index("la_code")["la_name"]
    la = links["person_id"].map(person["la_code"]).map(las)
    return pd.DataFrame({"system_id_pe": links["agency_person_id"].to_numpy(), "la_name": la.to_numpy(),
                         "board": la.map(BOARD_OF).to_numpy()})


def test_cafw_people_join_the_reference_to_their_true_authority_and_board(run):
    got = ask(run, "db2", AREA)
    assert len(got) > 500 and got["la_desc"].notna().all() and got["hb_cd"].notna().all()
    m = got.merge(_truth_areas(run), on="system_id_pe", validate="one_to_one")
    assert len(m) == len(got)
    assert (m["la_desc"] == m["la_name"]).all()
    assert (m["lhb19nm"] == m["board"]).all()
    assert set(m["overall_quintile"].astype(int)) == {1, 2, 3, 4, 5}


def test_people_by_health_board_and_quintile_equal_the_truth(run):
    got = ask(run, "db2", BY_BOARD_QUINTILE)
    alf = run.table("cafcass_cymru", run.profile.agencies["cafcass_cymru"].tables["alf"].name)
    good = alf[alf["ALF_STS_CD"].astype(int).isin([1, 4, 39]) & alf["LSOA2011_CD"].notna()]
    truth = good.merge(_truth_areas(run), left_on="SYSTEM_ID_PE", right_on="system_id_pe")
    ranks = pd.read_csv(REF / "sail_lsoa2011_wales.csv").set_index("lsoa_code")
    truth["q"] = truth["LSOA2011_CD"].map(ranks["wimd2019_quintile"])
    expected = truth.groupby(["board", "q"]).size()
    observed = got.set_index(["health_board", "wimd2019_quintile"])["n"]
    observed.index = observed.index.set_levels(observed.index.levels[1].astype(int), level=1)
    assert observed.sort_index().astype(int).to_dict() == expected.sort_index().to_dict()
    assert got["health_board"].nunique() == 7 and got["n"].sum() > 400


def test_reference_quintiles_hold_a_fifth_of_the_lsoas_each(run):
    got = ask(run, "db2", QUINTILES)
    assert got["overall_quintile"].astype(int).tolist() == [1, 2, 3, 4, 5]
    assert got["n"].sum() == 1909 and (abs(got["n"] - 1909 / 5) <= 1).all()
