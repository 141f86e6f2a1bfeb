"""How much dirt each ``--dirty`` level plants: one rate per fault kind and level.

A rate is the share of a table's rows that get the fault, among the rows where it can be planted
(a day/month swap needs a day of 12 or less; an old code needs a current code that had an older
one, ...), so the planted count is at most ``rate * rows`` and usually less. Each row draws its
faults independently; a cell gets at most one fault.
"""

from __future__ import annotations

from synth.errors import InputError

#: The fault kinds, in the order they are planted (``duplicate_row`` last: it copies rows that may
#: already carry other faults). ``mixed_date_format`` is planted in the CSV mirror only.
FAULTS: tuple[str, ...] = (
    "orphan_foreign_key", "missing_mandatory", "old_code", "free_text_code", "whitespace_case",
    "day_month_swap", "impossible_date", "mixed_date_format", "duplicate_row",
)

#: Faults that change the CSV mirror only (the Parquet part keeps the column's type).
CSV_ONLY: frozenset[str] = frozenset({"mixed_date_format"})

#: Levels of ``--dirty``: 0 is a clean run (the default), 3 the dirtiest.
LEVELS = (0, 1, 2, 3)

#: Rate of each fault kind at levels 1, 2 and 3 (share of eligible rows).
#:
#: assumption: nothing public gives fault rates of the Cafcass, FamilyMan, 903 or WDS extracts
#: before cleaning; these are teaching rates. Level 1 (about 0.5-1 % of rows per fault) is a
#: fairly clean administrative extract, where a cleaning exercise must search for its faults;
#: level 2 (2-4 %) is what trainers call "typical messy" data; level 3 (5-10 %) makes every fault
#: visible in a 300-family classroom run. Format and whitespace noise, the commonest faults of
#: hand-keyed fields, are given the highest rates; orphans and impossible dates, which a database
#: with constraints would have refused, the lowest.
RATES: dict[str, tuple[float, float, float]] = {
    "orphan_foreign_key": (0.003, 0.01, 0.03),
    "missing_mandatory": (0.005, 0.02, 0.05),
    "old_code": (0.01, 0.03, 0.08),
    "free_text_code": (0.005, 0.02, 0.05),
    "whitespace_case": (0.01, 0.04, 0.10),
    "day_month_swap": (0.005, 0.02, 0.05),
    "impossible_date": (0.003, 0.01, 0.03),
    "mixed_date_format": (0.01, 0.04, 0.10),
    "duplicate_row": (0.005, 0.02, 0.05),
}


def rate(fault: str, level: int) -> float:
    """The rate of ``fault`` at ``level`` (0 at level 0)."""
    return 0.0 if level <= 0 else RATES[fault][level - 1]


def check_dirty_level(value: object) -> int:
    """``value`` as a dirt level 0-3, or a one-line error naming ``--dirty`` and the fix.

    Accepts an int or its text (the CLI passes text so that ``--dirty abc`` is this error, not a
    usage screen). A bool is refused (``dirty=True`` means nothing precise).

    Raises:
        InputError: anything but 0, 1, 2 or 3.
    """
    level: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        level = value
    elif isinstance(value, str) and value.strip().isdigit():
        level = int(value.strip())
    if level is None or level not in LEVELS:
        raise InputError(f"--dirty {value!r} is not a level; give 1, 2 or 3 (0 or no --dirty: a clean run), "
                         f"e.g. `synth generate PROFILE --dirty 2` or --dirty=2")
    return level
