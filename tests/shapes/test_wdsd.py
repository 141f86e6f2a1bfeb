"""Shape tests: queries written for the SAIL Welsh Demographic Service (WDSD) tables, in DB2.

Each query is written here in our own words, with the joins, date logic and filters the public
SAIL SQL uses on WDSD (schemas.md 1.5; S-BHF): person -> address history on PERS_ID, "the address
on date D" as ``from_dt <= D AND to_dt >= D`` (no NULL handling, as the public code), the first
row per person by ``ROW_NUMBER() OVER (PARTITION BY alf ORDER BY from_dt, to_dt DESC)``, a CAFW
person's LSOA on a date through the ALF with the ``alf_sts_cd IN (1, 4, 39)`` filter, deaths by
``DOD``, and the GP registration on a date. The run is in the newer ``_PE`` id era (wales_sail);
names are the SAIL ones with another project number and date than the run's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.world.residence import address_at, household_of
from tests.conftest import Run
from tests.shapes.helpers import agency_run, ask

FAMILIES = 3000
DAYS = ("2012-06-30", "2016-03-31", "2020-12-07", "2024-03-31")

#: People resident on a date, one row per person (the household/area query's core).
ON_DATE = """
SELECT alf_pe, lsoa2011_cd, ralf_pe
FROM (
    SELECT prs.alf_pe, adr.lsoa2011_cd, adr.ralf_pe,
           ROW_NUMBER() OVER (PARTITION BY prs.alf_pe ORDER BY adr.from_dt, adr.to_dt DESC) AS ralf_seq
    FROM SAIL1234V.WDSD_AR_PERS_20230126 AS prs
    INNER JOIN SAIL1234V.WDSD_AR_PERS_ADD_20230126 AS adr
      ON adr.pers_id_pe = prs.pers_id_pe
     AND adr.from_dt <= DATE '{day}'
     AND adr.to_dt >= DATE '{day}'
) AS x
WHERE ralf_seq = 1
WITH UR
"""

#: A Cafcass Cymru person's LSOA on a date, through the ALF (good matches only).
CAFW_LSOA = """
SELECT DISTINCT alf.alf_pe, adr.lsoa2011_cd
FROM SAIL1234V.CAFW_CAFCASS_ALF_20230622 AS alf
INNER JOIN SAIL1234V.WDSD_AR_PERS_20230126 AS prs ON prs.alf_pe = alf.alf_pe
INNER JOIN SAIL1234V.WDSD_AR_PERS_ADD_20230126 AS adr
  ON adr.pers_id_pe = prs.pers_id_pe AND DATE '{day}' BETWEEN adr.from_dt AND adr.to_dt
WHERE alf.alf_sts_cd IN (1, 4, 39)
WITH UR
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    return agency_run(tmp_path_factory, "wales_sail", ["cafcass_cymru", "wds"], FAMILIES)


def _spine(run: Run) -> pd.DataFrame:
    """The truth people on the spine, with their ALF, birth and death dates."""
    links = run.truth("links")
    links = links[links["agency"] == "wds"]
    person = run.truth("person").set_index("person_id")
    out = person.loc[links["person_id"]].reset_index()
    out["alf"] = links["true_alf_pe"].to_numpy()
    for c in ("date_of_birth", "date_of_death"):
        out[c] = pd.to_datetime(out[c])
    return out


def _alive(spine: pd.DataFrame, day: str) -> pd.DataFrame:
    d = pd.Timestamp(day)
    return spine[(spine["date_of_birth"] <= d) & (spine["date_of_death"].isna() | (spine["date_of_death"] >= d))]


def _truth_lsoa(run: Run, people: pd.DataFrame, day: str) -> pd.Series:
    """Each person's household LSOA on ``day`` from the truth address history."""
    address = run.truth("address").sort_values("address_id").reset_index(drop=True)
    address["from_date"] = pd.to_datetime(address["from_date"])
    pos = address_at(address, people["family_id"].to_numpy(), household_of(people),
                     np.full(len(people), np.datetime64(day, "D")))
    return pd.Series(address["lsoa_code"].to_numpy(object)[pos], index=people["alf"].to_numpy())


