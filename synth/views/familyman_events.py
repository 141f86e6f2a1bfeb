"""Row sources of FamilyMan's ``events`` and ``event_fields`` (schemas.md 5.1), as MoJ code reads them.

Events are the truth's court events (synth/world/court.py). Their numbers start with the
three-digit number of the court (synth/world/courts.py), which FCSQ reads as
``SUBSTR(CAST(event AS varchar), 1, 3)``; the rest is a keyed permutation of the truth's event id.
``entry_date`` is the day the event was keyed: the event's date or up to :data:`MAX_ENTRY_LAG`
days later (modelled).

Event fields, following FCSQ ``01_ca_apps.ipynb`` and ``03_ca_disps.ipynb``:

* an application (``U22`` / ``G50``): ``U22_AT`` / ``G50_AT`` with the comma-separated codes of the
  orders sought (:data:`ORDER_CODES`); a subsequent application about some children only
  (placement, special guardianship) also lists them in ``G50_CH`` (comma-separated role numbers);
* an order: ``<model>_CH``, the role number of the child it is about; a C43 order names the s.8
  order in ``C43_5``; no order / refused name the order not made (the application's primary order)
  in ``ORDNOM_5`` / ``ORDREF_5``; a withdrawal (``G63``) names the event number of the application
  withdrawn in ``G63_1``, so its order types come from that application's ``_AT`` field.

Order-type codes: CRO, SO and EPO are among the public law codes in MoJ code (schemas.md 5.1);
every other code is modelled (the lookup is not public).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import permute_index, run_key
from synth.rng import stream_key
from synth.views.familyman import role_number
from synth.world.courts import court_of

#: Order type -> FamilyMan order-type code (CRO, SO, EPO from MoJ code; the rest modelled).
ORDER_CODES = {
    "care_order": "CRO", "supervision_order": "SO", "emergency_protection_order": "EPO",
    "interim_care_order": "ICO", "interim_supervision_order": "ISO", "placement_order": "PLO",
    "special_guardianship_order": "SGO", "child_arrangements_order": "CHA", "prohibited_steps_order": "PSO",
    "specific_issue_order": "SIO", "enforcement_order": "ENF",
}
#: Code of an order type a profile adds that FamilyMan's list above does not name (modelled).
OTHER_ORDER_CODE = "OTH"
#: Code of an interim child arrangements order on a C43 (modelled).
INTERIM_CAO = "ICHA"
EVENT_SPAN = 10**11
EVENT_KEY = stream_key("familyman:event-number")
MAX_ENTRY_LAG = 3
APPLICATION_MODELS = ("U22", "G50")


def event_number(event_id: np.ndarray, court_no: np.ndarray, seed: int) -> np.ndarray:
    """FamilyMan event number: the court number, then a permutation of the truth event id keyed by ``seed``."""
    return (np.asarray(court_no, dtype=np.int64) * EVENT_SPAN
            + permute_index(event_id, EVENT_SPAN, run_key(seed, EVENT_KEY)))


def _court_numbers(covered: dict[str, pd.DataFrame], proc_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    proc = covered["proceeding"].set_index("proceeding_id")
    area = pd.Series(proc_ids).map(proc["dfj_area"]).to_numpy(object)
    courts = {a: court_of(a) for a in set(area)}
    return (pd.Series(area).map({a: c[1] for a, c in courts.items()}).to_numpy(np.int64),
            pd.Series(area).map({a: c[0] for a, c in courts.items()}).to_numpy(object))


def familyman_event(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                    rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Every covered court event with its FamilyMan number, keying date and creating court."""
    ev = covered["court_event"]
    no, prefix = _court_numbers(covered, ev["proceeding_id"].to_numpy(np.int64))
    lag = rng.integers(0, MAX_ENTRY_LAG + 1, len(ev))
    date = ev["event_date"].to_numpy("datetime64[D]")
    return pd.DataFrame({
        "event_id": ev["event_id"].to_numpy(np.int64), "proceeding_id": ev["proceeding_id"].to_numpy(np.int64),
        "event_number": event_number(ev["event_id"].to_numpy(np.int64), no, seed),
        "event_model": ev["event_model"].to_numpy(object),
        "receipt_date": ev["event_date"].to_numpy(),
        "entry_date": (date + lag.astype("timedelta64[D]")).astype("datetime64[ns]"),
        "creating_court": prefix, "error": ev["error"].to_numpy(object),
    })


