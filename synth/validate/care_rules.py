"""Integrity rules of care episodes (SSDA903 rules, domain/schemas.md 3.3), on the truth and on 903 views.

Truth (``truth/care_episode``): episodes of a care period are contiguous and chained with X1, none
is zero-length, REC is set exactly when an episode has ended, legal status only moves forward
(V2 -> C1 -> C2/E1), adoptions (E11/E12) end a placement for adoption under a placement order,
dates lie within the child's life, before 18 and the period end, codes come from the DfE lists.

903 tables (any agency table made from ``cla_episode_year``): within a child's year, episodes are
contiguous when chained with X1, a new period starts with RNE S, DEC is blank only on the last
episode of the year.

That the care follows the orders (an SGO ends care with E45-E48, a care order means C2 from the
disposal) compares two truth tables made by the mechanism; it is reported in the ``realism`` group
because it checks the world model's behaviour, not a table's form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile.models import Table
from synth.validate.core import CheckResult, RunData, mask_result
from synth.validate.registry import AgencyTable, check, registered
from synth.validate.scan import per_part

RNE = ("S", "L", "P", "T", "B", "U")
LS = ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3")
CIN = tuple(f"N{i}" for i in range(1, 9))
PLACE = ("A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1",
         "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1")
PROVIDER = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
REC = ("X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7",
       "E9", "E14", "E15", "E16", "E17", "E8")
REASON_PLACE_CHANGE = ("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE",
                       "CUSTOD", "OTHER")
SGO_REC = ("E45", "E46", "E47", "E48")
HOME_REC = {"supervision_order": "E4A", "no_order": "E4A", "withdrawn": "E4A", "refused": "E4A",
            "child_arrangements_order": "E41"}
LS_RANK = {"V2": 0, "C1": 1, "C2": 2, "E1": 2}
#: Row sources whose agency tables get the 903 episode rules.
EPISODE_SOURCE = "cla_episode_year"


def _d(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce", cache=False)


@check("integrity", "care_rules", truth=("care_episode", "person"))
def care_truth_rules(run: RunData) -> list[CheckResult]:
    """The care rules on truth/care_episode (shard by shard: a child's episodes are all in one shard)."""
    end = pd.Timestamp(run.profile.period.end)
    return per_part(run, [("truth", "care_episode", None), ("truth", "person", ["person_id", "date_of_birth"])],
                    lambda eps, person: truth_rules(eps, person, end))


@check("realism", "care_follows_orders", truth=("care_episode", "proceeding_child"))
def care_follows_orders(run: RunData) -> CheckResult:
    """The care follows the orders made (SGO and going-home RECs, C2 from a care order)."""
    return per_part(run, [("truth", "care_episode", None), ("truth", "proceeding_child", None)],
                    lambda eps, pc: [follows_orders(eps, pc)])[0]


@check("integrity", "903_rules", each="agency_table", applies=lambda spec: spec.rows == EPISODE_SOURCE)
def episode_tables(run: RunData, t: AgencyTable) -> list[CheckResult]:
    """The 903 episode rules on each agency table made from cla_episode_year."""
    return per_part(run, [(t.agency, t.spec.name, None)], lambda df: episode_table_rules(df, t.spec, t.label))


def check_care(run: RunData) -> list[CheckResult]:
    """The care rules over the truth and every 903 episodes table of the run (never raises)."""
    from synth.validate.runner import run_check

    checks = (care_truth_rules, care_follows_orders, episode_tables)
    return [r for c in registered() if c.fn in checks for r in run_check(c, run)]


def truth_rules(eps: pd.DataFrame, person: pd.DataFrame, end: pd.Timestamp) -> list[CheckResult]:
    """Rules on the care_episode truth table."""
    t = "truth/care_episode"
    key = ["episode_id"]
    e = eps.sort_values(["person_id", "period", "start_date", "episode_id"], kind="stable").reset_index(drop=True)
    start, stop = _d(e["start_date"]), _d(e["end_date"])
    same = (e[["person_id", "period"]].shift(-1) == e[["person_id", "period"]]).all(axis=1).to_numpy()
    first = ~(e[["person_id", "period"]].shift(1) == e[["person_id", "period"]]).all(axis=1).to_numpy()
    nxt_start = start.shift(-1)
    rec = e["reason_ceased"]
    out = [
        mask_result("care_episodes_contiguous", t, "start_date", same & (nxt_start != stop).to_numpy(), e, key,
             "within a period of care each episode starts the day the previous one ends"),
        mask_result("care_x1_chain", t, "reason_ceased", same != (rec == "X1").to_numpy(), e, key,
             "REC is X1 exactly when the period continues with another episode"),
        mask_result("care_no_zero_length", t, "end_date", (stop.notna() & (stop <= start)).to_numpy(), e, key,
             "no episode starts and ends on the same day (or ends before it starts)"),
        mask_result("care_rec_iff_ended", t, "reason_ceased", (stop.notna() != rec.notna()).to_numpy(), e, key,
             "REC is recorded exactly when the episode has ended"),
        mask_result("care_period_starts_with_s", t, "rne", first != (e["rne"] == "S").to_numpy(), e, key,
             "a period of care starts with RNE S and only then"),
    ]
    bad_codes = np.zeros(len(e), dtype=bool)
    for col, codes, blank_ok in (("rne", RNE, False), ("legal_status", LS, False), ("cin", CIN, False),
                                 ("placement", PLACE, False), ("provider", PROVIDER, True),
                                 ("reason_ceased", REC, True), ("reason_place_change", REASON_PLACE_CHANGE, True)):
        v = e[col]
        bad_codes |= (~v.isin(codes) & ~(blank_ok & v.isna())).to_numpy()
    out.append(mask_result("care_codes", t, None, bad_codes, e, key, "RNE, LS, CIN, PLACE, PLACE_PROVIDER, REC and "
                    "REASON_PLACE_CHANGE are in the DfE code lists (schemas.md 3.2)"))
    rank = e["legal_status"].map(LS_RANK)
    before = rank.groupby([e["person_id"], e["period"]]).cummax().shift(1)
    back = (rank < before).to_numpy() & ~first & rank.notna().to_numpy()
    out.append(mask_result("care_legal_status_order", t, "legal_status", back, e, key,
                    "legal status moves forward within a period: V2, then C1, then C2/E1"))
    adopted = e["reason_ceased"].isin(["E11", "E12"])
    placed = (e["legal_status"] == "E1") & e["placement"].isin(["A3", "A4", "A5", "A6"])
    out.append(mask_result("care_adoption_after_placement_order", t, "reason_ceased", (adopted & ~placed).to_numpy(),
                    e, key, "E11/E12 end an adoption placement (A3-A6) under a placement order (E1)"))
    dob = _d(e["person_id"].map(person.set_index("person_id")["date_of_birth"]))
    month = dob.dt.to_period("M")
    adult = (month + 216).dt.to_timestamp() + (dob - month.dt.to_timestamp())  # 29 February -> 1 March
    bad_life = (start < dob) | (stop > adult) | (start > end) | (stop > end) | dob.isna()
    out.append(mask_result("care_dates_in_life", t, "start_date", bad_life.to_numpy(), e, key,
                    "episodes lie between birth and the 18th birthday and not after the period end"))
    return out


def follows_orders(eps: pd.DataFrame, pc: pd.DataFrame) -> CheckResult:
    """SGO and going-home REC codes only at a matching disposal; a care order means C2 from it."""
    e = eps.assign(start=_d(eps["start_date"]), stop=_d(eps["end_date"]))
    orders = pc.loc[pc["outcome"].notna(), ["person_id", "outcome", "outcome_date"]]
    orders = orders.assign(day=_d(orders["outcome_date"]))
    ended = e[e["reason_ceased"].isin([*SGO_REC, "E41"])]
    m = ended.merge(orders, left_on=["person_id", "stop"], right_on=["person_id", "day"], how="left")
    want = np.where(m["reason_ceased"].isin(SGO_REC), "special_guardianship_order", "child_arrangements_order")
    ok = (m["outcome"] == want).groupby(m["episode_id"]).any()
    bad_ids = set(ok.index[~ok.to_numpy()])
    co = orders[orders["outcome"] == "care_order"]
    cover = co.merge(e[["episode_id", "person_id", "start", "stop", "legal_status"]], on="person_id")
    cover = cover[(cover["start"] <= cover["day"]) & (cover["stop"].isna() | (cover["stop"] > cover["day"]))]
    bad_ids |= set(cover.loc[cover["legal_status"] != "C2", "episode_id"])
    bad = eps["episode_id"].isin(bad_ids).to_numpy()
    return mask_result("care_follows_orders", "truth/care_episode", "reason_ceased", bad, eps, ["episode_id"],
                "E45-E48 end care on the day of an SGO and E41 on a child arrangements order; a child looked "
                "after when a care order is made is on C2 from that day", group="realism")


def _col(spec: Table, field: str, default: str) -> str:
    for c in spec.columns:
        if c.field == field or (field == "#person" and c.id == "person"):
            return c.name
    return default


def episode_table_rules(df: pd.DataFrame, spec: Table, label: str) -> list[CheckResult]:
    """The 903 episode rules on one agency table made from cla_episode_year."""
    child, year = _col(spec, "#person", "CHILD"), _col(spec, "year", "YEAR")
    decom, dec = _col(spec, "episode_id.start_date", "DECOM"), _col(spec, "end_date", "DEC")
    rne, rec = _col(spec, "episode_id.rne", "RNE"), _col(spec, "reason_ceased", "REC")
    key = [k for k in spec.key if k in df.columns] or [child]
    e = df.assign(_start=_d(df[decom]), _end=_d(df[dec])).sort_values([year, child, "_start"], kind="stable")
    grp = e[[year, child]]
    same = (grp.shift(-1) == grp).all(axis=1).to_numpy()
    nxt_start, nxt_rne = e["_start"].shift(-1), e[rne].shift(-1)
    x1 = (e[rec] == "X1").to_numpy()
    gap = same & x1 & (nxt_start != e["_end"]).to_numpy()
    unchained = same & e[rec].notna().to_numpy() & ~x1 & (nxt_rne != "S").to_numpy()
    open_mid = same & e["_end"].isna().to_numpy()
    e = e.reset_index(drop=True)
    return [
        mask_result("903_episodes_contiguous", label, decom, gap, e, key,
             "an episode ending with X1 is followed the same day by the next episode"),
        mask_result("903_x1_chain", label, rec, unchained, e, key,
             "after an episode that ends a period (REC not X1) the child's next episode starts a period (RNE S)"),
        mask_result("903_dec_blank_only_last", label, dec, open_mid, e, key,
             "DEC is blank only on the child's last episode of the year"),
        mask_result("903_rec_iff_dec", label, rec, (e["_end"].notna() != e[rec].notna()).to_numpy(), e, key,
             "REC is recorded exactly when DEC is"),
    ]
