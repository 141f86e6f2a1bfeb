"""Candidate pairs: blocking rules, first-rule tags, features and truth labels, against brute force."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from synth.errors import InputError
from synth.linkage.io import open_run
from synth.linkage.pairs import make_pairs, parse_rule
from synth.linkage.records import connect

from . import build_run, true_pairs

CODES = {**dict.fromkeys("BFPV", "1"), **dict.fromkeys("CGJKQSXZ", "2"), **dict.fromkeys("DT", "3"), "L": "4",
         **dict.fromkeys("MN", "5"), "R": "6"}


def soundex(name: str) -> str:
    """Reference American Soundex, written the slow, obvious way."""
    name = re.sub("[^A-Z]", "", name.upper())
    out, last = name[0], CODES.get(name[0], "")
    for ch in name[1:]:
        code = CODES.get(ch, "")
        if ch in "HW":
            continue
        if code and code != last:
            out += code
        last = code
    return (out + "000")[:4]


@pytest.mark.parametrize("name, code", [("Robert", "R163"), ("Rupert", "R163"), ("Ashcraft", "A261"),
                                        ("Tymczak", "T522"), ("Pfister", "P236"), ("Honeyman", "H555"),
                                        ("Lee", "L000"), ("O'Brien", "O165"), ("Washington", "W252")])
def test_soundex_macro(name, code):
    assert soundex(name) == code
    assert connect().execute("SELECT soundex(?)", [name]).fetchone()[0] == code


DEFAULT = ("nhs", "dob", "postcode_surname", "soundex_yob")


def reference_pairs(built, within: bool, rules=DEFAULT) -> pd.DataFrame:
    """Every record pair that agrees on one of ``rules``, tagged with the first, by brute force."""
    recs = []
    for agency, f1 in built["file1"].items():
        dob = pd.to_datetime(f1["DATE_OF_BIRTH"], format="%d.%m.%Y", errors="coerce")
        recs.append(pd.DataFrame({
            "agency": agency, "id": f1["SYSTEM_ID"].astype("int64"), "nhs": f1["NHS_NUMBER"],
            "dob": dob, "yob": dob.dt.year, "pc": f1["POSTCODE"].str.replace(" ", ""),
            "initial": f1["SURNAME"].str[0], "sdx": f1["SURNAME"].map(soundex), "surname": f1["SURNAME"],
            "finitial": f1["FORENAME"].str.strip().str[0]}))
    recs = pd.concat(recs, ignore_index=True)
    m = recs.merge(recs, how="cross", suffixes=("_l", "_r"))
    m = m[(m["agency_l"] < m["agency_r"]) | (within & (m["agency_l"] == m["agency_r"]) & (m["id_l"] < m["id_r"]))]

    def eq(col):
        return (m[f"{col}_l"] == m[f"{col}_r"]) & m[f"{col}_l"].notna() & m[f"{col}_r"].notna()

    agree = {"nhs": eq("nhs"), "dob": eq("dob"), "postcode_surname": eq("pc") & eq("initial"),
             "soundex_yob": eq("sdx") & eq("finitial") & eq("yob")}
    m = m.assign(block_rule=None)
    for rule in reversed(rules):  # the first rule wins
        m.loc[agree[rule].to_numpy(), "block_rule"] = rule
    m = m[m["block_rule"].notna()]
    links = built["links"].rename(columns={"agency_person_id": "id"})
    for side in ("l", "r"):
        m = m.merge(links.rename(columns={"agency": f"agency_{side}", "id": f"id_{side}", "person_id": f"p_{side}"}),
                    on=[f"agency_{side}", f"id_{side}"])
    return m.assign(match=m["p_l"] == m["p_r"]).sort_values(["agency_l", "id_l", "agency_r", "id_r"],
                                                            ignore_index=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("pairs") / "run"
    return path, build_run(path, n_people=160, missing_nhs=15, errors=6, duplicates=0.15, seed=3)


@pytest.mark.parametrize("within, rules", [(False, None), (True, None), (False, DEFAULT[::-1])])
def test_pairs_match_brute_force_with_labels_tags_and_recall(tmp_path, built, within, rules):
    path, truth = built
    out = tmp_path / "pairs.parquet"
    summary = make_pairs(open_run(path), out, "parquet", within=within, rules=rules)
    got = pd.read_parquet(out)
    want = reference_pairs(truth, within, rules or DEFAULT)
    key = ["agency_l", "id_l", "agency_r", "id_r"]
    assert got[key].equals(want[key].astype(got[key].dtypes.to_dict()))
    assert got["block_rule"].tolist() == want["block_rule"].tolist()
    assert got["match"].tolist() == want["match"].tolist()
    nhs_exact = got["nhs_exact"].astype("boolean")
    assert nhs_exact.isna().tolist() == (want["nhs_l"].isna() | want["nhs_r"].isna()).tolist()
    assert nhs_exact.fillna(False).tolist() == (want["nhs_l"] == want["nhs_r"]).fillna(False).tolist()
    assert (got["surname_jw"] == 1).tolist() == (want["surname_l"] == want["surname_r"]).tolist()
    # Every rule's pairs are tagged with it; the brute-force reference says which rules contribute.
    assert set(got["block_rule"]) == set(want["block_rule"]) and len(set(want["block_rule"])) >= 2
    assert (got["agency_l"] == got["agency_r"]).any() == within
    # Summary: per-rule counts, and blocking recall against every true pair among the records.
    total = len(true_pairs(truth["links"], within=within))
    assert summary["pairs"] == len(got)
    assert summary["true_pairs_found"] == int(got["match"].sum())
    assert summary["true_pairs_total"] == total
    assert summary["blocking_recall"] == pytest.approx(got["match"].sum() / total)
    assert summary["match_share"] == pytest.approx(got["match"].mean())
    by_rule = got["block_rule"].value_counts()
    assert {r["rule"]: r["pairs"] for r in summary["rules"] if r["pairs"]} == by_rule.to_dict()
    for r in summary["rules"]:
        assert r["pairs_alone"] >= r["pairs"]


def test_features_of_known_errors(tmp_path, built):
    path, truth = built
    out = tmp_path / "p.csv"
    make_pairs(open_run(path), out, "csv", rules=["nhs", "surname_soundex+forename_initial"])
    got = pd.read_csv(out)
    true = got[got["match"]]
    assert set(got["block_rule"]) <= {"nhs", "surname_soundex+forename_initial"}
    # Swapped day/month: same person, dob differs, flagged as swapped.
    swapped = true[true["dob_day_month_swapped"] == True]  # noqa: E712 - nullable column
    assert len(swapped) > 0 and not swapped["dob_exact"].astype(bool).any()
    assert (swapped["dob_year_diff"] == 0).all()
    # The surname typos: same person, surname similar but not equal.
    typo = true[(true["surname_jw"] < 1)]
    assert len(typo) > 0 and (typo["surname_jw"] > 0.8).all()
    # Moved postcodes: some true pairs disagree on postcode.
    assert (true["postcode_exact"] == False).any()  # noqa: E712
    assert true["sex_match"].astype(bool).all()


def test_max_pairs_guard_and_unknown_rule(tmp_path, built):
    path, _ = built
    with pytest.raises(InputError, match="more than --max-pairs 10; use stricter rules"):
        make_pairs(open_run(path), tmp_path / "x.parquet", "parquet", max_pairs=10)
    assert not (tmp_path / "x.parquet").exists()
    with pytest.raises(InputError, match="unknown field nope"):
        parse_rule("surname+nope")
    assert parse_rule("postcode_surname") == ["postcode", "surname_initial"]


def test_file1_records_missing_from_the_truth_are_counted_and_never_match(tmp_path):
    path = tmp_path / "run"
    built = build_run(path, n_people=40, coverage=1.0, duplicates=0.0)
    f1 = built["file1"]["agency_b"]
    stray = f1.iloc[:1].assign(SYSTEM_ID="42")  # a copy of a real record under an id the truth lacks
    pd.concat([f1, stray]).to_parquet(path / "agency_b" / "FILE1.parquet", index=False)
    summary = make_pairs(open_run(path), tmp_path / "p.parquet", "parquet", rules=["nhs"])
    got = pd.read_parquet(tmp_path / "p.parquet")
    assert summary["records_without_truth"] == 1 and summary["true_pairs_total"] == 40
    assert not got.loc[got["id_r"] == 42, "match"].any() and len(got) == 41
    pd.concat([f1, stray.assign(SYSTEM_ID="B-7")]).to_parquet(path / "agency_b" / "FILE1.parquet", index=False)
    with pytest.raises(InputError, match="SYSTEM_ID 'B-7' is not a whole number"):
        make_pairs(open_run(path), tmp_path / "p.parquet", "parquet")
