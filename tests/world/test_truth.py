"""The truth obeys the rules of the world: time runs forward, ids are unique, families hang together."""

import numpy as np
import pandas as pd

from synth.world import ids
from synth.world.schema import TRUTH_TABLES

DAY = np.timedelta64(1, "D")


def _d(s):
    return pd.to_datetime(s)


def test_every_truth_table_has_its_declared_columns_and_unique_ids(quality_run):
    for name, fields in TRUTH_TABLES.items():
        t = quality_run.truth(name)
        assert list(t.columns) == list(fields), name
        first = next(iter(fields))
        assert t[first].is_unique, name


def test_references_between_truth_tables_resolve(quality_run):
    r = quality_run
    person = set(r.truth("person")["person_id"])
    proc = set(r.truth("proceeding")["proceeding_id"])
    for name, col, target in [("proceeding_child", "person_id", person), ("proceeding_child", "proceeding_id", proc),
                              ("proceeding_party", "person_id", person), ("hearing", "proceeding_id", proc),
                              ("proceeding_relationship", "child_id", person),
                              ("proceeding_relationship", "parent_id", person)]:
        assert set(r.truth(name)[col]) <= target, f"{name}.{col}"
    fam = set(r.truth("family")["family_id"])
    assert set(r.truth("proceeding")["family_id"]) <= fam
    assert set(r.truth("family")["mother_id"]) <= person


def test_children_are_born_before_issue_unless_unborn(quality_run):
    c = quality_run.truth("proceeding_child").merge(
        quality_run.truth("person")[["person_id", "date_of_birth"]], on="person_id").merge(
        quality_run.truth("proceeding")[["proceeding_id", "issue_date"]], on="proceeding_id")
    born_before = _d(c["date_of_birth"]) <= _d(c["issue_date"])
    assert (born_before | c["unborn_at_issue"]).all()
    assert (~born_before == c["unborn_at_issue"]).all()
    age = (_d(c["issue_date"]) - _d(c["date_of_birth"])).dt.days
    assert (age == c["age_at_issue_days"]).all()
    assert (age < 18 * 365.25).all()


def test_issue_before_receipt_and_disposal(quality_run):
    p = quality_run.truth("proceeding")
    assert (_d(p["receipt_date"]) >= _d(p["issue_date"])).all()
    done = p["disposal_date"].notna()
    assert (_d(p.loc[done, "disposal_date"]) > _d(p.loc[done, "issue_date"])).all()
    end = pd.Timestamp(quality_run.profile.period.end)
    assert (_d(p["issue_date"]) <= end).all() and (_d(p.loc[done, "disposal_date"]) <= end).all()


def test_hearings_fall_inside_their_proceedings_and_the_final_one_is_at_disposal(quality_run):
    h = quality_run.truth("hearing").merge(quality_run.truth("proceeding"), on="proceeding_id")
    end = pd.Timestamp(quality_run.profile.period.end)
    last = _d(h["disposal_date"]).fillna(end)
    assert (_d(h["hearing_date"]) >= _d(h["issue_date"])).all()
    assert (_d(h["hearing_date"]) <= last).all()
    fin = h[h["is_final"]]
    assert (_d(fin["hearing_date"]) == _d(fin["disposal_date"])).all()
    # A disposed proceeding has exactly one final hearing; an open one has none.
    finals = h.groupby("proceeding_id")["is_final"].sum()
    p = quality_run.truth("proceeding").set_index("proceeding_id")
    assert (finals.reindex(p.index, fill_value=0) == p["disposal_date"].notna().astype(int)).all()


def test_fathers_are_at_least_15_at_every_birth(quality_run):
    person = quality_run.truth("person")
    kids = person[person["family_role"] == "child"]
    dad = person.set_index("person_id")["date_of_birth"]
    age = (_d(kids["date_of_birth"]).to_numpy() - _d(dad.reindex(kids["father_id"].astype("int64"))).to_numpy())
    assert (age / np.timedelta64(1, "D") / 365.25).min() >= 15


def test_mothers_are_at_least_13_at_every_birth(quality_run):
    person = quality_run.truth("person")
    kids = person[person["family_role"] == "child"]
    mum = person.set_index("person_id")["date_of_birth"]
    age = (_d(kids["date_of_birth"]).to_numpy() - _d(mum.reindex(kids["mother_id"].astype("int64"))).to_numpy())
    years = age / np.timedelta64(1, "D") / 365.25
    assert years.min() >= 13
    assert years.max() < 50


def test_a_familys_proceedings_follow_one_another(quality_run):
    p = quality_run.truth("proceeding").sort_values(["family_id", "sequence"])
    seq_ok = p.groupby("family_id")["sequence"].apply(lambda s: list(s) == list(range(1, len(s) + 1)))
    assert seq_ok.all()
    nxt = p.groupby("family_id")["issue_date"].shift(-1)
    has_next = nxt.notna()
    # The next proceeding starts after this one was disposed.
    assert (_d(nxt[has_next]) > _d(p.loc[has_next, "disposal_date"])).all()


def test_relationships_pair_children_only_with_their_own_parents(quality_run):
    rel = quality_run.truth("proceeding_relationship")
    person = quality_run.truth("person").set_index("person_id")
    own = np.where(rel["parent_role"] == "mother",
                   person.loc[rel["child_id"], "mother_id"].to_numpy(),
                   person.loc[rel["child_id"], "father_id"].to_numpy())
    assert (own == rel["parent_id"].to_numpy()).all()


def test_half_siblings_exist_and_children_share_the_mothers_family(quality_run):
    person = quality_run.truth("person")
    kids = person[person["family_role"] == "child"]
    fathers_per_mother = kids.groupby("mother_id")["father_id"].nunique()
    assert (fathers_per_mother > 1).mean() > 0.05
    assert (kids["family_id"] * 64 == kids["mother_id"]).all()


def test_people_carry_safe_identifiers_only(quality_run):
    person = quality_run.truth("person")
    nhs = person["nhs_number"].astype("int64").to_numpy()
    assert ids.is_valid_nhs(nhs).all() and (nhs // 10_000_000 == 999).all()
    assert person["nhs_number"].is_unique
    upn = person["upn"].dropna().to_numpy(str)
    assert ids.upn_is_valid(upn).all() and all(u[1:4] == "999" for u in upn)
    assert person["postcode"].str.match(r"^ZZ\d{1,2} \d[A-Z]{2}$").all()
    pseudo = person["postcode"].str.startswith("ZZ99 ")
    assert set(person.loc[pseudo, "postcode"]) <= {"ZZ99 3VZ", "ZZ99 3CZ", "ZZ99 3GZ"}
    assert 0 < pseudo.mean() < 0.1 and (person.loc[pseudo, "family_role"] != "child").all()
    assert person["lsoa_code"].str.match(r"^(E|W)01\d{6}$").all()
    wales = person["country"] == "Wales"
    assert person.loc[wales, "lsoa_code"].str.startswith("W01").all()
    assert person.loc[~wales, "lsoa_code"].str.startswith("E01").all()
