"""Applications: the one that starts each case and the subsequent ones on the same case.

FamilyMan records a new application form (event model ``U22``) when a case starts and a
subsequent application (``G50``) for each later application on the same case (schemas.md 5.1).
Sequence 0 is the starting application (the proceeding's applicant and ``application_type``).
Subsequent applications have modelled causes (no counts are published; shares are assumptions in
the profile):

* public law, an outcome of care and placement orders: the local authority applies for a placement
  order (ACA 2002 s.21) on the case when the plan becomes adoption (always, in this model);
* public law, a special guardianship order outcome: a share (``sgo_application``) follow an
  application by the relative (the case's grandparent or other relative party, else "other_relative");
  the rest are made on the court's own motion;
* private law: a share of cases (``private_cross_application``) get a cross-application by the
  other parent for a child arrangements order.

A subsequent application is dated at a uniform point between 30% and 90% of the way from issue to
the disposal (or to the period end while the case is open) (assumption: made during the case,
before the final hearing), on a court working day
(synth/dates.py). Discharge / variation applications and enforcement applications after
the final order are not modelled.

Orders sought (``application_order``): the primary order; a care order application also seeks an
interim care order and a supervision order application an interim supervision order (the C110A form
lists both, schemas.md 5.3); and every interim order made on the case is sought on its starting
application (an emergency protection order, an interim child arrangements order under ``child_arrangements_order``).

Ids: ``application_id = proceeding_id * APP_STRIDE + sequence``;
``application_order_id = application_id * APP_ORDER_STRIDE + k``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.dates import next_working_day, previous_working_day
from synth.world import sampling as S

if TYPE_CHECKING:  # context imports court, which imports this module
    from synth.world.context import WorldContext

APP_STRIDE, APP_ORDER_STRIDE = 8, 16
#: Event models of the starting and of a subsequent application (schemas.md 5.1).
FIRST_EVENT, LATER_EVENT = "U22", "G50"
#: Orders a starting application seeks alongside its primary order (C110A, schemas.md 5.3).
COMPANION = {"care_order": "interim_care_order", "supervision_order": "interim_supervision_order"}
#: Interim order types made -> the order sought for them on the starting application.
SOUGHT_FOR = {"emergency_protection_order": "emergency_protection_order", "interim_care_order": "interim_care_order",
              "interim_supervision_order": "interim_supervision_order",
              "child_arrangements_order": "child_arrangements_order"}
OTHER_PARENT = {"mother": "father", "father": "mother"}
APP_COLUMNS = ["application_id", "proceeding_id", "sequence", "event_model", "receipt_date", "issue_date",
               "law_type", "applicant_type", "primary_order", "n_orders"]


def _later_dates(issue: np.ndarray, end_: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Court working days between 30% and 90% of the way from issue to ``end_`` (not after it)."""
    frac = rng.uniform(0.3, 0.9, len(issue))
    i, e = issue.astype(np.int64), end_.astype(np.int64)
    day = i + np.floor(frac * np.maximum(e - i, 1)).astype(np.int64)
    day = np.where(next_working_day(day) <= e, next_working_day(day), previous_working_day(day))
    return day.astype("datetime64[D]")