@pytest.mark.parametrize("day", DAYS)
def test_address_on_a_date_finds_everyone_alive_and_resident(run, day):
    got = ask(run, "db2", ON_DATE.format(day=day))
    alive = _alive(_spine(run), day)
    assert got["alf_pe"].is_unique
    assert set(got["alf_pe"].astype("int64")) == set(alive["alf"])
    # And the LSOA on that date is the one the person's household lived in.
    want = _truth_lsoa(run, alive, day)
    assert (got.set_index(got["alf_pe"].astype("int64"))["lsoa2011_cd"].reindex(want.index) == want).all()


def test_no_two_address_periods_of_a_person_overlap(run):
    # Without the ROW_NUMBER guard the same query still gives one row per person.
    sql = ON_DATE.format(day="2018-01-01").replace("WHERE ralf_seq = 1", "")
    got = ask(run, "db2", sql)
    assert got["alf_pe"].is_unique


def test_a_cafcass_cymru_persons_lsoa_on_a_date_through_the_alf(run):
    day = "2016-03-31"
    got = ask(run, "db2", CAFW_LSOA.format(day=day))
    alf = run.table("cafcass_cymru", run.profile.agencies["cafcass_cymru"].tables["alf"].name)
    links = run.truth("links")
    cy = alf.merge(links[links["agency"] == "cafcass_cymru"], left_on="SYSTEM_ID_PE", right_on="agency_person_id")
    good = cy[cy["ALF_STS_CD"].astype(str).isin(["1", "4", "39"]) & cy["ALF_PE"].notna()]
    spine = _spine(run)
    alive = _alive(spine, day)
    # Matched ALFs of people alive on the day (a wrong match is another spine person's ALF).
    expected = set(good["ALF_PE"].astype("int64")) & set(alive["alf"])
    assert set(got["alf_pe"].astype("int64")) == expected and len(expected) > 100
    want = _truth_lsoa(run, alive[alive["alf"].isin(expected)], day)
    assert (got.set_index(got["alf_pe"].astype("int64"))["lsoa2011_cd"].reindex(want.index) == want).all()


def test_deaths_by_dod_agree_with_the_truth(run):
    spine = _spine(run)
    got = ask(run, "db2", "SELECT COUNT(*) AS n FROM SAIL1234V.WDSD_AR_PERS_20230126 WHERE dod IS NOT NULL WITH UR")
    assert got["n"].iloc[0] == spine["date_of_death"].notna().sum() > 0
    sql = ("SELECT YEAR(dod) AS y, COUNT(*) AS n FROM SAIL1234V.WDSD_AR_PERS_20230126 "
           "WHERE dod BETWEEN '2015-01-01' AND '2019-12-31' GROUP BY YEAR(dod) ORDER BY y WITH UR")
    by_year = ask(run, "db2", sql).set_index("y")["n"]
    dead = spine["date_of_death"].dropna()
    want = dead[(dead >= "2015-01-01") & (dead <= "2019-12-31")].dt.year.value_counts().sort_index()
    assert by_year.astype(int).to_dict() == want.to_dict()


@pytest.mark.parametrize("day", DAYS[1:3])
def test_gp_registration_on_a_date(run, day):
    sql = f"""
    SELECT prs.alf_pe, gp.prac_cd_pe
    FROM SAIL1234V.WDSD_AR_PERS_20230126 AS prs
    INNER JOIN SAIL1234V.WDSD_AR_PERS_GP_20230126 AS gp
      ON gp.pers_id_pe = prs.pers_id_pe AND gp.from_dt <= '{day}' AND gp.to_dt >= '{day}'
    WITH UR
    """
    got = ask(run, "db2", sql)
    assert got["alf_pe"].is_unique
    assert set(got["alf_pe"].astype("int64")) == set(_alive(_spine(run), day)["alf"])
