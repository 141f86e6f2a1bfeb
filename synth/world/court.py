"""What the family court records: case numbers and the events of each case (FamilyMan shape).

Case numbers have the FamilyMan shape (schemas.md 5.1): a two-letter court prefix, the two-digit
year of issue, the case type letter (``C`` public law, ``P`` private law) and five digits, e.g.
``BM23C50095`` (serials scattered by a keyed permutation, so they look like real ones). The
court's truth is built by :func:`court_tables` from the applications (synth/world/applications.py)
and the orders made (synth/world/orders.py); ``court_event`` is FamilyMan's event stream over them:
one event per application (U22 / G50) and per order (C-form, ORDNOM, ORDREF, G63), plus a small
share of erroneous events (``error = 'Y'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.keys import FAMILIES_PER_SHARD, keyed_id, permute_index, run_key
from synth.rng import stream_key
from synth.world import sampling as S
from synth.world.applications import APP_COLUMNS, application_orders, applications
from synth.world.courts import court_of
from synth.world.orders import court_orders

if TYPE_CHECKING:  # context imports this module
    from synth.world.context import WorldContext

#: Case serials a shard may use per court, year and case type: a block of this many serials.
#: Case numbers are distinct while shards * SERIALS_PER_SHARD < 100,000 (200 shards, 2M families).
SERIALS_PER_SHARD = 500
#: Blocks of serials per court, year and case type. Shard ``s`` of the run of ``seed`` uses block
#: ``(first_block(seed) + s) % SERIAL_BLOCKS``, so runs of different seeds use different blocks (and
#: share no case number) unless their block ranges overlap: for two one-shard runs that happens
#: only when their seeds give the same first block (1 pair of seeds in 200).
SERIAL_BLOCKS = 100_000 // SERIALS_PER_SHARD
#: Key of the permutation that scatters serials over 00000-99999 (distinct serials stay distinct).
SERIAL_KEY = stream_key("familyman-case-serial")
#: event_id = proceeding_id * EVENT_STRIDE + rank of the event on its case (date, applications first).
EVENT_STRIDE = 1024
EVENT_COLUMNS = ["event_id", "proceeding_id", "application_id", "order_id", "person_id", "event_model",
                 "event_date", "order_sought", "order_type", "disposal_type", "error"]


def court_prefixes(areas: np.ndarray) -> dict[str, str]:
    """The fixed two-letter prefix of each court (DFJ area) present (synth/world/courts.py)."""
    return {area: court_of(area)[0] for area in sorted(set(areas))}


def first_block(seed: int) -> int:
    """The first block of case serials the run of ``seed`` uses (see :data:`SERIAL_BLOCKS`)."""
    return run_key(seed, SERIAL_KEY) % SERIAL_BLOCKS


def case_numbers(proceeding: pd.DataFrame, prefixes: dict[str, str], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Court prefix and case number of each proceeding of one shard of the run of ``seed``.

    Returns:
        ``(court_code, case_number)`` arrays in the proceeding table's order.
    """
    area = proceeding["dfj_area"].to_numpy(object)
    court = pd.Series(area).map(prefixes).to_numpy(object)
    year = pd.to_datetime(proceeding["issue_date"]).dt.year.to_numpy() % 100
    letter = np.where(proceeding["law_type"].to_numpy() == "public", "C", "P")
    shard = proceeding["family_id"].to_numpy(np.int64) // FAMILIES_PER_SHARD
    group = pd.factorize(pd.Series(court).str.cat([year.astype(str), letter], sep="|"))[0]
    order = np.lexsort((proceeding["proceeding_id"].to_numpy(), group))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = S.within_group_index(group[order])
    # A per-(court, year, type) offset, then a keyed permutation: distinct within a group, varied across.
    court_no = pd.Series(area).map({a: court_of(a)[1] for a in set(area)}).to_numpy(np.int64)
    offset = keyed_id((court_no * 100 + year) * 2 + (letter == "C"), SERIAL_KEY) % 100_000
    block = (first_block(seed) + shard) % SERIAL_BLOCKS
    serial = permute_index((offset + block * SERIALS_PER_SHARD + rank) % 100_000, 100_000, SERIAL_KEY)
    number = (pd.Series(court) + pd.Series(year).map("{:02d}".format) + pd.Series(letter)
              + pd.Series(serial).map("{:05d}".format))
    return court, number.to_numpy(object)


