"""One shard, start to finish: simulate the truth, project every agency view, convert to Arrow.

:func:`compute_shard` is a pure function of (the run's context, the shard number, its size), so
any engine (in-process, a process pool, a Dask cluster) can run shards anywhere and in any order;
the writer puts the results in shard order, giving identical bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from synth.export.arrow import agency_schema, to_arrow, truth_schema
from synth.profile.models import Profile
from synth.views.project import project_agency
from synth.world.context import WorldContext
from synth.world.schema import TRUTH_TABLES
from synth.world.truth import simulate_shard


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs (picklable): the world context and the profile."""

    ctx: WorldContext
    profile: Profile

    def output_keys(self) -> list[str]:
        """Every output table as ``folder/name``, in writing order."""
        keys = [f"{a}/{t.name}" for a, ag in self.profile.agencies.items() for t in ag.tables.values()]
        return keys + [f"truth/{n}" for n in (*TRUTH_TABLES, "links")]

    def schema(self, key: str) -> pa.Schema:
        """Arrow schema of an output table."""
        folder, name = key.split("/", 1)
        if folder == "truth":
            return truth_schema(name)
        agency = self.profile.agencies[folder]
        return agency_schema(next(t for t in agency.tables.values() if t.name == name))


def compute_shard(spec: RunSpec, shard: int, n_families: int) -> dict[str, pa.Table]:
    """The Arrow tables of one shard, keyed ``folder/name``."""
    prof = spec.profile
    truth = simulate_shard(spec.ctx, shard, n_families)
    out: dict[str, pa.Table] = {}
    links = []
    for akey, agency in prof.agencies.items():
        tables, agency_links = project_agency(akey, agency, truth, spec.ctx.seed, shard, prof.linkage)
        for tkey, df in tables.items():
            key = f"{akey}/{agency.tables[tkey].name}"
            out[key] = to_arrow(df, spec.schema(key))
        links.append(agency_links)
    for name in TRUTH_TABLES:
        out[f"truth/{name}"] = to_arrow(truth[name], spec.schema(f"truth/{name}"))
    out["truth/links"] = to_arrow(pd.concat(links, ignore_index=True), spec.schema("truth/links"))
    return out