def applications(ctx: WorldContext, tables: dict[str, pd.DataFrame], rng: np.random.Generator) -> pd.DataFrame:
    """Every application of one shard (without ``n_orders``; see :func:`application_orders`)."""
    d = ctx.dists
    proc, pc, party = tables["proceeding"], tables["proceeding_child"], tables["proceeding_party"]
    pid = proc["proceeding_id"].to_numpy(np.int64)
    issue = proc["issue_date"].to_numpy("datetime64[D]")
    law = proc["law_type"].to_numpy(object)
    end = np.datetime64(int(ctx.end), "D")
    disp = proc["disposal_date"].to_numpy("datetime64[D]")
    until = np.where(np.isnat(disp), end, disp)
    first = pd.DataFrame({
        "proceeding_id": pid, "sequence": 0, "event_model": FIRST_EVENT, "receipt_date": issue,
        "issue_date": issue, "law_type": law, "applicant_type": proc["applicant_type"].to_numpy(object),
        "primary_order": proc["application_type"].to_numpy(object),
    })
    # Draws over whole arrays, so the streams do not depend on which rows use them.
    sgo_u = d["sgo_application"].sample(rng, len(pid))
    cross_u = d["private_cross_application"].sample(rng, len(pid))
    dates = _later_dates(issue, until, rng)
    done = pc[pc["has_outcome"].to_numpy(bool)]
    with_placement = np.isin(pid, done.loc[done["outcome"] == "care_and_placement_order", "proceeding_id"])
    with_sgo = (law == "public") & np.isin(pid, done.loc[done["outcome"] == "special_guardianship_order",
                                                         "proceeding_id"])
    rel = party[party["relationship"].isin(["grandparent", "other_relative"])]
    relative = rel.groupby("proceeding_id")["relationship"].first().reindex(pid).fillna("other_relative")
    cross = (law == "private") & cross_u
    later = []
    for mask, applicant, order in (
        (with_placement, np.full(len(pid), "local_authority", dtype=object), "placement_order"),
        (with_sgo & sgo_u, relative.to_numpy(object), "special_guardianship_order"),
        (cross, pd.Series(proc["applicant_type"].to_numpy(object)).map(OTHER_PARENT).fillna("mother").to_numpy(object),
         "child_arrangements_order"),
    ):
        later.append(pd.DataFrame({
            "proceeding_id": pid[mask], "sequence": 1, "event_model": LATER_EVENT, "receipt_date": dates[mask],
            "issue_date": dates[mask], "law_type": law[mask], "applicant_type": applicant[mask],
            "primary_order": order,
        }))
    out = pd.concat([first, *later], ignore_index=True)
    out = out.sort_values(["proceeding_id", "sequence", "issue_date"], kind="stable").reset_index(drop=True)
    out["sequence"] = S.within_group_index(out["proceeding_id"].to_numpy(np.int64))
    out.insert(0, "application_id", out["proceeding_id"] * APP_STRIDE + out["sequence"])
    for c in ("receipt_date", "issue_date"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out


def application_orders(app: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The orders sought on each application (and sets ``app["n_orders"]`` in place)."""
    firsts = app[app["sequence"] == 0]
    interim = orders[~orders["is_final"].to_numpy(bool)]
    first_of = firsts.set_index("proceeding_id")["application_id"]
    rows = pd.concat([
        pd.DataFrame({"application_id": app["application_id"], "order_sought": app["primary_order"], "k": 0}),
        pd.DataFrame({"application_id": firsts["application_id"],
                      "order_sought": firsts["primary_order"].map(COMPANION), "k": 1}).dropna(),
        pd.DataFrame({"application_id": interim["proceeding_id"].map(first_of),
                      "order_sought": interim["order_type"].map(SOUGHT_FOR), "k": 2}).dropna(),
    ], ignore_index=True)
    rows = rows.drop_duplicates(["application_id", "order_sought"]).sort_values(
        ["application_id", "k", "order_sought"], kind="stable").reset_index(drop=True)
    k = S.within_group_index(rows["application_id"].to_numpy(np.int64))
    out = pd.DataFrame({
        "application_order_id": rows["application_id"].to_numpy(np.int64) * APP_ORDER_STRIDE + k,
        "application_id": rows["application_id"].to_numpy(np.int64),
        "proceeding_id": rows["application_id"].to_numpy(np.int64) // APP_STRIDE,
        "order_sought": rows["order_sought"].to_numpy(object),
    })
    app["n_orders"] = app["application_id"].map(out["application_id"].value_counts()).fillna(0).astype(np.int64)
    return out
