"""Court orders: the interim and final orders the court makes for each subject child.

Final orders are the children's outcomes (``proceeding_child.outcome``), made at the final
hearing on the disposal date; a ``care_and_placement_order`` outcome is two orders, the care order
(C32A) and the placement order (Adoption and Children Act 2002 s.21, which FCSQ counts in the
adoption series, schemas.md 5.2). Interim orders (new in issue 17, all modelled: no interim
figures are published):

* public law, child looked after from issue: the care model (synth/world/care.py) puts every such
  child on legal status C1 (interim care order) from issue; the interim care order (C33) is made at
  the first hearing on or after the C1 start (not the final one). The cases begun by an urgent
  application (``proceeding.urgent``, a share ``emergency_protection_order`` of public law cases,
  synth/world/calendar.py) began with an emergency protection order (C23) at that first hearing,
  held on the day of issue, which may be any day of the week;
* public law, child at home at issue: a share (``interim_supervision_order``) get an interim
  supervision order (C35B) at the first hearing when it is not the final one;
* private law: a share of cases (``interim_child_arrangements_order``) get an interim child
  arrangements order (C43, interim) for every child at the first hearing when it is not the final one.

Ids: ``order_id = pc_id * ORDER_STRIDE + slot`` with a fixed slot per kind of order
(:data:`SLOTS`), so ids never depend on scheduling and never collide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # context imports court, which imports this module
    from synth.world.context import WorldContext


#: order_id = pc_id * ORDER_STRIDE + slot.
ORDER_STRIDE = 8
#: Slot of each kind of order within a child's orders.
SLOTS = {"epo": 0, "interim": 1, "final": 2, "placement": 3}
#: Order type -> (event model, FCSQ disposal type: 1 made, 2 interim, 3 withdrawn, 4 refused, 5 no order).
#: The C-numbers follow schemas.md 5.2; ``A21`` (placement order, ACA 2002 s.21) is modelled: the
#: placement order is not a Children Act order form, so the FCSQ Children Act disposal logic skips it.
ORDER_FORMS: dict[str, tuple[str, int]] = {
    "care_order": ("C32A", 1), "supervision_order": ("C35A", 1),
    "special_guardianship_order": ("C43A", 1), "child_arrangements_order": ("C43", 1),
    "prohibited_steps_order": ("C43", 1), "specific_issue_order": ("C43", 1),
    "placement_order": ("A21", 1),
    "no_order": ("ORDNOM", 5), "refused": ("ORDREF", 4), "withdrawn": ("G63", 3),
    "emergency_protection_order": ("C23", 1), "interim_care_order": ("C33", 2),
    "interim_supervision_order": ("C35B", 2),
}
#: The interim child arrangements order shares the C43 form (schemas.md 5.2 "incl. interim").
INTERIM_FORMS = {"child_arrangements_order": ("C43", 2)}

COLUMNS = ["order_id", "proceeding_id", "application_id", "pc_id", "person_id", "hearing_id", "order_date",
           "order_type", "is_interim", "is_final", "event_model", "disposal_type"]


def _first_hearing_from(hearing: pd.DataFrame, proc: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``hearing`` of each proceeding's first hearing on or after ``day`` (-1: none).

    ``hearing`` must be sorted by proceeding and date. Returns ``(row, found)``.
    """
    hp = hearing["proceeding_id"].to_numpy(np.int64)
    hd = hearing["hearing_date"].to_numpy("datetime64[D]").astype(np.int64)
    key = hp * (1 << 17) + hd
    want = proc.astype(np.int64) * (1 << 17) + day.astype(np.int64)
    row = np.searchsorted(key, want, side="left")
    found = row < len(key)
    found[found] = hp[row[found]] == proc[found]
    return np.where(found, row, -1), found


