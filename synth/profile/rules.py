"""The semantic rules a typed profile must meet beyond its model (part of step 4, check).

Each rule reports through ``add(key path, message)``; all rules run, so every problem is listed at
once. The distribution rules are the registry's (:func:`synth.profile.mechanisms.check_distributions`);
the reference tables are checked by :func:`synth.profile.reference.check_reference_set`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from synth.profile.check import Chain, Problem, fmt_loc, origin
from synth.profile.id_types import check_id_types
from synth.profile.mechanisms import check_distributions, check_fy_means
from synth.profile.models import Profile
from synth.profile.reference import check_reference_set
from synth.profile.sail import check_era_names

#: Adds a problem at a key path.
Add = Callable[[tuple, str], None]

#: The reference tables a profile names (``world.<key>.file``).
PROFILE_TABLES = ("local_authorities", "lsoas", "volumes")

PROVENANCE = "every number needs 'source:' or 'assumption:'; add one"


def _provenance(prof: Profile, add: Add) -> None:
    if not (prof.linkage.alf.source or prof.linkage.alf.assumption):
        add(("linkage", "alf"), PROVENANCE)
    for akey, agency in prof.agencies.items():
        dup = agency.person_duplicates
        if dup is not None and not (dup.source or dup.assumption):
            add(("agencies", akey, "person_duplicates"), PROVENANCE)
        for tkey, table in agency.tables.items():
            for i, col in enumerate(table.columns):
                if col.missing is not None and not (col.missing.source or col.missing.assumption):
                    add(("agencies", akey, "tables", tkey, "columns", i, "missing"), PROVENANCE)


def _table_names(prof: Profile, add: Add) -> None:
    seen: dict[tuple[str, str], str] = {}
    for akey, agency in prof.agencies.items():
        for tkey, table in agency.tables.items():
            where = seen.setdefault((agency.schema_name.lower(), table.name.lower()), f"{akey}.{tkey}")
            if where != f"{akey}.{tkey}":
                add(("agencies", akey, "tables", tkey, "name"),
                    f"table '{table.name}' is already in schema '{agency.schema_name}' ({where}); give it another name")


def _agency_sources(prof: Profile, add: Add) -> None:
    from synth.views.transforms import TRANSFORMS
    from synth.world.schema import ROW_SOURCES, TRUTH_TABLES, resolve_path

    for akey, agency in prof.agencies.items():
        people = agency.coverage.people
        fields = TRUTH_TABLES.get(people, {})
        if people != "person" and not ("person_id" in fields and "proceeding_id" in fields):
            usable = ["person"] + [t for t, f in TRUTH_TABLES.items() if "person_id" in f and "proceeding_id" in f]
            add(("agencies", akey, "coverage", "people"),
                f"'{people}' is not a truth table of people on proceedings; one of: {', '.join(usable)}")
        for tkey, table in agency.tables.items():
            base = ("agencies", akey, "tables", tkey)
            if table.rows not in ROW_SOURCES:
                add(base + ("rows",), f"unknown row source '{table.rows}'; one of: {', '.join(ROW_SOURCES)}")
                continue
            for f in table.where:
                try:
                    resolve_path(table.rows, f)
                except KeyError as e:
                    add(base + ("where", f), str(e.args[0]))
            for i, col in enumerate(table.columns):
                cloc = base + ("columns", i)
                if col.field is not None:
                    try:
                        resolve_path(table.rows, col.field)
                    except KeyError as e:
                        add(cloc + ("field",), str(e.args[0]))
                for j, t in enumerate(col.transforms):
                    if t.name not in TRANSFORMS:
                        close = difflib.get_close_matches(t.name, list(TRANSFORMS), n=1)
                        fix = f"did you mean '{close[0]}'?" if close else f"valid: {', '.join(TRANSFORMS)}"
                        add(cloc + ("transforms", j, "name"), f"unknown transform '{t.name}'; {fix}")
            for j, fk in enumerate(table.foreign_keys):
                if fk.references not in agency.tables:
                    add(base + ("foreign_keys", j, "references"),
                        f"'{fk.references}' is not a table of {akey}; one of: {', '.join(agency.tables)}")


def semantic_problems(prof: Profile, chain: Chain, reference_path: Callable[[str], Path]) -> list[Problem]:
    """Every problem of a typed profile that its model cannot see.

    Args:
        prof: the typed profile.
        chain: the files it came from, child first (to name the file of each problem).
        reference_path: resolves a reference CSV named in the profile to its file.

    Returns:
        ``(file, key path or line, message with the fix)`` for each problem, in the order found.
    """
    out: list[Problem] = []

    def add(loc: tuple, msg: str) -> None:
        out.append((origin(chain, loc), fmt_loc(loc), msg))

    dists = prof.world.distributions
    check_distributions(dists, add)
    _provenance(prof, add)
    first_fy, last_fy = (d.year - (d.month < 4) for d in (prof.period.start, prof.period.end))
    check_fy_means(dists, first_fy, last_fy, add)

    paths: dict[str, Path] = {}
    for key in PROFILE_TABLES:
        ref = getattr(prof.world, key)
        p = reference_path(ref.file)
        if p.is_file():
            paths[key] = p
        else:
            add(("world", key, "file"), f"reference file '{ref.file}' not found next to the profile; "
                "create it or fix the path")
    if len(paths) == len(PROFILE_TABLES):
        out += check_reference_set(paths, prof.world.countries, first_fy, last_fy)

    _table_names(prof, add)
    _agency_sources(prof, add)
    check_id_types(prof, add)
    check_era_names(prof, add)
    return out
