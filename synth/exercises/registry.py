"""Every exercise of the four tracks, in pack order, and the key columns shown but never marked."""

from __future__ import annotations

from synth.exercises import analysis_track, cleaning_track, linkage_track, sql_track
from synth.exercises.model import Exercise

#: Every exercise, in pack order.
EXERCISES: tuple[Exercise, ...] = (*sql_track.EXERCISES, *linkage_track.EXERCISES, *cleaning_track.EXERCISES,
                                   *analysis_track.EXERCISES)
#: Columns of a key shown to the trainer but never marked (published figures, best-guess repairs).
UNMARKED: dict[str, tuple[str, ...]] = {**cleaning_track.UNMARKED, **analysis_track.UNMARKED}

__all__ = ["EXERCISES", "UNMARKED"]
