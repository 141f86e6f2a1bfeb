"""Simulate one shard of families: mothers, children, fathers and their proceedings over time.

A family is a birth mother, her children (possibly by different fathers), the fathers, other
relatives who become parties, and every proceeding about any of them. The first (index)
proceeding is placed by the volume strata; the children on it are built back from the youngest
child's age; then the family may return to court (recurrence), often with a new baby.

All arrays are local to the shard; truth ids are composed from the global family index so they
never depend on scheduling:

* person_id = family_id * 64 + slot (0 mother, 1-8 fathers, 9-12 relatives, 13-63 children)
* proceeding_id = family_id * 8 + sequence
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synth.dates import fy_of
from synth.profile.mechanisms import AWAY_FROM_HOME
from synth.world import calendar, partners
from synth.world import ethnicity as ethnic
from synth.world import place as P
from synth.world import sampling as S
from synth.world.context import WorldContext

MAX_FATHERS = 8
MAX_CHILDREN = 51
MAX_PROCEEDINGS = 8
FATHER_SLOT0, RELATIVE_SLOT0, CHILD_SLOT0 = 1, 9, 13
#: Minimum room per older sibling when deciding how many fit (the spacing itself has the profile's min).
MIN_SPACING_DAYS = 300
OLDEST_SUBJECT_DAYS = int(17.9 * S.YEAR)
#: Redraws of the spacings of a sibling group that would not fit under OLDEST_SUBJECT_DAYS.
REDRAWS = 8
#: Oldest a mother may be at a new birth in the recurrence mechanism.
MAX_MOTHER_AGE_AT_BIRTH = 47 * S.YEAR


@dataclass
class Grow:
    """Columns that grow by appending arrays and are concatenated once at the end."""

    parts: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, **cols: np.ndarray) -> None:
        for k, v in cols.items():
            self.parts.setdefault(k, []).append(np.asarray(v))

    def done(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.parts.items()}


@dataclass
class ShardWorld:
    """The raw arrays of one simulated shard (shard-local indices)."""

    family_id: np.ndarray
    country: np.ndarray
    la: np.ndarray
    lsoa: np.ndarray
    mother_dob: np.ndarray
    teen_first_birth: np.ndarray
    ethnicity: np.ndarray
    n_fathers: np.ndarray
    father_dob_gap: np.ndarray  # (families, MAX_FATHERS) father's age minus mother's, days
    partnership: dict[str, np.ndarray]  # family, slot, start, end (-1 ongoing), man (root partnership row)
    children: dict[str, np.ndarray]
    proceedings: dict[str, np.ndarray]
    subjects: dict[str, np.ndarray]


def _issue_dates(ctx: WorldContext, rng: np.random.Generator, fy: np.ndarray, urgent: np.ndarray) -> np.ndarray:
    """Issue day numbers within each financial year, with the profile's monthly seasonality.

    A court working day of the drawn month, any day for an urgent application (synth/world/calendar.py).
    """
    month = ctx.dists["month_of_issue"].sample(rng, len(fy)).astype(int)
    year = np.where(month >= 4, fy, fy + 1)
    mi = (year - 1970) * 12 + month - 1
    first = mi.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    nxt = (mi + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return calendar.issue_days(rng, first, nxt, urgent, ctx.start, ctx.end)


def _children_for_index(ctx: WorldContext, rng: np.random.Generator, law: np.ndarray, first_birth_age: np.ndarray,
                        fy: np.ndarray | None = None):
    """Subject children of the index proceedings: (family row, age at issue in days, rank).

    The youngest child's age is drawn, older siblings follow at the sibling spacing. A group that
    would have its eldest over 17.9 years at issue (or the mother past MAX_MOTHER_AGE_AT_BIRTH at the
    youngest birth) has its spacings redrawn, up to REDRAWS times; a group that never fits is closely
    spaced, its span drawn uniformly between the tightest spacing and the room.
    """
    d = ctx.dists
    n = len(law)
    k = d["children_per_case"].sample(rng, n, law).astype(int)
    youngest = d["youngest_child_age_at_issue"].sample(rng, n, law)
    youngest = P.youngest_by_year(ctx, rng, youngest, law, fy)  # the year's age mix (place.py)
    room = np.minimum(OLDEST_SUBJECT_DAYS - np.maximum(youngest, 0), MAX_MOTHER_AGE_AT_BIRTH - first_birth_age)
    room = np.maximum(room, 0)
    k = np.minimum(k, 1 + (room // MIN_SPACING_DAYS).astype(int))
    fam = np.repeat(np.arange(n), k)
    rank = S.within_group_index(fam)  # 0 = youngest
    spacing = d["sibling_spacing"].sample(rng, len(fam))
    spacing = np.where(rank == 0, 0.0, spacing)
    cum = np.cumsum(spacing)
    starts = np.flatnonzero(rank == 0)
    cum -= np.repeat(cum[starts], np.diff(np.concatenate([starts, [len(fam)]])))
    total = np.zeros(n)
    np.maximum.at(total, fam, cum)
    # Spacings are drawn again for a group that would not all be under 18 (or that would need the
    # mother past MAX_MOTHER_AGE_AT_BIRTH): the spacing drawn conditional on the group fitting, which
    # keeps the stated youngest-age and group-size distributions. Compressing every such group
    # instead puts its eldest at exactly the oldest age (a spike of 1.6% of all subject children).
    for _ in range(REDRAWS):
        over = total > room
        if not over.any():
            break
        redo = over[fam] & (rank > 0)
        spacing[redo] = d["sibling_spacing"].sample(rng, int(redo.sum()))
        cum = np.cumsum(spacing)
        cum -= np.repeat(cum[starts], np.diff(np.concatenate([starts, [len(fam)]])))
        total = np.zeros(n)
        np.maximum.at(total, fam, cum)
    # The few that never fit are closely spaced: their span is drawn uniformly between the tightest
    # spacing and the room (compressing each to the room exactly would put its eldest at one age).
    never_fits = total > room
    tight = (np.bincount(fam, minlength=n) - 1) * MIN_SPACING_DAYS
    target = np.minimum(tight, room) + rng.random(n) * np.maximum(room - tight, 0)
    scale = np.where(never_fits, target / np.maximum(total, 1), 1.0)
    age = youngest[fam] + cum * scale[fam]
    return fam, np.round(age).astype(np.int64), rank


def _outcomes(ctx: WorldContext, rng: np.random.Generator, proc_law: np.ndarray, sub_proc: np.ndarray,
              age_days: np.ndarray, proc_fy: np.ndarray | None = None, proc_la: np.ndarray | None = None):
    """Final order per subject child, correlated within the sibling group of a proceeding."""
    d = ctx.dists
    u_case = rng.random(len(proc_law))
    shared = rng.random(len(sub_proc)) < d["outcome_sibling_correlation"].p
    u = np.where(shared, u_case[sub_proc], rng.random(len(sub_proc)))
    band = S.age_band(age_days)
    out = d["outcome"].sample(rng, len(sub_proc), proc_law[sub_proc], band, u=u)
    fy = None if proc_fy is None else proc_fy[sub_proc]
    la = None if proc_la is None else proc_la[sub_proc]
    return P.outcomes_by_place(ctx, out, band, proc_law[sub_proc], fy, la, u), band  # year and LA effects


def simulate_families(ctx: WorldContext, rng: np.random.Generator, family_ids: np.ndarray) -> ShardWorld:
    """Simulate the families with the given global ids from one generator."""
    d = ctx.dists
    n = len(family_ids)
    st = ctx.strata
    s = np.searchsorted(np.cumsum(st.index_p), rng.random(n), side="right").clip(0, len(st.index_p) - 1)
    fy, country, law = st.fy[s], st.country[s], st.law[s]
    urgent = calendar.urgent_applications(ctx, rng, law)
    issue = _issue_dates(ctx, rng, fy, urgent)
    la = P.draw_la(ctx, s, country, law, rng.random(n))  # population x LA propensity (place.py)
    lsoa = ctx.geo.sample_lsoa(la, rng.random(n))
    eth_idx = ethnic.draw_mothers(ctx.ethnic, d["ethnicity"], rng, la)  # per person: synth/world/ethnicity.py
    ethnicity = ethnic.codes_of(eth_idx)

    # Index proceeding children, mother and fathers.
    a1 = d["mother_age_at_first_birth"].sample(rng, n, law)
    cf, age, rank = _children_for_index(ctx, rng, law, a1, fy)
    child_dob = issue[cf] - age
    k = np.bincount(cf, minlength=n)
    eldest_dob = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(eldest_dob, cf, child_dob)
    # Whole days up (a mother drawn at the youngest age, 13 years, is not 13 years less a quarter day).
    mother_dob = eldest_dob - np.ceil(a1).astype(np.int64)
    teen = a1 < 20 * S.YEAR
    # Birth order: eldest first. New father at a birth with probability p (not for the eldest).
    order = np.lexsort((-rank, cf))  # within family: eldest (highest rank) first
    cf, age, rank, child_dob = cf[order], age[order], rank[order], child_dob[order]
    birth_no = S.within_group_index(cf)
    new_father = d["new_father_at_birth"].sample(rng, len(cf)) & (birth_no > 0)
    father_idx = _group_cumsum(new_father.astype(int), cf)
    father_idx = np.minimum(father_idx, MAX_FATHERS - 1)
    n_fathers = np.zeros(n, dtype=np.int64)
    np.maximum.at(n_fathers, cf, father_idx + 1)
    gap = d["father_age_gap"].sample(rng, n * MAX_FATHERS).reshape(n, MAX_FATHERS)

    children = Grow()
    children.add(family=cf, slot=CHILD_SLOT0 + birth_no, dob=child_dob, father=father_idx,
                 sex=np.where(d["child_sex_male"].sample(rng, len(cf)), 1, 2))
    n_children = k.copy()

    procs, subs = Grow(), Grow()
    proc = dict(family=np.arange(n), seq=np.zeros(n, dtype=np.int64), law=law.astype(object), issue=issue,
                pre=_pre_proceedings(ctx, rng, law), urgent=urgent)
    sub_fam_child = np.arange(len(cf))  # rows into the children arrays
    sub_proc_local = cf  # index into this round's proceedings
    history = np.where(teen, "first_teen", "first_other").astype(object)
    n_procs = 0
    for _round in range(MAX_PROCEEDINGS):
        m = len(proc["family"])
        if m == 0:
            break
        ch = {k2: np.concatenate(v) for k2, v in children.parts.items()}
        sub_age = proc["issue"][sub_proc_local] - ch["dob"][sub_fam_child]
        outcome, band = _outcomes(ctx, rng, proc["law"], sub_proc_local, sub_age, fy_of(proc["issue"]),
                                  la[proc["family"]])
        fyp = fy_of(proc["issue"])
        dur = d["duration"].sample(rng, m, proc["law"], key=fyp.astype(str))
        planned = calendar.after_days(proc["issue"], dur)  # a court working day
        receipt = proc["issue"] + d["issue_to_receipt_days"].sample(rng, m)
        base = n_procs
        n_procs += m
        procs.add(family=proc["family"], seq=proc["seq"], law=proc["law"], issue=proc["issue"],
                  receipt=receipt, planned_disposal=planned, fy=fyp, pre_start=proc["issue"] - proc["pre"],
                  urgent=proc["urgent"])
        subs.add(proc=base + sub_proc_local, child=sub_fam_child, age=sub_age, outcome=outcome, band=band)

        # Recurrence: does the family come back, when, under which law, about whom? A concern that
        # arises while this proceeding is open is taken up after its disposal: the next one's
        # pre-proceedings work starts then, so the gap after a disposal is that work's length.
        gap_days = d["recurrence"].sample(rng, m, proc["law"], history)
        nxt_law = d["recurrence_law_type"].sample(rng, m, proc["law"])
        nxt_pre = _pre_proceedings(ctx, rng, nxt_law)
        nxt_urgent = calendar.urgent_applications(ctx, rng, nxt_law)
        # Never before the previous disposal and the next one's pre-proceedings work; a court working
        # day unless urgent.
        wait = np.nan_to_num(gap_days, nan=0)
        nxt_issue = np.where(nxt_urgent, np.maximum(proc["issue"] + wait.astype(np.int64), planned + nxt_pre),
                             np.maximum(calendar.after_days(proc["issue"], wait),
                                        calendar.on_court_day(planned + nxt_pre, nxt_urgent)))
        wants_baby = d["recurrence_new_baby"].sample(rng, m)
        baby_age = np.round(d["recurrence_baby_age_at_issue"].sample(rng, m)).astype(np.int64)
        baby_age = P.baby_age_by_year(ctx, rng, baby_age, fy_of(nxt_issue))  # the year's newborn odds (place.py)
        fam = proc["family"]
        # A new baby comes at least MIN_SPACING_DAYS after the mother's last birth.
        last_birth = np.full(n, np.iinfo(np.int64).min // 2)
        np.maximum.at(last_birth, ch["family"], ch["dob"])
        back = ~np.isnan(gap_days) & (nxt_issue <= ctx.end)
        baby_dob = nxt_issue - baby_age
        can_baby = (baby_dob - mother_dob[fam] < MAX_MOTHER_AGE_AT_BIRTH) & (n_children[fam] < MAX_CHILDREN)
        can_baby &= baby_dob - last_birth[fam] >= MIN_SPACING_DAYS
        # Earlier subjects who are still at home and young enough come back too.
        stays = ~np.isin(outcome, AWAY_FROM_HOME)
        still_child = (nxt_issue[sub_proc_local] - ch["dob"][sub_fam_child]) < OLDEST_SUBJECT_DAYS
        carry = stays & still_child & back[sub_proc_local]
        has_carry = np.bincount(sub_proc_local[carry], minlength=m) > 0
        # A public law return is about a new baby with the stated probability when older children
        # are still at home, and always when none is (a return needs a child to be about).
        baby = can_baby & (nxt_law == "public") & (wants_baby | ~has_carry)
        # With neither a baby nor a child at home, the return concerns earlier children still
        # under 18 wherever they live (e.g. an application about a child in care).
        fallback = back & ~baby & ~has_carry
        carry |= fallback[sub_proc_local] & still_child
        has_carry = np.bincount(sub_proc_local[carry], minlength=m) > 0
        go = back & (baby | has_carry)
        # New babies: append children (father may change at this birth).
        bi = np.flatnonzero(go & baby)
        bf = fam[bi]
        nf = d["new_father_at_birth"].sample(rng, len(bi))
        cur_father = _last_father(ch, bf, len(family_ids))
        bfather = np.minimum(np.where(nf, n_fathers[bf], cur_father), MAX_FATHERS - 1)
        np.maximum.at(n_fathers, bf, bfather + 1)
        new_rows = sum(len(a) for a in children.parts["family"]) + np.arange(len(bi))
        children.add(family=bf, slot=CHILD_SLOT0 + n_children[bf], dob=baby_dob[bi], father=bfather,
                     sex=np.where(d["child_sex_male"].sample(rng, len(bi)), 1, 2))
        n_children[bf] += 1
        # Next round's proceedings and subjects.
        nxt_idx = np.flatnonzero(go)
        remap = np.full(m, -1)
        remap[nxt_idx] = np.arange(len(nxt_idx))
        keep = carry & go[sub_proc_local]
        sp = np.concatenate([remap[sub_proc_local[keep]], remap[bi]])
        sc = np.concatenate([sub_fam_child[keep], new_rows])
        o = np.lexsort((sc, sp))
        sub_proc_local, sub_fam_child = sp[o], sc[o]
        proc = dict(family=fam[nxt_idx], seq=proc["seq"][nxt_idx] + 1, law=nxt_law[nxt_idx],
                    issue=nxt_issue[nxt_idx], pre=nxt_pre[nxt_idx], urgent=nxt_urgent[nxt_idx])
        history = np.full(len(nxt_idx), "repeat", dtype=object)

    kids = children.done()
    pship = partners.partnerships(rng, kids["family"], kids["father"], kids["dob"], ctx.end)
    pf, ps = pship["family"], pship["slot"]
    pship["born"] = mother_dob[pf] - np.round(gap[pf, ps]).astype(np.int64)
    pship["man"] = partners.share_men(rng, la[pf], pship["born"], pship["start"], pship["end"], pf,
                                      kin=ethnic.broad_group(eth_idx)[pf])
    ethnic.people(ctx.ethnic, rng, la, eth_idx, pship, kids)
    return ShardWorld(
        family_id=family_ids, country=country, la=la, lsoa=lsoa, mother_dob=mother_dob,
        teen_first_birth=teen, ethnicity=ethnicity, n_fathers=n_fathers, father_dob_gap=gap,
        partnership=pship, children=kids, proceedings=procs.done(), subjects=subs.done(),
    )


def _pre_proceedings(ctx: WorldContext, rng: np.random.Generator, law: np.ndarray) -> np.ndarray:
    """Whole days of pre-proceedings work before each issue (at least one)."""
    return np.maximum(np.round(ctx.dists["pre_proceedings_days"].sample(rng, len(law), law)), 1).astype(np.int64)


def _group_cumsum(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``x`` within runs of a sorted ``group``."""
    c = np.cumsum(x)
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]])) if len(group) else np.zeros(0, int)
    before = c[starts] - x[starts]
    return c - np.repeat(before, np.diff(np.concatenate([starts, [len(group)]])))


def _last_father(ch: dict, families: np.ndarray, n: int) -> np.ndarray:
    """Father index of each family's most recently born child."""
    last_dob = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_dob, ch["family"], ch["dob"])
    is_last = ch["dob"] == last_dob[ch["family"]]
    father = np.zeros(n, dtype=np.int64)
    father[ch["family"][is_last]] = ch["father"][is_last]
    return father[families]
