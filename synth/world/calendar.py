"""The court calendar: issue, hearing and disposal dates on court working days, the PLO timetable.

Courts issue applications, sit and make final orders on working days: Monday to Friday less the
bank holidays of England and Wales (synth/dates.py; stats.md 8 "Court working days"). The exception
is an urgent application made without notice, the emergency protection order above all: the local
authority applies, and a duty judge hears it, the day the child has to be protected, whatever day
that is. Dates are drawn on working days at the cause (never filtered afterwards):

* index issue dates are a uniform working day of the drawn month (an urgent one any day of it);
* a return to court is issued the equivalent number of working days after the dates it follows;
* the planned disposal (the final hearing) is the duration draw converted to working days
  (:data:`WORKING_DAYS_PER_DAY`, so the mean length in calendar days is kept);
* hearings: an urgent case is first heard on its issue day; a public law (s31) case issued under the
  Public Law Outline 2014 (from :data:`PLO_2014`) has its case management hearing between Day 12 and
  Day 18, Day 1 being the issue (PD12A; Children and Families Act 2014 s14; stats.md 8); other first
  hearings fall in the first 11 working days; further hearings on working days up to the final one.

Urgent applications (``proceeding.urgent``): each public law proceeding is urgent with the profile's
``emergency_protection_order`` probability (the share of public cases that begin with an EPO, kept
as before); an EPO is made on an urgent case's first hearing for the children on an interim care
order (synth/world/orders.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from synth.dates import (
    add_working_days,
    is_working_day,
    next_working_day,
    previous_working_day,
    to_days,
    working_day_within,
    working_days_between,
)
from synth.world import sampling as S

if TYPE_CHECKING:
    from synth.world.context import WorldContext

#: The Public Law Outline 2014 (PD12A, revised) applies to care and supervision applications issued
#: from 22 April 2014, the commencement of Children and Families Act 2014 s14 (stats.md 8).
PLO_2014 = to_days(dt.date(2014, 4, 22))
#: PLO 2014: the case management hearing is not before Day 12 and not after Day 18 (Day 1 = issue).
CMH_FIRST_DAY, CMH_LAST_DAY = 12, 18
#: Outside the PLO window, the first hearing falls within this many working days of issue (about
#: 15 calendar days; assumption, as the calendar-day rule it replaces).
FIRST_HEARING_WORKING_DAYS = 11
#: Working days per calendar day over 2000-2035 (the bank-holiday list's years): converts a length
#: in calendar days to working days so that the mean calendar length is kept.
_SPAN = (to_days(dt.date(2000, 1, 1)), to_days(dt.date(2036, 1, 1)))
WORKING_DAYS_PER_DAY = float(working_days_between(np.array([_SPAN[0]]), np.array([_SPAN[1]]))[0]) / (
    _SPAN[1] - _SPAN[0])


def urgent_applications(ctx: WorldContext, rng: np.random.Generator, law: np.ndarray) -> np.ndarray:
    """Whether each proceeding starts with an urgent (without-notice) application: public law only."""
    draw = ctx.dists["emergency_protection_order"].sample(rng, len(law))
    return np.asarray(draw, dtype=bool) & (np.asarray(law) == "public")


def issue_days(rng: np.random.Generator, first: np.ndarray, nxt: np.ndarray, urgent: np.ndarray,
               start: int, end: int) -> np.ndarray:
    """A day in ``[first, nxt)`` for each row: any day if urgent, else a uniform working day.

    Days are kept within ``[start, end]`` (a working day, rolled back from the end when needed).
    """
    u = rng.random(len(first))
    any_day = first + np.floor(u * (nxt - first)).astype(np.int64)
    working = working_day_within(first, nxt - 1, u)
    day = np.clip(np.where(urgent, any_day, working), start, end)
    return on_court_day(day, urgent, end)


def on_court_day(day: np.ndarray, urgent: np.ndarray, end: int | None = None) -> np.ndarray:
    """Each day, moved to the next working day unless urgent (to the one before, past ``end``)."""
    moved = next_working_day(day)
    if end is not None:
        moved = np.where(moved > end, previous_working_day(np.minimum(day, end)), moved)
    return np.where(urgent, day, moved)


def after_days(start: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The working day about ``days`` calendar days after ``start`` (counted in working days).

    ``days`` are converted with :data:`WORKING_DAYS_PER_DAY` (at least one working day), so the
    weekday of the result is as evenly spread as the start's.
    """
    n = np.maximum(np.round(np.asarray(days, dtype=float) * WORKING_DAYS_PER_DAY), 1).astype(np.int64)
    return add_working_days(start, n)


