"""Turn a simulated shard into the truth tables: proceedings, children, parties, hearings, people.

Entry point: :func:`simulate_shard`, which returns every truth table of one shard, identifiers
included. Shards are independent of each other, so they can be made in any order or process.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import FAMILIES_PER_SHARD, PERSON_STRIDE, PROC_STRIDE, SUB_STRIDE
from synth.rng import generator, stream_key
from synth.world import cafcass, calendar, care, court, deaths, ids, names, partners, residence
from synth.world import sampling as S
from synth.world.context import WorldContext
from synth.world.families import (
    CHILD_SLOT0,
    FATHER_SLOT0,
    MAX_FATHERS,
    RELATIVE_SLOT0,
    ShardWorld,
    simulate_families,
)

RELATIVE_ROLES = ("grandparent", "grandparent", "other_relative", "other_relative")
RELATIVE_SEX = (2, 1, 2, 1)
MAX_HEARINGS = 60
MIN_FATHER_AGE = 15
PUBLIC_FIRST, FINAL = "First Hearing", "Final Hearing"
#: NHS pseudo-postcodes (domain/schemas.md 6.3): no fixed abode; England / Wales not otherwise specified.
NO_FIXED_ABODE, ENGLAND_NOS, WALES_NOS = "ZZ99 3VZ", "ZZ99 3CZ", "ZZ99 3GZ"


def _dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="datetime64[D]")


def simulate_shard(ctx: WorldContext, shard: int, n_families: int) -> dict[str, pd.DataFrame]:
    """Simulate one shard and return its truth tables.

    Args:
        ctx: the run's world context.
        shard: shard number; it alone keys the random streams.
        n_families: families in this shard (at most FAMILIES_PER_SHARD).
    """
    rng = generator(ctx.seed, "world", shard)
    fam_ids = shard * FAMILIES_PER_SHARD + np.arange(n_families, dtype=np.int64)
    w = simulate_families(ctx, rng, fam_ids)
    tables = _tables(ctx, w, rng)
    _add_addresses(ctx, w, tables, generator(ctx.seed, "address", shard))
    assign_identifiers(tables, shard, ctx.seed)
    tables.update(care.care_tables(ctx, tables, generator(ctx.seed, "care", shard)))
    # Applications, orders and court events (interim care orders follow the care model's C1 spells).
    tables.update(court.court_tables(ctx, tables, generator(ctx.seed, "court", shard)))
    deaths.add_deaths(ctx, tables, generator(ctx.seed, "death", shard))
    return tables


def _add_addresses(ctx: WorldContext, w: ShardWorld, tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> None:
    """Address histories of the shard's households (``address``), in place."""
    person = tables["person"]
    kids = person[person["family_role"] == "child"]
    fams, first = np.unique(kids["family_id"].to_numpy(np.int64), return_index=True)
    pos = np.searchsorted(fams, w.family_id)
    postcode = kids["postcode"].to_numpy(object)[first][pos]
    address, tables["person"] = residence.addresses(ctx, w.la, w.family_id, postcode, w.lsoa, person, rng)
    tables["address"] = address


