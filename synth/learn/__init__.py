"""Learn a profile from an agency's real extract, with output disclosure control (``synth learn``).

Inside a trusted research environment, ``synth learn`` reads tables in an agency's shape (as the
base profile declares them), measures the world distributions those tables can show, applies
disclosure control (threshold, rounding, dominance; :mod:`synth.learn.sdc`) and writes a profile
that ``extends:`` the base and overrides only what was learned, with a disclosure log beside it.

Modules: ``read`` (Parquet/CSV/DuckDB), ``shape`` and ``extract`` (agency columns -> plain frames),
``derive`` and ``derive_people`` (measurements), ``leaves`` and ``sdc`` (disclosure control),
``fit`` (estimators), ``volumes``, ``write`` (YAML and logs), ``run`` (the whole command).
"""

from synth.learn.run import LearnResult, learn
from synth.learn.sdc import Rules

__all__ = ["learn", "LearnResult", "Rules"]
