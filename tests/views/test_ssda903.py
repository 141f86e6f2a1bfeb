"""The SSDA903 view: DfE tables, columns and codes per collection year; the episode rules; LA returns."""

import pandas as pd
import pytest
from click.testing import CliRunner

from synth.cli.main import cli

#: schemas.md 3.1 (2024 DfE column names and order), plus the partition columns.
COLUMNS = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"],
    "reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "ad1": ["CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"],
    "placed_for_adoption": ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
    "previous_permanence": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
}
#: schemas.md 3.2 and 6.5 code lists.
CODES = {
    "SEX": {1, 2}, "RNE": set("SLPTBU"),
    "LS": {"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"},
    "CIN": {f"N{i}" for i in range(1, 9)},
    "PLACE": {"A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1",
              "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1"},
    "PLACE_PROVIDER": {f"PR{i}" for i in range(6)},
    "REC": {"X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7",
            "E9", "E14", "E15", "E16", "E17", "E8"},
    "REASON_PLACE_CHANGE": {"CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE",
                            "CUSTOD", "OTHER"},
    "REVIEW_CODE": {f"PN{i}" for i in range(8)}, "MISSING": {"M", "A"}, "PREV_PERM": {"P1", "P2", "P3", "P4", "Z1"},
    "REASON_PLACED_CEASED": {"RD1", "RD2", "RD3", "RD4"}, "SEX_ADOPTR": {"M1", "F1", "MM", "FF", "MF"},
    "LS_ADOPTR": {"L0", "L11", "L12", "L2", "L3", "L4"}, "FOSTER_CARE": {0, 1}, "NB_ADOPTR": {1, 2},
    "ETHNIC": {"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
               "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"},
}
UPN = r"^((?![IOS])[A-Z]{1}(\d{12}|\d{11}[A-Z]{1})|UN[1-5])$"


@pytest.fixture(scope="module")
def run(shipped_runs):
    return shipped_runs["england_wales"]


def _t(run, name):
    return run.table("ssda903", name)


def _d(s):
    return pd.to_datetime(s, cache=False)


def _episodes(run) -> pd.DataFrame:
    e = _t(run, "episodes").assign(start=lambda x: _d(x["DECOM"]), end=lambda x: _d(x["DEC"]))
    return e.sort_values(["YEAR", "CHILD", "start"]).reset_index(drop=True)


def test_tables_have_the_dfe_columns_in_order_and_only_dfe_codes(run):
    for name, cols in COLUMNS.items():
        df = _t(run, name)
        assert len(df) > 0, name
        assert list(df.columns) == cols + ["LA", "YEAR"], name
        for col in df.columns:
            if col in CODES:
                assert set(df[col].dropna()) <= CODES[col], (name, col, set(df[col].dropna()) - CODES[col])
        assert df["LA"].str.match(r"^E0[689]\d{6}$|^E10\d{6}$").all()
        assert df["YEAR"].between(2011, 2024).all()
    assert _t(run, "header")["UPN"].str.match(UPN).all()


def test_episodes_are_contiguous_chained_and_open_only_at_the_year_end(run):
    e = _episodes(run)
    same = ((e["YEAR"] == e["YEAR"].shift(-1)) & (e["CHILD"] == e["CHILD"].shift(-1))).to_numpy()
    x1 = (e["REC"] == "X1").to_numpy()
    assert (e["start"].shift(-1)[same & x1] == e["end"][same & x1]).all()  # contiguous within a period
    assert (e["RNE"].shift(-1)[same & ~x1] == "S").all()  # a new period after REC other than X1
    assert e.loc[same, "DEC"].notna().all()  # only the last episode of the year may be open
    assert (e["DEC"].isna() == e["REC"].isna()).all()
    assert (e["end"].isna() | (e["end"] > e["start"])).all()
    year_end = pd.to_datetime(e["YEAR"].astype(str) + "-03-31")
    assert (e["end"].isna() | (e["end"] <= year_end)).all() and (e["start"] <= year_end).all()
    # DEC is blank exactly for episodes still open at 31 March (by the truth).
    links = run.truth("links")
    links = links[links["agency"] == "ssda903"].assign(CHILD=lambda x: x["agency_person_id"].astype(str))
    truth = run.truth("care_episode")[["person_id", "start_date", "end_date"]]
    m = e.merge(links[["CHILD", "person_id"]], on="CHILD").merge(
        truth.assign(start=_d(truth["start_date"])), on=["person_id", "start"])
    assert len(m) == len(e)
    open_at_year_end = _d(m["end_date"]).isna() | (_d(m["end_date"]) > pd.to_datetime(m["YEAR"].astype(str) + "-03-31"))
    assert (m["DEC"].isna() == open_at_year_end).all()


def test_legal_status_moves_forward_and_adoptions_follow_placement_orders(run):
    e = _episodes(run)
    rank = e["LS"].map({"V2": 0, "C1": 1, "C2": 2, "E1": 2})
    period = (e["RNE"] == "S").groupby([e["YEAR"], e["CHILD"]]).cumsum()
    prev = rank.groupby([e["YEAR"], e["CHILD"], period]).shift()
    assert not (prev.notna() & (rank < prev)).any()
    adopted = e[e["REC"].isin(["E11", "E12"])]
    assert len(adopted) > 0
    assert (adopted["LS"] == "E1").all() and adopted["PLACE"].isin(["A3", "A4", "A5", "A6"]).all()
    ad1 = _t(run, "ad1")
    keys = set(zip(ad1["YEAR"], ad1["CHILD"]))
    assert set(zip(adopted["YEAR"], adopted["CHILD"])) == keys
    assert (_d(ad1["DATE_INT"]) <= _d(ad1["DATE_MATCH"])).all()


