"""Teaching packs: exercises with exact answer keys from a run's truth and extracts (issue 16).

``write_pack(run, out)`` writes the exercises of four tracks (sql, linkage, cleaning, analysis) as
Markdown with an ``answers/`` key; ``check_answers(pack, answers)`` marks a learner's folder of CSV
or SQL answers against the key. The CLI is ``synth exercises`` (synth/cli/exercises.py); see
docs/exercises.md.
"""

from __future__ import annotations

from synth.exercises import analysis_track, cleaning_track, linkage_track, sql_track
from synth.exercises.model import TRACKS, Exercise, RunContext

#: Every exercise, in pack order.
EXERCISES: tuple[Exercise, ...] = (*sql_track.EXERCISES, *linkage_track.EXERCISES, *cleaning_track.EXERCISES,
                                   *analysis_track.EXERCISES)
#: Columns of a key shown to the trainer but never marked (published figures, best-guess repairs).
UNMARKED: dict[str, tuple[str, ...]] = {**cleaning_track.UNMARKED, **analysis_track.UNMARKED}

__all__ = ["EXERCISES", "TRACKS", "UNMARKED", "Exercise", "RunContext"]