def court_orders(ctx: WorldContext, tables: dict[str, pd.DataFrame], first_app: pd.Series,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Every interim and final order of one shard.

    Args:
        ctx: the run's world context (distributions).
        tables: the shard's truth tables, care tables included.
        first_app: application_id of each proceeding's starting application, indexed by proceeding_id.
        rng: the shard's court stream.

    Returns:
        The ``court_order`` table, sorted by order_id; ``application_id`` is the starting
        application (the caller re-points placement and SGO orders to their own applications).
    """
    d = ctx.dists
    proc, pc, hearing = tables["proceeding"], tables["proceeding_child"], tables["hearing"]
    hearing = hearing.sort_values(["proceeding_id", "hearing_date", "sequence"], kind="stable").reset_index(drop=True)
    law = proc.set_index("proceeding_id")["law_type"]
    pc_proc = pc["proceeding_id"].to_numpy(np.int64)
    public = pc["proceeding_id"].map(law).to_numpy(object) == "public"
    issue = pc["proceeding_id"].map(proc.set_index("proceeding_id")["issue_date"]).to_numpy("datetime64[D]")
    n = len(pc)

    # Interim care orders: children on C1 (care model) for this proceeding, at the first hearing from its start.
    ep = tables.get("care_episode")
    c1_start = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if ep is not None and len(ep):
        c1 = ep[ep["legal_status"] == "C1"]
        first_c1 = c1.groupby(["proceeding_id", "person_id"], sort=False)["start_date"].min()
        idx = pd.MultiIndex.from_arrays([pc["proceeding_id"], pc["person_id"]])
        c1_start = first_c1.reindex(idx).to_numpy("datetime64[D]")
    on_c1 = public & ~np.isnat(c1_start)
    row, found = _first_hearing_from(hearing, pc_proc, np.where(on_c1, c1_start, issue))
    is_final_h = np.zeros(n, dtype=bool)
    is_final_h[found] = hearing["is_final"].to_numpy(bool)[row[found]]
    ico = on_c1 & found & ~is_final_h
    # An EPO first, for every child on an interim care order of a case begun by an urgent application
    # (drawn with the ``emergency_protection_order`` share when the proceeding was made, so its issue
    # and first hearing could fall on any day: synth/world/calendar.py).
    procs = proc["proceeding_id"].to_numpy(np.int64)
    epo = ico & pc["proceeding_id"].map(proc.set_index("proceeding_id")["urgent"]).to_numpy(bool)
    # Interim supervision: public children not looked after at issue, first hearing not final.
    row0, found0 = _first_hearing_from(hearing, pc_proc, issue)
    first_final = np.zeros(n, dtype=bool)
    first_final[found0] = hearing["is_final"].to_numpy(bool)[row0[found0]]
    iso = public & ~on_c1 & found0 & ~first_final & d["interim_supervision_order"].sample(rng, n)
    # Private law interim child arrangements orders: drawn per case.
    icao_p = pd.Series(d["interim_child_arrangements_order"].sample(rng, len(procs)), index=procs)
    icao = ~public & found0 & ~first_final & pc["proceeding_id"].map(icao_p).to_numpy(bool)

    h_id = hearing["hearing_id"].to_numpy(np.int64)
    h_id_x = np.append(h_id, -1)
    h_date = np.append(hearing["hearing_date"].to_numpy("datetime64[D]"), np.datetime64("NaT", "D"))
    parts = []

    def add(mask: np.ndarray, slot: str, order_type: np.ndarray | str, hrow: np.ndarray, interim: bool) -> None:
        sel = np.flatnonzero(mask)
        otype = np.broadcast_to(np.asarray(order_type, dtype=object), (n,))[sel]
        forms = {**ORDER_FORMS, **INTERIM_FORMS} if interim else ORDER_FORMS
        ev = pd.Series(otype, dtype=object).map({k: v[0] for k, v in forms.items()}).to_numpy(object)
        dt = pd.Series(otype, dtype=object).map({k: v[1] for k, v in forms.items()}).to_numpy(np.int64)
        hr = hrow[sel]
        parts.append(pd.DataFrame({
            "order_id": pc["pc_id"].to_numpy(np.int64)[sel] * ORDER_STRIDE + SLOTS[slot],
            "proceeding_id": pc_proc[sel], "pc_id": pc["pc_id"].to_numpy(np.int64)[sel],
            "person_id": pc["person_id"].to_numpy(np.int64)[sel],
            "hearing_id": pd.array(h_id_x[hr], dtype="Int64"),
            "order_date": h_date[hr],  # -1: the NaT appended at the end
            "order_type": otype, "is_interim": interim and slot != "epo", "is_final": not interim,
            "event_model": ev, "disposal_type": dt,
        }))

    add(epo, "epo", "emergency_protection_order", row, True)
    add(ico, "interim", "interim_care_order", row, True)
    add(iso, "interim", "interim_supervision_order", row0, True)
    add(icao, "interim", "child_arrangements_order", row0, True)
    parts[0]["is_interim"] = False  # an EPO is neither an interim nor a final order (schemas.md 5.2)

    # Final orders: the outcome, at the final hearing on the disposal date.
    done = pc["has_outcome"].to_numpy(bool)
    outcome = pc["outcome"].to_numpy(object)
    final_of = proc.set_index("proceeding_id")["final_hearing_id"]
    final_h = pc["proceeding_id"].map(final_of).to_numpy(np.int64, na_value=-1)
    h_pos = pd.Series(np.arange(len(hearing)), index=h_id)
    frow = np.where(final_h >= 0, h_pos.reindex(final_h).fillna(-1).to_numpy(np.int64), -1)
    cp = outcome == "care_and_placement_order"
    add(done, "final", np.where(cp, "care_order", outcome), frow, False)
    add(done & cp, "placement", "placement_order", frow, False)
    out = pd.concat(parts, ignore_index=True)
    out["hearing_id"] = out["hearing_id"].mask(out["hearing_id"] < 0)
    # Final orders without a final hearing (none expected) keep the outcome date.
    fin = out["is_final"].to_numpy(bool)
    pc_date = pd.Series(pc["outcome_date"].to_numpy("datetime64[D]"), index=pc["pc_id"].to_numpy(np.int64))
    out.loc[fin, "order_date"] = pc_date.reindex(out.loc[fin, "pc_id"]).to_numpy()
    out["order_date"] = pd.to_datetime(out["order_date"]).astype("datetime64[ns]")
    out["application_id"] = out["proceeding_id"].map(first_app).to_numpy(np.int64)
    return out[COLUMNS].sort_values("order_id", kind="stable").reset_index(drop=True)
