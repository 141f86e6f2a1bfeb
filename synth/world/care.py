"""Care episodes that follow the orders: the truth of children looked after (SSDA903 style).

Every subject child of a public law proceeding is followed from the proceeding's issue (the
proceedings of one child are taken in date order, one vectorised round per proceeding rank):

* onset: already looked after at issue under s20 (V2, some days before issue; C1 from issue), on
  an interim care order from issue (C1; unborn children from birth), or at home;
* placements change at random (``care_placement_move`` moves a year, until a planned move);
  children going home after the final order are often placed with parents (P1) first;
* at disposal the order decides: care order -> C2 (a child at home enters care, sometimes placed
  with parents); care and placement order -> E1, then an adoption placement (A5 with the current
  foster carers, else A6) and adoption (E11/E12), or the decision ceases (RD1/RD3/RD4) and the
  placement order gives way to C2; special guardianship order -> E45-E48; supervision, no order,
  withdrawn, refused -> E4A; child arrangements order -> E41;
* children on care orders may leave before 18 (E4A/E4B/E13/E8, a return home often after a P1
  placement) or leave on their 18th birthday (E17/E5/E6/E7/E8);
* a later proceeding about a child still looked after continues the same care period.

Episodes are contiguous within a care period (a new episode starts the day the previous ends,
REC X1); nothing happens after the profile's period end (open episodes have no end date) or after
the 18th birthday, and nothing starts before the period start (s20 accommodation that would have
begun earlier begins on it). ``observed_to`` is the last day seen: the end date, or the period end
for an episode still open. Reviews and missing episodes follow the periods. UASC are not
modelled: the world has no unaccompanied children.

Ids are composed from person ids, so they never depend on scheduling: episode_id, review_id and
missing_id are person_id * 1024 + n (n from 1); adoption_id is the pc_id of the proceeding that
made the placement order.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from synth.dates import INF, add_years, days_of, to_dates
from synth.keys import EPISODE_STRIDE
from synth.world import sampling as S
from synth.world.care_parts import (
    Columns,
    adoption_table,
    missing_table,
    placements,
    random_moves,
    review_table,
)
from synth.world.context import WorldContext

LS_CODES = np.array(["V2", "C1", "C2", "E1"], dtype=object)
V2, C1, C2, E1 = range(4)
HOME = ("supervision_order", "no_order", "withdrawn", "refused")
#: Event kinds inside a care period (also their order on one day).
ENTRY, LS, RANDOM, PLANNED_P1, PLANNED_ADOPT = range(5)


class _Grow:
    def __init__(self) -> None:
        self.parts: dict[str, list] = {}
        self.n = 0

    def add(self, mask: np.ndarray, **cols) -> np.ndarray:
        k = int(mask.sum())
        for key, v in cols.items():
            self.parts.setdefault(key, []).append(np.broadcast_to(np.asarray(v), mask.shape)[mask])
        ids = self.n + np.arange(k)
        self.n += k
        return ids

    def done(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        return {k: (np.concatenate(self.parts[k]) if k in self.parts else np.zeros(0, dtype=np.int64)) for k in keys}


def _journeys(tables: dict[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    """Public law subject rows in (child, issue) order with the child's facts."""
    proc, pc, person = tables["proceeding"], tables["proceeding_child"], tables["person"]
    pos = np.searchsorted(proc["proceeding_id"].to_numpy(), pc["proceeding_id"].to_numpy())
    rows = np.flatnonzero(proc["law_type"].to_numpy(object)[pos] == "public")
    pid = pc["person_id"].to_numpy(np.int64)[rows]
    issue = days_of(proc["issue_date"])[pos[rows]]
    order = np.lexsort((issue, pid))
    rows, pid, issue = rows[order], pid[order], issue[order]
    same_next = np.concatenate([pid[1:] == pid[:-1], [False]])
    ppos = np.searchsorted(person["person_id"].to_numpy(), pid)
    return {
        "pid": pid, "pc_id": pc["pc_id"].to_numpy(np.int64)[rows],
        "proc": pc["proceeding_id"].to_numpy(np.int64)[rows], "issue": issue,
        "disp": days_of(proc["disposal_date"])[pos[rows]], "outcome": pc["outcome"].to_numpy(object)[rows],
        "next": np.where(same_next, np.concatenate([issue[1:], [INF]]), INF),
        "rank": S.within_group_index(pid), "dob": days_of(person["date_of_birth"])[ppos],
    }