def hearing_days(rng: np.random.Generator, law: np.ndarray, issue: np.ndarray, planned: np.ndarray,
                 urgent: np.ndarray, hj: np.ndarray, n_hearings: np.ndarray) -> np.ndarray:
    """The date of hearing ``hj`` (0 first) of ``n_hearings`` of each row's proceeding.

    Args:
        rng: the shard's world stream.
        law: law type of each row's proceeding.
        issue, planned: issue day and planned disposal (a working day) of the proceeding.
        urgent: whether the proceeding began with an urgent application (first heard on issue).
        hj: the hearing's place in the drawn schedule (0 first).
        n_hearings: hearings of the proceeding (the last is the final hearing at ``planned``).
    """
    u1, u2 = rng.random(len(hj)), rng.random(len(hj))
    start = next_working_day(issue)
    span = np.maximum(working_days_between(start, planned), 1)
    plo = (np.asarray(law) == "public") & (issue >= PLO_2014)
    cmh = working_day_within(issue + CMH_FIRST_DAY - 1, issue + CMH_LAST_DAY - 1, u1)
    early = add_working_days(start, np.minimum(np.floor(u1 * FIRST_HEARING_WORKING_DAYS).astype(np.int64),
                                               span - 1))
    first = np.minimum(np.where(plo, cmh, early), planned)
    left = np.maximum(working_days_between(first, planned) - 1, 1)
    mid = np.minimum(add_working_days(first, 1 + np.floor(u2 * left).astype(np.int64)), planned)
    step = hj - urgent.astype(np.int64)  # an urgent case's schedule starts with its same-day hearing
    last = hj == n_hearings - 1
    date = np.where(step == 0, first, np.where(step < 0, issue, mid))
    return np.where(last, planned, date)


def hearings(ctx: WorldContext, rng: np.random.Generator, p: dict[str, np.ndarray], proc_id: np.ndarray,
             open_: np.ndarray, max_hearings: int) -> dict[str, np.ndarray]:
    """Hearing rows of the shard's proceedings (ids, dates, final flag), before their types.

    Returns:
        ``_proc`` (row into the proceedings), ``hj`` (sequence from 0 after sorting by date),
        ``date``, ``is_final``.
    """
    m = len(proc_id)
    h = np.clip(ctx.dists["hearings"].sample(rng, m, p["law"]), 1, max_hearings)
    hp = np.repeat(np.arange(m), h)
    hj = S.within_group_index(hp)
    date = hearing_days(rng, p["law"][hp], p["issue"][hp], p["planned_disposal"][hp], p["urgent"][hp], hj, h[hp])
    last = hj == h[hp] - 1
    order = np.lexsort((hj, date, hp))
    hp, date, last = hp[order], date[order], last[order]
    # Re-number after sorting by date (the final stays last: it is at the planned disposal).
    hj = S.within_group_index(hp)
    kept = date <= ctx.end
    hp, hj, date, last = hp[kept], hj[kept], date[kept], last[kept]
    return {"_proc": hp, "hj": hj, "date": date, "is_final": last & ~open_[hp]}


def court_day_share(days: np.ndarray) -> float:
    """Share of the given days that are court working days (a check used by tests and reports)."""
    return float(is_working_day(days).mean()) if len(days) else 1.0
