"""Teaching packs: exercises with exact answer keys from a run's truth and extracts (issue 16).

``synth.exercises.pack.write_pack(run, out)`` writes the exercises of four tracks (sql, linkage,
cleaning, analysis) as Markdown with an ``answers/`` key; ``synth.exercises.check.check_answers(pack,
answers)`` marks a learner's folder of CSV or SQL answers against the key; the exercises themselves
are listed in ``synth.exercises.registry``. The CLI is ``synth exercises`` (synth/cli/exercises.py);
see docs/exercises.md. This package module stays light: importing the CLI must not load the tracks.
"""

from __future__ import annotations

#: The four tracks, in pack order.
TRACKS = ("sql", "linkage", "cleaning", "analysis")

__all__ = ["TRACKS"]
