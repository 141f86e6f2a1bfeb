"""Realism observers for applications, orders and court events (synth/world/applications.py, orders.py).

Each reads, from the truth, exactly the candidates the world drew for (so the achieved share is an
unbiased sample of the profile's value).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile.mechanisms import observer
from synth.validate.observers.truth import Observations, Truth


def _orders(t: Truth) -> pd.DataFrame:
    if "court_order" not in t.shared:
        t.shared["court_order"] = t.run.truth("court_order")
    return t.shared["court_order"]


def _first_hearing_final(t: Truth) -> pd.Series:
    """Whether each proceeding's earliest hearing is its final hearing (indexed by proceeding_id)."""
    h = t.hearing.sort_values(["proceeding_id", "hearing_date", "sequence"], kind="stable")
    return h.groupby("proceeding_id")["is_final"].first().astype(bool)


@observer("emergency_protection_order")
def emergency_protection_order(t: Truth, name: str) -> Observations:
    """Public law cases with interim care orders: whether they began with an EPO."""
    o = _orders(t)
    ico = o.loc[o["order_type"] == "interim_care_order", "proceeding_id"].unique()
    epo = set(o.loc[o["order_type"] == "emergency_protection_order", "proceeding_id"])
    return {(): np.fromiter((p in epo for p in ico), dtype=bool, count=len(ico))}


@observer("interim_supervision_order")
def interim_supervision_order(t: Truth, name: str) -> Observations:
    """Public law children not looked after (no C1 spell) for the case, whose first hearing is not final."""
    o = _orders(t)
    ep = t.run.truth("care_episode")
    c1 = ep.loc[ep["legal_status"] == "C1", ["proceeding_id", "person_id"]].drop_duplicates()
    law = t.proc.set_index("proceeding_id")["law_type"]
    pc = t.pc[t.pc["proceeding_id"].map(law).to_numpy(object) == "public"]
    pc = pc.merge(c1.assign(_c1=True), on=["proceeding_id", "person_id"], how="left")
    first_final = _first_hearing_final(t)
    ok = pc["_c1"].isna().to_numpy() & (pc["proceeding_id"].map(first_final) == False).to_numpy()  # noqa: E712
    iso = set(o.loc[o["order_type"] == "interim_supervision_order", "pc_id"])
    return {(): pc.loc[ok, "pc_id"].isin(iso).to_numpy()}


@observer("interim_child_arrangements_order")
def interim_child_arrangements_order(t: Truth, name: str) -> Observations:
    """Private law cases whose first hearing is not final: whether they had interim C43 orders."""
    o = _orders(t)
    priv = t.proc[t.proc["law_type"] == "private"]
    first_final = _first_hearing_final(t)
    ok = (priv["proceeding_id"].map(first_final) == False).to_numpy()  # noqa: E712
    icao = o.loc[o["is_interim"].astype(bool) & (o["order_type"] == "child_arrangements_order"), "proceeding_id"]
    return {(): priv.loc[ok, "proceeding_id"].isin(set(icao)).to_numpy()}


@observer("sgo_application")
def sgo_application(t: Truth, name: str) -> Observations:
    """Public law cases with an SGO outcome: whether a relative applied for it (a G50 on the case)."""
    app = t.run.truth("application")
    done = t.pc[t.pc["has_outcome"].astype(bool) & (t.pc["outcome"] == "special_guardianship_order")]
    law = t.proc.set_index("proceeding_id")["law_type"]
    cases = pd.unique(done.loc[done["proceeding_id"].map(law) == "public", "proceeding_id"])
    g50 = app.loc[(app["sequence"] > 0) & (app["primary_order"] == "special_guardianship_order"), "proceeding_id"]
    return {(): pd.Series(cases).isin(set(g50)).to_numpy()}


@observer("private_cross_application")
def private_cross_application(t: Truth, name: str) -> Observations:
    """Private law cases: whether they have a subsequent (G50) application."""
    app = t.run.truth("application")
    priv = t.proc.loc[t.proc["law_type"] == "private", "proceeding_id"]
    g50 = app.loc[app["sequence"] > 0, "proceeding_id"]
    return {(): priv.isin(set(g50)).to_numpy()}


@observer("court_event_error")
def court_event_error(t: Truth, name: str) -> Observations:
    """Valid court events: whether an erroneous copy (same application / order and model) exists."""
    ev = t.run.truth("court_event")
    key = (ev["application_id"].astype("int64").astype(str) + "|" + ev["order_id"].astype("Int64").astype(str)
           + "|" + ev["event_model"].astype(str))
    bad = set(key[ev["error"] == "Y"])
    return {(): key[ev["error"] == "N"].isin(bad).to_numpy()}