def court_tables(ctx: WorldContext, tables: dict[str, pd.DataFrame],
                 rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The court's truth of one shard: applications, orders sought, orders made and the event stream.

    Args:
        ctx: the run's world context.
        tables: the shard's truth tables (proceedings, children, parties, hearings, care).
        rng: the shard's court stream (``generator(seed, "court", shard)``).

    Returns:
        ``application``, ``application_order``, ``court_order`` and ``court_event`` tables.
    """
    app = applications(ctx, tables, rng)
    firsts = app[app["sequence"].to_numpy() == 0].set_index("proceeding_id")["application_id"]
    orders = court_orders(ctx, tables, firsts, rng)
    # Placement and special guardianship orders dispose of their own (subsequent) applications.
    for order_type in ("placement_order", "special_guardianship_order"):
        own = app[(app["sequence"].to_numpy() > 0) & (app["primary_order"].to_numpy(object) == order_type)]
        own_of = own.drop_duplicates("proceeding_id").set_index("proceeding_id")["application_id"]
        sel = ((orders["order_type"].to_numpy(object) == order_type)
               & orders["proceeding_id"].isin(own_of.index).to_numpy())
        orders.loc[sel, "application_id"] = orders.loc[sel, "proceeding_id"].map(own_of).to_numpy(np.int64)
    sought = application_orders(app, orders)
    events = court_events(ctx, app, orders, rng)
    return {"application": app[APP_COLUMNS], "application_order": sought, "court_order": orders,
            "court_event": events}


def court_events(ctx: WorldContext, app: pd.DataFrame, orders: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """FamilyMan's event stream: one event per application and per order, plus erroneous events.

    An erroneous event (``error = 'Y'``) is a copy of a valid one keyed in error and left on the
    system (FamilyMan keeps them; MoJ code filters ``error = 'N'``); each valid event has one with
    the profile's ``court_event_error`` probability.
    """
    na = pd.array([None] * len(app), dtype="Int64")
    a = pd.DataFrame({
        "proceeding_id": app["proceeding_id"].to_numpy(np.int64),
        "application_id": app["application_id"].to_numpy(np.int64),
        "order_id": na, "person_id": na, "event_model": app["event_model"].to_numpy(object),
        "event_date": app["issue_date"].to_numpy(), "order_sought": app["primary_order"].to_numpy(object),
        "order_type": np.full(len(app), None, dtype=object), "disposal_type": na, "_kind": 0,
        "_key": app["application_id"].to_numpy(np.int64),
    })
    o = pd.DataFrame({
        "proceeding_id": orders["proceeding_id"].to_numpy(np.int64),
        "application_id": orders["application_id"].to_numpy(np.int64),
        "order_id": pd.array(orders["order_id"].to_numpy(np.int64), dtype="Int64"),
        "person_id": pd.array(orders["person_id"].to_numpy(np.int64), dtype="Int64"),
        "event_model": orders["event_model"].to_numpy(object), "event_date": orders["order_date"].to_numpy(),
        "order_sought": np.full(len(orders), None, dtype=object), "order_type": orders["order_type"].to_numpy(object),
        "disposal_type": pd.array(orders["disposal_type"].to_numpy(np.int64), dtype="Int64"), "_kind": 1,
        "_key": orders["order_id"].to_numpy(np.int64),
    })
    valid = pd.concat([a, o], ignore_index=True)
    valid["error"] = "N"
    wrong = valid[ctx.dists["court_event_error"].sample(rng, len(valid))].copy()
    wrong["error"] = "Y"
    ev = pd.concat([valid, wrong], ignore_index=True)
    ev = ev.sort_values(["proceeding_id", "event_date", "_kind", "_key", "error"], kind="stable").reset_index(drop=True)
    rank = S.within_group_index(ev["proceeding_id"].to_numpy(np.int64))
    if len(rank) and rank.max() >= EVENT_STRIDE:
        raise ValueError(f"a case has more than {EVENT_STRIDE} court events")
    ev.insert(0, "event_id", ev["proceeding_id"].to_numpy(np.int64) * EVENT_STRIDE + rank)
    ev["event_date"] = pd.to_datetime(ev["event_date"]).astype("datetime64[ns]")
    return ev[EVENT_COLUMNS]