def care_tables(ctx: WorldContext, tables: dict[str, pd.DataFrame],
                rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """The care truth tables of one shard: care_episode, care_review, care_missing, adoption.

    Args:
        ctx: the run's world context (distributions, period end, geography).
        tables: the shard's other truth tables (read only).
        rng: the shard's care stream (nothing else draws from it).
    """
    j = _journeys(tables)
    periods, events, exits, adopt = _simulate(ctx, j, rng)
    periods["dob"] = j["dob_child"][periods["child"]]
    person = tables["person"]
    moves = random_moves(ctx, periods, events, exits, rng)
    eps, a5 = _episodes(ctx, periods, events, exits, moves, person, rng)
    return {
        "care_episode": eps,
        "care_review": review_table(ctx, eps, person, rng),
        "care_missing": missing_table(ctx, eps, person, rng),
        "adoption": adoption_table(adopt, a5),
    }


def _simulate(ctx: WorldContext, j: dict, rng: np.random.Generator):
    """Care periods and their events, one round per rank of a child's public law proceedings."""
    d, end = ctx.dists, ctx.end
    uniq, cidx = np.unique(j["pid"], return_inverse=True)
    nc = len(uniq)
    dob_c = np.zeros(nc, dtype=np.int64)
    dob_c[cidx] = j["dob"]
    j["dob_child"] = dob_c
    adult_c = add_years(dob_c, 18)
    st_cont = np.zeros(nc, dtype=bool)
    st_ls = np.full(nc, -1)
    st_exit = np.full(nc, -INF)
    st_period = np.full(nc, -1)
    periods, events, exits, adopt = _Grow(), _Grow(), _Grow(), _Grow()
    rounds = int(j["rank"].max()) + 1 if len(j["rank"]) else 0
    for r in range(rounds):
        J = np.flatnonzero(j["rank"] == r)
        n = len(J)
        c, iss, D, order = cidx[J], j["issue"][J], j["disp"][J], j["outcome"][J]
        B, A18 = dob_c[c], adult_c[c]
        stop = np.minimum(np.minimum(j["next"][J], A18), end + 1)
        # Draws (whole rounds, so streams do not depend on which rows use them).
        onset = d["care_onset"].sample(rng, n)
        lead = np.maximum(np.round(d["care_s20_before_issue"].sample(rng, n)), 1).astype(np.int64)
        at_home_u = d["care_order_at_home"].sample(rng, n)
        p1_u = d["care_placed_with_parents_before_return"].sample(rng, n)
        lag = np.maximum(np.round(d["care_placed_with_parents_days"].sample(rng, n)), 1).astype(np.int64)
        placed_u = d["adoption_placed"].sample(rng, n)
        w_place = np.round(d["adoption_placement_wait"].sample(rng, n)).astype(np.int64)
        w_order = np.round(d["adoption_order_wait"].sample(rng, n)).astype(np.int64)
        w_match = np.round(d["adoption_match_before_placement"].sample(rng, n)).astype(np.int64)
        w_cease = np.round(d["adoption_decision_ceased_wait"].sample(rng, n)).astype(np.int64)
        w_dec = np.round(d["adoption_decision_before_order"].sample(rng, n)).astype(np.int64)
        unopposed = d["adoption_unopposed"].sample(rng, n)
        ceased_reason = d["adoption_decision_ceased_reason"].sample(rng, n)
        adopters = d["adopters"].sample(rng, n)
        gap = d["care_order_exit"].sample(rng, n)
        exit_reason = d["care_order_exit_reason"].sample(rng, n)
        leaving18 = d["care_leaving_at_18"].sample(rng, n)
        proc = j["proc"][J]

        def open_periods(mask: np.ndarray, date: np.ndarray, ls0: np.ndarray | int, p1: np.ndarray | int,
                         c: np.ndarray = c, pid: np.ndarray = j["pid"][J], proc: np.ndarray = proc):
            st_period[c[mask]] = periods.add(mask, child=c, pid=pid, entry=date, ls=ls0, proc=proc, p1=p1)

        def event(mask: np.ndarray, date: np.ndarray, kind: int, ls: np.ndarray | int = -1,
                  adopt_row: np.ndarray | int = -1, c: np.ndarray = c):
            events.add(mask, period=st_period[c], date=date, kind=kind, ls=ls, adopt=adopt_row)

        cont = st_cont[c]
        ls = np.where(cont, st_ls[c], -1)
        in_care = cont.copy()
        # Onset: looked after at issue (s20 before it, or an interim care order), or at home.
        want = ~cont & (onset != "at_home")
        e_s20 = np.maximum(np.maximum(np.maximum(iss - lead, B), st_exit[c] + 1), ctx.start)  # after the last
        # exit or disposal about the child (s20 accommodation never reaches back into earlier proceedings)
        s20 = want & (onset == "section_20") & (e_s20 < iss)
        entry = np.where(s20, e_s20, np.maximum(iss, B))
        enter = want & (entry < np.minimum(D, stop))
        open_periods(enter, entry, np.where(s20, V2, C1), False)
        event(enter & s20, iss, LS, C1)
        ls = np.where(enter, C1, ls)
        in_care |= enter
        floor = np.where(enter, np.maximum(entry, iss), iss)
        # The final order.
        has_d = D < stop
        at_d = in_care & has_d
        co, cp = order == "care_order", order == "care_and_placement_order"
        sgo, cao = order == "special_guardianship_order", order == "child_arrangements_order"
        home = np.isin(order, HOME)
        p1_date = np.maximum(D - lag, floor + 1)
        event(at_d & home & p1_u & (p1_date < D), p1_date, PLANNED_P1)
        event(at_d & co & (ls != C2), D, LS, C2)
        event(at_d & cp & (ls != E1), D, LS, E1)
        ls = np.where(at_d & co, C2, np.where(at_d & cp, E1, ls))
        leave = at_d & (home | cao | sgo)
        exits.add(leave, period=st_period[c], date=D,
                  rec=np.where(sgo, "SGO", np.where(cao, "E41", "E4A")).astype(object))
        done, out_date = leave.copy(), np.where(leave, D, INF)
        e_d = np.maximum(D, B)
        join = ~in_care & has_d & (co | cp) & (e_d < stop)
        open_periods(join, e_d, np.where(co, C2, E1), co & at_home_u)
        ls = np.where(join, np.where(co, C2, E1), ls)
        in_care |= join
        start = np.where(join, e_d, D)
        # Placement order: an adoption placement and order, or the decision ceases.
        e1 = in_care & ~done & has_d & cp
        placed_d = start + w_place
        adopted_d = placed_d + w_order
        cease_d = start + w_cease
        place = e1 & placed_u & (placed_d < stop)
        adopted = place & (adopted_d < stop)
        cease = e1 & ~placed_u & (cease_d < stop)
        rows = adopt.add(e1, pc_id=j["pc_id"][J], pid=j["pid"][J], proc=proc, decision=np.maximum(D - w_dec, iss),
                         order=D, match=np.where(place, np.maximum(placed_d - w_match, start), INF),
                         placed=np.where(place, placed_d, INF), adopted=np.where(adopted, adopted_d, INF),
                         ceased=np.where(cease, cease_d, INF),
                         reason=np.where(cease, ceased_reason, None).astype(object),  # type: ignore[attr-defined,call-overload]
                         adopters=np.where(place, adopters, None).astype(object))  # type: ignore[attr-defined,call-overload]
        row_of = np.full(n, -1)
        row_of[e1] = rows
        event(place, placed_d, PLANNED_ADOPT, adopt_row=row_of)
        exits.add(adopted, period=st_period[c], date=adopted_d, rec=np.where(unopposed, "E11", "E12").astype(object))
        done |= adopted
        out_date = np.where(adopted, adopted_d, out_date)
        event(cease, cease_d, LS, C2)
        ls = np.where(cease, C2, ls)
        # Care order: leaving care before 18, a return home often after a placement with parents.
        c2 = in_care & ~done & has_d & (co | cease)
        s2 = np.where(cease, cease_d, start)
        x = np.where(np.isnan(gap), INF, s2 + np.maximum(np.ceil(np.nan_to_num(gap)), 1).astype(np.int64))
        leave2 = c2 & (x < stop)
        p1b_date = np.maximum(x - lag, s2 + 1)
        event(leave2 & (exit_reason == "E4A") & p1_u & (p1b_date < x), p1b_date, PLANNED_P1)
        exits.add(leave2, period=st_period[c], date=x, rec=exit_reason)
        done |= leave2
        out_date = np.where(leave2, x, out_date)
        # Still looked after at the 18th birthday (within the period): leaving care.
        at18 = in_care & ~done & (stop == A18) & (A18 <= end)
        exits.add(at18, period=st_period[c], date=A18, rec=leaving18)
        done |= at18
        out_date = np.where(at18, A18, out_date)
        st_cont[c] = in_care & ~done & (stop == j["next"][J])
        st_ls[c] = ls
        st_exit[c] = np.maximum(np.where(done, out_date, st_exit[c]), np.where(D < INF, D, st_exit[c]))
    return (periods.done(["child", "pid", "entry", "ls", "proc", "p1"]),
            events.done(["period", "date", "kind", "ls", "adopt"]),
            exits.done(["period", "date", "rec"]),
            adopt.done(["pc_id", "pid", "proc", "decision", "order", "match", "placed", "adopted", "ceased",
                        "reason", "adopters"]))


def _episodes(ctx: WorldContext, periods: Columns, events: Columns, exits: Columns, moves: Columns,
              person: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Merge a period's entry, legal status changes and placement changes into contiguous episodes."""
    d, end = ctx.dists, ctx.end
    npd = len(periods["entry"])
    p_exit = np.full(npd, INF)
    p_rec = np.full(npd, None, dtype=object)
    p_exit[exits["period"]] = exits["date"]
    p_rec[exits["period"]] = exits["rec"]
    pl = placements(ctx, periods, events, moves, person, rng)  # placement events, one row each
    # Boundaries: entries, legal status changes and placement changes (not on the exit day or after).
    lsm = events["kind"] == LS
    b_period = np.concatenate([np.arange(npd), events["period"][lsm], pl["period"][~pl["entry"]]])
    b_date = np.concatenate([periods["entry"], events["date"][lsm], pl["date"][~pl["entry"]]])
    b_ls = np.concatenate([periods["ls"], events["ls"][lsm], np.full(int((~pl["entry"]).sum()), -1)])
    pe_entry = np.flatnonzero(pl["entry"])
    entry_pe = np.full(npd, -1)
    entry_pe[pl["period"][pe_entry]] = pe_entry
    b_pe = np.concatenate([entry_pe, np.full(int(lsm.sum()), -1), np.flatnonzero(~pl["entry"])])
    b_prio = np.concatenate([np.zeros(npd), np.ones(int(lsm.sum())), np.full(int((~pl["entry"]).sum()), 2)])
    is_entry = b_prio == 0
    inside = is_entry | ((b_date > periods["entry"][b_period]) & (b_date < p_exit[b_period]) & (b_date <= end))
    o = np.lexsort((b_prio, b_date, b_period))
    o = o[inside[o]]
    b_period, b_date, b_ls, b_pe, is_entry = b_period[o], b_date[o], b_ls[o], b_pe[o], is_entry[o]
    # One boundary per (period, day).
    first = np.concatenate([[True], (b_period[1:] != b_period[:-1]) | (b_date[1:] != b_date[:-1])]) \
        if len(b_date) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(first)
    g_period, g_date = b_period[starts], b_date[starts]
    g_ls = np.maximum.reduceat(b_ls, starts) if len(starts) else b_ls
    g_pe = np.maximum.reduceat(b_pe, starts) if len(starts) else b_pe
    g_entry = is_entry[starts]
    # Carry legal status and placement forward (an entry always has both).
    idx = np.arange(len(starts))
    ls_cur = g_ls[np.maximum.accumulate(np.where(g_ls >= 0, idx, 0))] if len(idx) else g_ls
    ls_prev = np.concatenate([[-1], ls_cur[:-1]])
    ls_changed = ~g_entry & (g_ls >= 0) & (g_ls != ls_prev)
    keep = g_entry | ls_changed | (g_pe >= 0)
    g_period, g_date, g_pe, g_entry, ls_cur, ls_changed = (
        g_period[keep], g_date[keep], g_pe[keep], g_entry[keep], ls_cur[keep], ls_changed[keep])
    idx = np.arange(len(g_pe))
    pe_cur = g_pe[np.maximum.accumulate(np.where(g_pe >= 0, idx, 0))] if len(idx) else g_pe
    moved = ~g_entry & (g_pe >= 0)
    new_carer = pl["new_carer"][np.maximum(g_pe, 0)] & moved
    rne = np.where(g_entry, "S", np.where(ls_changed, np.where(moved, np.where(new_carer, "B", "U"), "L"),
                                          np.where(new_carer, "P", "T"))).astype(object)
    # Ends, reasons ceased and reasons for a placement change (recorded on the episode that ends).
    last = np.concatenate([g_period[1:] != g_period[:-1], [True]]) if len(g_period) else np.zeros(0, dtype=bool)
    nxt_date = np.concatenate([g_date[1:], [INF]]) if len(g_date) else g_date
    ep_end = np.where(last, p_exit[g_period], nxt_date)
    code = pl["code"][pe_cur]
    rec = np.where(last, p_rec[g_period], "X1").astype(object)
    sgo = rec == "SGO"
    if sgo.any():
        group = np.where(np.isin(code[sgo], ["U1", "U2", "U3"]), "kinship_foster",
                         np.where(np.isin(code[sgo], ["U4", "U5", "U6"]), "other_foster", "not_foster"))
        rec[sgo] = d["care_sgo_reason"].sample(rng, int(sgo.sum()), group)
    nxt_pe = np.concatenate([g_pe[1:], [-1]]) if len(g_pe) else g_pe
    rpc = np.where(~last & (nxt_pe >= 0), pl["reason"][np.maximum(nxt_pe, 0)], None).astype(object)  # type: ignore[attr-defined]
    # Person-level facts and ids.
    pid = periods["pid"][g_period]
    child_order = np.lexsort((g_date, pid))
    ppos = np.searchsorted(person["person_id"].to_numpy(), pid)
    cin = d["care_category_of_need"].sample(rng, npd)
    p_no = _period_numbers(periods)
    out = pd.DataFrame({
        "episode_id": np.zeros(len(pid), dtype=np.int64), "person_id": pid, "proceeding_id": periods["proc"][g_period],
        "period": p_no[g_period], "sequence": np.zeros(len(pid), dtype=np.int64),
        "la_code": person["la_code"].to_numpy(object)[ppos], "start_date": to_dates(g_date),
        "end_date": to_dates(ep_end), "observed_to": to_dates(np.minimum(ep_end, end)), "rne": rne,
        "legal_status": LS_CODES[ls_cur], "cin": cin[g_period],
        "placement": code, "provider": pl["provider"][pe_cur], "reason_ceased": rec,
        "reason_place_change": rpc, "placement_postcode": pl["postcode"][pe_cur],
        "placement_la": pl["la"][pe_cur], "urn": pl["urn"][pe_cur],
    }).iloc[child_order].reset_index(drop=True)
    seq = S.within_group_index(out["person_id"].to_numpy()) + 1
    out["sequence"] = seq
    out["episode_id"] = out["person_id"].to_numpy() * EPISODE_STRIDE + seq
    return out, pl["adopt_a5"]


def _period_numbers(periods: Columns) -> np.ndarray:
    """1, 2, ... for each child's care periods in date order."""
    o = np.lexsort((periods["entry"], periods["pid"]))
    no = np.zeros(len(o), dtype=np.int64)
    no[o] = S.within_group_index(periods["pid"][o]) + 1
    return no
