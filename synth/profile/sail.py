"""The SAIL id naming era: one profile setting (``linkage.ids``) applied to every SAIL dataset alike.

SAIL tables carry encrypted identifiers with the suffix ``_E`` (ALF_E, SYSTEM_ID_E, PERS_ID_E,
RALF_E, PRAC_CD_E) in the older pipelines, and project-encrypted ones with ``_PE`` (ALF_PE, ...) in
newer projects (schemas.md 1.2); a project sees one naming or the other, consistently. A profile
writes the canonical ``_E`` names; :func:`apply_id_era` renames them for era ``PE`` in every agency
marked ``sail_dataset: true`` (columns, keys and foreign keys alike), so the views, the dictionary,
the validators and ``truth/`` all see the renamed columns.
"""

from __future__ import annotations

from collections.abc import Callable

from synth.profile.models import Agency, Profile, Table

#: The encrypted-id suffix a profile writes, in either case.
_SUFFIXES = ("_E", "_e")


def era_name(name: str, ids: str) -> str:
    """A column name in the id era ``ids`` (``E`` or ``PE``): ``ALF_E`` -> ``ALF_PE``, ``record1id_e`` -> ``..._pe``.

    Args:
        name: the canonical name as the profile writes it.
        ids: the era, ``E`` or ``PE``.
    """
    if ids == "PE" and name.endswith(_SUFFIXES):
        return name[:-1] + ("PE" if name[-1] == "E" else "pe")
    return name


def alf_column(ids: str) -> str:
    """The ALF column of a SAIL person table in the era: ``ALF_E`` or ``ALF_PE``."""
    return era_name("ALF_E", ids)


def _table(table: Table, ids: str) -> Table:
    def ren(names: list[str]) -> list[str]:
        return [era_name(n, ids) for n in names]

    cols = [c.model_copy(update={"name": era_name(c.name, ids)}) for c in table.columns]
    fks = [fk.model_copy(update={"columns": ren(fk.columns), "ref_columns": ren(fk.ref_columns)})
           for fk in table.foreign_keys]
    return table.model_copy(update={"columns": cols, "key": ren(table.key), "foreign_keys": fks})


def apply_id_era(profile: Profile) -> Profile:
    """The profile with every SAIL dataset's encrypted-id columns named in ``profile.linkage.ids``.

    Args:
        profile: a checked profile (canonical ``_E`` names).

    Returns:
        The same profile when the era is ``E``; otherwise a copy with ``_E`` columns renamed ``_PE``.
    """
    ids = profile.linkage.ids
    if ids == "E":
        return profile
    agencies: dict[str, Agency] = {}
    for key, ag in profile.agencies.items():
        if ag.sail_dataset:
            ag = ag.model_copy(update={"tables": {k: _table(t, ids) for k, t in ag.tables.items()}})
        agencies[key] = ag
    return profile.model_copy(update={"agencies": agencies})


def check_era_names(profile: Profile, add: Callable[[tuple, str], None]) -> None:
    """Report ``_PE`` names written in a SAIL dataset (the profile writes ``_E``; linkage.ids renames).

    Args:
        profile: the typed profile, before :func:`apply_id_era`.
        add: reports a problem at a key path.
    """
    for akey, ag in profile.agencies.items():
        if not ag.sail_dataset:
            continue
        for tkey, t in ag.tables.items():
            for i, c in enumerate(t.columns):
                if c.name.upper().endswith("_PE"):
                    add(("agencies", akey, "tables", tkey, "columns", i, "name"),
                        f"write the canonical name '{c.name[:-2] + c.name[-1]}'; "
                        "linkage.ids: PE renames every _E column of a SAIL dataset to _PE")
