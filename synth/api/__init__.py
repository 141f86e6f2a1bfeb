"""The Python API: ``synth.generate(...)`` and ``synth.open(path)`` give a :class:`Run` (see docs/api.md).

Example::

    import synth

    with synth.generate("training_small", seed=7) as run:  # a temporary run, removed on leaving
        cases = run.table("familyman/cases")              # a pandas DataFrame
        people = run.truth["person"]                       # the ground truth
        n = run.sql("SELECT count(*) AS n FROM familyman.cases")["n"][0]
"""

from __future__ import annotations

from synth.api.make import generate, open
from synth.api.run import Run, Truth
from synth.api.tables import UnknownTableError

__all__ = ["Run", "Truth", "UnknownTableError", "generate", "open"]