def test_leaving_care_follows_the_final_order(run):
    e = _episodes(run)
    links = run.truth("links")
    links = links[links["agency"] == "ssda903"].assign(CHILD=lambda x: x["agency_person_id"].astype(str))
    ended = e[e["REC"].notna() & (e["REC"] != "X1")].merge(links[["CHILD", "person_id"]], on="CHILD")
    pc = run.truth("proceeding_child")
    orders = pc.loc[pc["outcome"].notna(), ["person_id", "outcome", "outcome_date"]]
    orders = orders.assign(end=_d(orders["outcome_date"]))
    m = ended.merge(orders, on=["person_id", "end"], how="left")
    sgo = m[m["REC"].isin(["E45", "E46", "E47", "E48"])]
    assert len(sgo) > 0 and (sgo["outcome"] == "special_guardianship_order").all()
    cao = m[m["REC"] == "E41"]
    assert (cao["outcome"] == "child_arrangements_order").all()
    home = m[m["outcome"].isin(["supervision_order", "no_order", "withdrawn", "refused"])]
    assert len(home) > 0 and (home["REC"] == "E4A").all()


def test_every_child_of_a_table_is_in_that_years_header(run):
    header = _t(run, "header")
    assert not header.duplicated(["YEAR", "CHILD"]).any()
    keys = set(zip(header["YEAR"], header["CHILD"]))
    for name in COLUMNS:
        df = _t(run, name)
        assert set(zip(df["YEAR"], df["CHILD"])) <= keys, name
    e = _t(run, "episodes")
    assert set(zip(e["YEAR"], e["CHILD"])) == keys
    # UN1 is for children under 4 on 31 August before the year ends (DfE rule 209).
    aug31 = pd.to_datetime((header["YEAR"] - 1).astype(str) + "-08-31")
    age4 = _d(header["DOB"]) + pd.DateOffset(years=4)
    assert ((header["UPN"] == "UN1") == (age4 > aug31)).mean() > 0.999


def test_returns_command_writes_each_las_files_with_dfe_dates(run, tmp_path):
    out = tmp_path / "returns"
    res = CliRunner().invoke(cli, ["returns", str(run.path), "--out", str(out), "--year", "2020", "--year", "2021"])
    assert res.exit_code == 0, res.output
    header = _t(run, "header")
    want = header[header["YEAR"].isin([2020, 2021])].groupby(["YEAR", "LA"]).size()
    folders = sorted(p.relative_to(out) for p in out.glob("*/*"))
    assert [tuple(map(str, k)) for k in want.index] == [p.parts for p in folders]
    files = {"header.csv", "episodes.csv", "reviews.csv", "ad1.csv", "placed_for_adoption.csv",
             "previous_permanence.csv", "missing.csv"}
    for p in out.glob("*/*"):
        assert {f.name for f in p.iterdir()} == files
    (year, la), n = next(iter(want.items()))
    got = pd.read_csv(out / str(year) / la / "episodes.csv", dtype=str, keep_default_na=False)
    assert list(got.columns) == COLUMNS["episodes"]
    assert got["DECOM"].str.match(r"^\d{2}/\d{2}/\d{4}$").all()
    assert got["DEC"].str.match(r"^(\d{2}/\d{2}/\d{4})?$").all()
    src = _t(run, "episodes")
    src = src[(src["YEAR"] == year) & (src["LA"] == la)]
    assert len(got) == len(src)
    assert sorted(got["DECOM"]) == sorted(_d(src["DECOM"]).dt.strftime("%d/%m/%Y"))
    h = pd.read_csv(out / str(year) / la / "header.csv", dtype=str, keep_default_na=False)
    assert len(h) == n and (h["MOTHER"] == "").all()
    # Refuses to overwrite without --force; clear one-line errors, exit code 2.
    again = CliRunner().invoke(cli, ["returns", str(run.path), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    bad = CliRunner().invoke(cli, ["returns", str(run.path), "--out", str(tmp_path / "x"), "--year", "1999"])
    assert bad.exit_code == 2 and "1999" in bad.output
    assert CliRunner().invoke(cli, ["returns", str(run.path), "--out", str(out), "--force", "--la", la]).exit_code == 0
    assert {p.name for p in out.glob("*/*")} == {la}


def test_prev_perm_names_earlier_orders(run):
    pp = _t(run, "previous_permanence")
    assert set(pp["PREV_PERM"]) <= CODES["PREV_PERM"] and (pp["PREV_PERM"] == "Z1").mean() > 0.5
    assert (pp["DATE_PERM"].isna() == (pp["PREV_PERM"] == "Z1")).all()
    e = _t(run, "episodes")
    year_start = pd.to_datetime((e["YEAR"] - 1).astype(str) + "-04-01")
    starts = e[(e["RNE"] == "S") & (_d(e["DECOM"]) >= year_start)]
    assert set(zip(pp["YEAR"], pp["CHILD"])) == set(zip(starts["YEAR"], starts["CHILD"]))
    given = pp[pp["DATE_PERM"].notna()]
    assert (_d(given["DATE_PERM"]) < pd.to_datetime(given["YEAR"].astype(str) + "-03-31")).all()