def _join_codes(keys: np.ndarray, values: np.ndarray) -> pd.Series:
    """Comma-joined values per key (keys sorted in first-appearance order)."""
    s = pd.Series(values, dtype=object).groupby(pd.Series(keys), sort=False).agg(",".join)
    return s


def familyman_event_field(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                          rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """The event fields MoJ code reads: orders sought, children, order names, withdrawn application."""
    ev = covered["court_event"]
    app, sought, orders = covered["application"], covered["application_order"], covered["court_order"]
    no, _ = _court_numbers(covered, ev["proceeding_id"].to_numpy(np.int64))
    ev = ev.assign(_number=event_number(ev["event_id"].to_numpy(np.int64), no, seed))
    model = ev["event_model"].to_numpy(object)
    is_app = np.isin(model, APPLICATION_MODELS)
    parts = []

    def add(rows: pd.DataFrame, field_model: np.ndarray | str, value: np.ndarray, k: int) -> None:
        parts.append(pd.DataFrame({
            "event_field_key": rows["event_id"].to_numpy(np.int64) * 8 + k,
            "proceeding_id": rows["proceeding_id"].to_numpy(np.int64),
            "event_number": rows["_number"].to_numpy(np.int64),
            "field_model": np.broadcast_to(np.asarray(field_model, dtype=object), (len(rows),)),
            "value": np.asarray(value, dtype=object),
        }))

    # Applications: orders sought (codes in application_order order), and the children of some G50s.
    s = sought.sort_values("application_order_id", kind="stable")
    sought_codes = s["order_sought"].map(ORDER_CODES).fillna(OTHER_ORDER_CODE).to_numpy(object)
    codes = _join_codes(s["application_id"].to_numpy(np.int64), sought_codes)
    apps = ev[is_app]
    add(apps, apps["event_model"].to_numpy(object) + "_AT", apps["application_id"].map(codes).to_numpy(object), 0)
    # Children of a placement / SGO application: those whose order disposes of it.
    party = covered["proceeding_party"]
    child_role = pd.Series(party["party_id"].to_numpy(np.int64),
                           index=pd.MultiIndex.from_arrays([party["proceeding_id"], party["person_id"]]))
    child_role = child_role[~child_role.index.duplicated()]
    o_role = role_number(child_role.reindex(pd.MultiIndex.from_arrays(
        [orders["proceeding_id"], orders["person_id"]])).to_numpy(np.int64), seed)
    some = app["primary_order"].isin(["placement_order", "special_guardianship_order"])
    later = app.loc[(app["sequence"] > 0) & some, "application_id"]
    mine = orders["application_id"].isin(later).to_numpy() & orders["is_final"].to_numpy(bool)
    own, own_roles = orders[mine], o_role[mine]
    kids = _join_codes(own["application_id"].to_numpy(np.int64), own_roles.astype(str))
    g50 = apps[apps["application_id"].isin(kids.index).to_numpy()]
    add(g50, "G50_CH", g50["application_id"].map(kids).to_numpy(object), 1)
    # Orders: the child, and the order's name where the model does not say it.
    od = ev[~is_app]
    pos = pd.Series(np.arange(len(orders)), index=orders["order_id"].to_numpy(np.int64))
    at = pos.reindex(od["order_id"].to_numpy(np.int64)).to_numpy(np.int64)
    add(od, od["event_model"].to_numpy(object) + "_CH", o_role[at].astype(str), 2)
    otype = orders["order_type"].to_numpy(object)[at]
    interim = orders["is_interim"].to_numpy(bool)[at]
    m = od["event_model"].to_numpy(object)
    c43 = m == "C43"
    named = pd.Series(otype[c43]).map(ORDER_CODES).to_numpy(object)
    add(od[c43], "C43_5", np.where(interim[c43], INTERIM_CAO, named), 3)
    primary = app.set_index("application_id")["primary_order"]
    nom = np.isin(m, ["ORDNOM", "ORDREF"])
    add(od[nom], od.loc[nom, "event_model"].to_numpy(object) + "_5",
        od.loc[nom, "application_id"].map(primary).map(ORDER_CODES).to_numpy(object), 3)
    # A withdrawal names the application event it withdraws.
    valid_app = apps[apps["error"].to_numpy(object) == "N"].set_index("application_id")["_number"]
    wd = m == "G63"
    add(od[wd], "G63_1", od.loc[wd, "application_id"].map(valid_app).astype("Int64").astype(str).to_numpy(object), 3)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("event_field_key", kind="stable").reset_index(drop=True)