def _tables(ctx: WorldContext, w: ShardWorld, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    d = ctx.dists
    p, sub, ch = w.proceedings, w.subjects, w.children
    fam = p["family"]
    m = len(fam)
    fid = w.family_id
    proc_id = fid[fam] * PROC_STRIDE + p["seq"]
    open_ = p["planned_disposal"] > ctx.end
    disposal = np.where(open_, -1, p["planned_disposal"])
    la = w.la[fam]

    # Subjects: person ids and proceeding-child rows.
    child_pid = fid[ch["family"]] * PERSON_STRIDE + ch["slot"]
    sub_pid = child_pid[sub["child"]]
    sub_order = np.lexsort((sub_pid, sub["proc"]))
    sub = {k: v[sub_order] for k, v in sub.items()}
    sub_pid = sub_pid[sub_order]
    sub_idx = S.within_group_index(sub["proc"])
    n_children = np.bincount(sub["proc"], minlength=m)
    has_outcome = ~open_[sub["proc"]]
    outcome = np.where(has_outcome, sub["outcome"], None)  # type: ignore[call-overload]

    # Applicants (private law) and parties.
    private = p["law"] == "private"
    applicant = np.where(private, d["private_applicant"].sample(rng, m), "local_authority")
    father_rec = d["father_recorded"].sample(rng, m, p["law"]) | (applicant == "father")
    others = np.minimum(d["other_adult_parties"].sample(rng, m, p["law"]), 2)
    others = np.where(applicant == "grandparent", np.maximum(others, 1), others)
    parties = _parties(w, p, sub, sub_pid, proc_id, applicant, father_rec, others)

    # Hearings.
    hear = _hearings(ctx, rng, p, proc_id, open_)
    final_id = np.full(m, -1, dtype=np.int64)
    fin = hear["is_final"]
    final_id[hear["_proc"][fin]] = hear["hearing_id"][fin]

    proceeding = pd.DataFrame({
        "proceeding_id": proc_id, "family_id": fid[fam], "sequence": p["seq"] + 1,
        "law_type": p["law"].astype(object), "country": w.country[fam], "la_code": ctx.geo.la_code[la],
        "dfj_area": ctx.geo.dfj_area[la], "court_name": ctx.geo.dfj_area[la] + " Family Court",
        "fy": p["fy"], "issue_date": _dates(p["issue"]), "receipt_date": _dates(p["receipt"]),
        "disposal_date": np.where(open_, np.datetime64("NaT"), _dates(disposal)).astype("datetime64[ns]"),
        "applicant_type": applicant.astype(object),
        "application_type": d["application_type"].sample(rng, m, p["law"]),
        "n_children": n_children, "final_hearing_id": pd.array(np.where(final_id < 0, None, final_id), "Int64"),  # type: ignore[call-overload]
        "returning_mother": p["seq"] > 0, "pre_proceedings_start": _dates(p["pre_start"]),
        "urgent": p["urgent"],
    })
    pchild = pd.DataFrame({
        "pc_id": proc_id[sub["proc"]] * SUB_STRIDE + sub_idx, "proceeding_id": proc_id[sub["proc"]],
        "person_id": sub_pid, "child_index": sub_idx, "age_at_issue_days": sub["age"].astype(np.int64),
        "age_band": sub["band"], "unborn_at_issue": sub["age"] < 0, "outcome": outcome,
        "has_outcome": has_outcome,
        "outcome_date": np.where(has_outcome, _dates(disposal[sub["proc"]]),
                                 np.datetime64("NaT")).astype("datetime64[ns]"),
    })
    proceeding["court_code"], proceeding["case_number"] = court.case_numbers(proceeding, ctx.court_prefixes, ctx.seed)
    people = _people(ctx, w, rng, parties)
    # Cafcass's own involvement: to the first hearing in private law unless a report is ordered (cafcass.py).
    report = (p["law"] == "private") & d["welfare_report"].sample(rng, m)
    first = cafcass.first_hearing_day(hear["_proc"], hear["sequence"],
                                      hear["hearing_date"].astype("datetime64[D]").astype(np.int64), m)
    end = cafcass.involvement_end(p["law"], disposal, first, report)
    proceeding["welfare_report"] = report
    proceeding["cafcass_end_date"] = np.where(end < 0, np.datetime64("NaT"), _dates(end)).astype("datetime64[ns]")
    rel = _relationships(parties, pchild, people)
    family = pd.DataFrame({
        "family_id": fid, "country": w.country, "la_code": ctx.geo.la_code[w.la], "lsoa_code": w.lsoa,
        "dfj_area": ctx.geo.dfj_area[w.la], "mother_id": fid * PERSON_STRIDE, "teen_first_birth": w.teen_first_birth,
        "n_proceedings": np.bincount(fam, minlength=len(fid)),
    })
    hearing = pd.DataFrame({k: v for k, v in hear.items() if not k.startswith("_")})
    tables = {"family": family, "person": people, "proceeding": proceeding, "proceeding_child": pchild,
              "proceeding_party": parties, "proceeding_relationship": rel, "hearing": hearing,
              "partnership": _partnerships(w)}
    return {k: v if v[v.columns[0]].is_monotonic_increasing else
            v.sort_values(v.columns[0], kind="stable").reset_index(drop=True) for k, v in tables.items()}


def _partnerships(w: ShardWorld) -> pd.DataFrame:
    """One row per partnership that produced a child: the man, the woman and its start and end."""
    ps, fid = w.partnership, w.family_id
    father_pid = partners.father_ids(fid, ps, FATHER_SLOT0, PERSON_STRIDE, MAX_FATHERS)
    fam, slot = ps["family"], ps["slot"]
    return pd.DataFrame({
        "partnership_id": fid[fam] * MAX_FATHERS + slot, "family_id": fid[fam],
        "man_id": father_pid[fam, slot], "woman_id": fid[fam] * PERSON_STRIDE,
        "start_date": _dates(ps["start"]).astype("datetime64[ns]"),
        "end_date": np.where(ps["end"] < 0, np.datetime64("NaT"), _dates(ps["end"])).astype("datetime64[ns]"),
    })


def _parties(w: ShardWorld, p: dict[str, np.ndarray], sub: dict[str, np.ndarray], sub_pid: np.ndarray,
             proc_id: np.ndarray, applicant: np.ndarray, father_rec: np.ndarray, others: np.ndarray) -> pd.DataFrame:
    fid = w.family_id
    fam = p["family"]
    m = len(fam)
    ch = w.children
    rows_proc, rows_person, rows_role, rows_rel = [], [], [], []

    def add(proc_idx: np.ndarray, pid: np.ndarray, role: np.ndarray | str, rel: np.ndarray | str):
        rows_proc.append(proc_idx)
        rows_person.append(pid)
        rows_role.append(np.broadcast_to(np.asarray(role, dtype=object), proc_idx.shape))
        rows_rel.append(np.broadcast_to(np.asarray(rel, dtype=object), proc_idx.shape))

    all_p = np.arange(m)
    add(all_p, fid[fam] * PERSON_STRIDE, np.where(applicant == "mother", "applicant", "respondent"), "mother")
    # Fathers of subject children (distinct per proceeding), when recorded.
    f_slot = ch["father"][sub["child"]]
    key = np.unique(sub["proc"] * 16 + f_slot)
    fp, fs = key // 16, key % 16
    youngest_father = np.zeros(m, dtype=np.int64)
    order = np.lexsort((-(ch["dob"][sub["child"]]), sub["proc"]))
    firsts = order[np.flatnonzero(np.concatenate([[True], sub["proc"][order][1:] != sub["proc"][order][:-1]]))] \
        if len(order) else order
    youngest_father[sub["proc"][firsts]] = f_slot[firsts]
    keep = father_rec[fp]
    fp, fs = fp[keep], fs[keep]
    is_app = (applicant[fp] == "father") & (fs == youngest_father[fp])
    father_pid = partners.father_ids(fid, w.partnership, FATHER_SLOT0, PERSON_STRIDE, MAX_FATHERS)
    add(fp, father_pid[fam[fp], fs], np.where(is_app, "applicant", "respondent"), "father")
    # Other adults: relatives in slot order; the relative applicant is slot 0 (grandparent) or 2.
    rel_p = np.repeat(all_p, others)
    rel_j = S.within_group_index(rel_p)
    other_app = np.flatnonzero(applicant == "other_relative")
    rel_p = np.concatenate([rel_p, other_app])
    rel_j = np.concatenate([rel_j, np.full(len(other_app), 2)])
    is_app = (((applicant[rel_p] == "grandparent") & (rel_j == 0))
              | ((applicant[rel_p] == "other_relative") & (rel_j == 2)))
    add(rel_p, fid[fam[rel_p]] * PERSON_STRIDE + RELATIVE_SLOT0 + rel_j,
        np.where(is_app, "applicant", "respondent"), np.asarray(RELATIVE_ROLES, dtype=object)[rel_j])
    add(sub["proc"], sub_pid, "subject", "child")
    proc_idx = np.concatenate(rows_proc)
    out = pd.DataFrame({
        "proceeding_id": proc_id[proc_idx], "person_id": np.concatenate(rows_person),
        "party_role": np.concatenate(rows_role), "relationship": np.concatenate(rows_rel),
    })
    out = out.sort_values(["proceeding_id", "person_id"], kind="stable").reset_index(drop=True)
    out.insert(0, "party_id", out["proceeding_id"] * 64 + S.within_group_index(out["proceeding_id"].to_numpy()))
    return out


def _relationships(parties: pd.DataFrame, pchild: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Parent-child pairs on each proceeding: each subject child with its own parents who are parties."""
    parents = parties[parties["relationship"].isin(["mother", "father"])]
    pairs = pchild[["proceeding_id", "person_id"]].merge(
        parents[["proceeding_id", "person_id", "relationship"]], on="proceeding_id", suffixes=("", "_parent"))
    pairs = pairs.rename(columns={"person_id": "child_id", "person_id_parent": "parent_id",
                                  "relationship": "parent_role"})
    pos = np.searchsorted(people["person_id"].to_numpy(), pairs["child_id"].to_numpy())
    own = np.where(pairs["parent_role"].to_numpy() == "mother",
                   people["mother_id"].to_numpy(np.int64, na_value=-1)[pos],
                   people["father_id"].to_numpy(np.int64, na_value=-1)[pos])
    pairs = pairs[own == pairs["parent_id"].to_numpy()]
    pairs = pairs.sort_values(["proceeding_id", "child_id", "parent_id"], kind="stable").reset_index(drop=True)
    pairs.insert(0, "relationship_id",
                 pairs["proceeding_id"] * 256 + S.within_group_index(pairs["proceeding_id"].to_numpy()))
    return pairs


def _people(ctx: WorldContext, w: ShardWorld, rng: np.random.Generator, parties: pd.DataFrame) -> pd.DataFrame:
    d = ctx.dists
    fid = w.family_id
    n = len(fid)
    ch = w.children
    geo = ctx.geo
    # Mothers.
    mothers = dict(person_id=fid * PERSON_STRIDE, fam=np.arange(n), role="mother", sex=np.full(n, 2),
                   dob=w.mother_dob, mother=-1, father=-1, eth=w.ethnicity)
    # Fathers actually present in the family.
    # One person per man (his first partnership's slot), at least MIN_FATHER_AGE at his first child.
    ps = w.partnership
    father_pid = partners.father_ids(fid, ps, FATHER_SLOT0, PERSON_STRIDE, MAX_FATHERS)
    first_child = np.full((n, MAX_FATHERS), np.iinfo(np.int64).max)
    np.minimum.at(first_child, (ch["family"], ch["father"]), ch["dob"])
    man_first = np.full(len(ps["man"]), np.iinfo(np.int64).max)
    np.minimum.at(man_first, ps["man"], first_child[ps["family"], ps["slot"]])
    root = np.flatnonzero(ps["man"] == np.arange(len(ps["man"])))
    fam_f, fj = ps["family"][root], ps["slot"][root]
    f_dob = np.minimum(ps["born"][root], man_first[root] - int(np.ceil(MIN_FATHER_AGE * S.YEAR)))
    fathers = dict(person_id=fid[fam_f] * PERSON_STRIDE + FATHER_SLOT0 + fj, fam=fam_f, role="father",
                   sex=np.ones(len(fam_f), dtype=np.int64), dob=f_dob, mother=-1, father=-1,
                   eth=ps["ethnicity"][root])
    # Relatives who are parties to some proceeding (slots 9-12), in person-id order.
    pid = np.unique(parties["person_id"].to_numpy())
    slot = pid % PERSON_STRIDE
    rel = pid[(slot >= RELATIVE_SLOT0) & (slot < CHILD_SLOT0)]
    rf = np.searchsorted(fid, rel // PERSON_STRIDE)
    rj = rel % PERSON_STRIDE - RELATIVE_SLOT0
    r_off = np.where(rj < 2, 1, -1) * np.round(rng.uniform(18, 32, len(rf)) * S.YEAR).astype(np.int64)
    r_off = np.where(rj < 2, r_off, np.round(rng.uniform(-8, 8, len(rf)) * S.YEAR).astype(np.int64))
    relatives = dict(person_id=fid[rf] * PERSON_STRIDE + RELATIVE_SLOT0 + rj, fam=rf,
                     role=np.asarray(RELATIVE_ROLES, dtype=object)[rj],
                     sex=np.asarray(RELATIVE_SEX)[rj], dob=w.mother_dob[rf] - r_off, mother=-1, father=-1,
                     eth=w.ethnicity[rf])  # assumption: relative parties are the mother's kin
    children = dict(person_id=fid[ch["family"]] * PERSON_STRIDE + ch["slot"], fam=ch["family"], role="child",
                    sex=ch["sex"], dob=ch["dob"], mother=fid[ch["family"]] * PERSON_STRIDE,
                    father=father_pid[ch["family"], ch["father"]], eth=ch["ethnicity"])
    groups = [mothers, fathers, relatives, children]
    cols = {k: np.concatenate([np.broadcast_to(np.asarray(g[k]), np.shape(g["person_id"])) for g in groups])
            for k in mothers}
    order = np.argsort(cols["person_id"], kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    famr = cols["fam"]
    k = len(famr)
    # Names (synth/world/names.py): surnames by family role, forenames by birth year, sex and Wales.
    f_pos = np.searchsorted(cols["person_id"], cols["father"])
    takes_father = d["child_father_surname"].sample(rng, k)
    child = cols["role"] == "child"
    welsh = w.country == "Wales"
    surname, other_surname = names.person_surnames(cols["role"], famr, f_pos, takes_father, welsh, rng)
    dob = cols["dob"]
    birth_year = np.asarray(dob, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    year_turns_five = np.asarray(dob, dtype="datetime64[D]").astype("datetime64[Y]").astype(int) + 1970 + 5
    has_upn = child & ((dob + int(5 * S.YEAR)) <= ctx.end)
    la = w.la[famr]
    forename = names.distinct_among_siblings(names.forenames(cols["sex"], rng, birth_year, welsh[famr]), famr,
                                             child, np.asarray(cols["sex"]), birth_year, welsh[famr], rng)
    out = pd.DataFrame({
        "person_id": cols["person_id"], "family_id": fid[famr], "family_role": cols["role"].astype(object),
        "sex": cols["sex"].astype(np.int64), "date_of_birth": _dates(dob),
        "date_of_death": np.full(k, np.datetime64("NaT"), dtype="datetime64[ns]"),
        "ethnicity": cols["eth"], "forename": forename,
        "surname": surname, "other_surname": other_surname,
        "upn_year": year_turns_five, "has_upn": has_upn,
        "postcode": ids.pseudo_postcodes(w.la, rng)[famr], "lsoa_code": w.lsoa[famr], "la_code": geo.la_code[la],
        "country": w.country[famr],
        "mother_id": pd.array(np.where(cols["mother"] < 0, None, cols["mother"]), "Int64"),  # type: ignore[call-overload]
        "father_id": pd.array(np.where(cols["father"] < 0, None, cols["father"]), "Int64"),  # type: ignore[call-overload]
    })
    # Family members share the family's address; some adults have none recorded (NHS ZZ99 codes).
    postcode = out["postcode"].to_numpy(object).copy()
    address = d["address_recorded"].sample(rng, k)
    adult = ~child
    nfa = adult & (address == "no_fixed_abode")
    nos = adult & (address == "not_specified")
    postcode[nfa] = NO_FIXED_ABODE
    postcode[nos] = np.where(out["country"].to_numpy()[nos] == "Wales", WALES_NOS, ENGLAND_NOS)
    out["postcode"] = postcode
    return out


def _hearings(ctx: WorldContext, rng: np.random.Generator, p: dict[str, np.ndarray], proc_id: np.ndarray,
              open_: np.ndarray) -> dict[str, np.ndarray]:
    """Hearings on court working days (synth/world/calendar.py) with their types."""
    d = ctx.dists
    hr = calendar.hearings(ctx, rng, p, proc_id, open_, MAX_HEARINGS)
    hp, hj, is_final = hr["_proc"], hr["hj"], hr["is_final"]
    htype = d["hearing_type"].sample(rng, len(hp), p["law"][hp])
    htype = np.where(hj == 0, PUBLIC_FIRST, htype)
    htype = np.where(is_final, FINAL, htype)
    return {"hearing_id": proc_id[hp] * 64 + hj, "proceeding_id": proc_id[hp], "sequence": hj + 1,
            "hearing_date": _dates(hr["date"]), "hearing_type": htype.astype(object), "is_final": is_final,
            "_proc": hp}


#: Persons per shard reserved in the NHS test range (a shard holds about 3.9 per family, with a
#: spread of a few hundred over 10,000 families, so a slice never overflows in practice).
PERSONS_PER_SHARD_SLICE = int(FAMILIES_PER_SHARD * 4.5)


def assign_identifiers(tables: dict[str, pd.DataFrame], shard: int, seed: int) -> None:
    """Give each person a test-range NHS number (and children a UPN), in place.

    Shard ``s`` takes the slice ``[s * K, (s + 1) * K)`` of a keyed permutation of the ~909,000
    valid test numbers (K = PERSONS_PER_SHARD_SLICE), so numbers are distinct across shards
    until the range is used up (about 20 shards, 200,000 families); beyond that they repeat.

    Args:
        tables: one shard's truth tables (``person`` is modified in place).
        shard: the shard number.
        seed: run seed, keying the permutation.
    """
    person = tables["person"]
    seq = shard * PERSONS_PER_SHARD_SLICE + np.arange(len(person), dtype=np.int64)
    person["nhs_number"] = ids.nhs_numbers(seq, stream_key(f"nhs:{seed}")).astype(object)
    upn = np.full(len(person), None, dtype=object)
    has = person.pop("has_upn").to_numpy(bool)
    year = person.pop("upn_year").to_numpy()
    if has.any():
        upn[has] = ids.upns(seq[has], year[has])
    person["upn"] = upn
    cols = ["person_id", "family_id", "family_role", "sex", "date_of_birth", "date_of_death", "ethnicity",
            "forename", "surname", "nhs_number", "upn", "postcode", "lsoa_code", "la_code", "country",
            "mother_id", "father_id", "other_surname"]
    tables["person"] = person[cols]
