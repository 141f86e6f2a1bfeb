"""Date edits for identifier errors: a year of birth mistyped, day and month swapped, a day out."""

from __future__ import annotations

import numpy as np

from synth.dates import from_ymd, ymd


def year_typos(dob: np.ndarray, age_years: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A year of birth one out, or (half the time, when plausible) its last two digits transposed.

    A transposition is plausible when the digits differ and the new date is neither after the
    record was made (nor after the true date for the unborn) nor more than 100 years before it.
    """
    y, m, d = ymd(dob)
    swapped = y - y % 100 + (y % 10) * 10 + (y // 10) % 10
    made = dob.astype("datetime64[D]") + np.rint(np.nan_to_num(age_years) * 365.25).astype(np.int64)
    t = from_ymd(swapped, m, d)
    plausible = (swapped != y) & (t <= np.maximum(made, dob.astype("datetime64[D]"))) & \
        (t >= from_ymd(ymd(made)[0] - 100, m, d))
    use = plausible & (rng.random(len(y)) < 0.5)
    step = rng.choice(np.array([-1, 1]), len(y))
    return np.where(use, t, from_ymd(y + step, m, d))


def day_month_swap(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each date with its day and month swapped, and where that is a different, real date.

    Returns:
        The swapped dates (the day clipped to 12 where it cannot be a month) and a mask of dates
        the swap applies to (day at most 12 and different from the month).
    """
    y, m, day = ymd(d)
    return from_ymd(y, np.minimum(day, 12), m), (day <= 12) & (day != m)


def day_offset(d: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each date one day earlier or later (one draw per date)."""
    return d + rng.choice(np.array([-1, 1]), len(d))
