"""Builders of the derived row sources (``synth.world.schema.DERIVED_SOURCES``).

A derived source is a table a view may take its rows from that is not a truth table, such as
the per-collection-year rows of a local authority return. Each builder is a pure function of the
agency's covered truth (the truth tables restricted to the agency's coverage, plus the rows of
any derived source built before it), the whole shard's truth, a random stream of its own and the run seed.
``agency_person`` is built by :func:`synth.views.project.covered` itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

#: builder(covered tables, shard truth, rng, seed) -> rows with exactly the source's declared fields;
#: ``seed`` is the run seed, which keys the agency-facing ids a builder makes (synth.keys.run_key).
Builder = Callable[[dict[str, pd.DataFrame], dict[str, pd.DataFrame], np.random.Generator, int], pd.DataFrame]

BUILDERS: dict[str, Builder] = {}

from synth.views.familyman import familyman_party, familyman_role  # noqa: E402
from synth.views.familyman_events import familyman_event, familyman_event_field  # noqa: E402
from synth.views.spine import spine_address  # noqa: E402
from synth.views.spine_gp import spine_gp  # noqa: E402

BUILDERS["familyman_role"] = familyman_role
BUILDERS["familyman_party"] = familyman_party
BUILDERS["familyman_event"] = familyman_event
BUILDERS["familyman_event_field"] = familyman_event_field
BUILDERS["spine_address"] = spine_address
BUILDERS["spine_gp"] = spine_gp

from synth.views.cafw import cafw_application_party, cafw_hearing  # noqa: E402
from synth.views.ssda903 import BUILDERS as SSDA903_BUILDERS  # noqa: E402

BUILDERS["cafw_hearing"] = cafw_hearing
BUILDERS["cafw_application_party"] = cafw_application_party

BUILDERS.update(SSDA903_BUILDERS)
