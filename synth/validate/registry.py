"""The registry of checks: adding a check is writing one decorated function.

A check is a function registered with :func:`check` under its group (``integrity``, ``realism``
or ``privacy``), a stable name (the name of the results it returns), and what it needs:

* ``truth``: truth tables it reads; when one is missing the check records "could not run";
* ``agencies``: agencies it reads; when the run was generated without one (``--agencies``) the
  check is skipped with the reason shown;
* ``each``: ``"agency_table"`` to run once per agency table of the run (called as
  ``fn(run, table)``; a missing table makes it "could not run" for that table only),
  ``"truth_table"`` once per truth table (``fn(run, name)``), or None to run once (``fn(run)``);
* ``applies``: for ``each="agency_table"``, which table specs it applies to;
* ``reference``: it compares with ``--reference`` records (called as ``fn(run, references)``,
  and not at all without ``--reference``).

A check returns an iterable of :class:`~synth.validate.core.CheckResult` (or one result). It may
raise: the runner turns any exception into a "could not run" result, so a check is written for a
well-formed run and never has to guard itself. Checks are collected lazily from the modules in
:data:`CHECK_MODULES`, pandera-style: importing a module registers its checks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from synth.validate.core import GROUPS

#: Modules whose import registers checks (a check in a new module: add the module here).
CHECK_MODULES = (
    "synth.validate.integrity",
    "synth.validate.care_rules",
    "synth.validate.deaths",
    "synth.validate.realism_checks",
    "synth.validate.place_rates",
    "synth.validate.emergent",
    "synth.validate.volumes",
    "synth.validate.la_codes",
    "synth.validate.privacy",
    "synth.validate.quality",
)
EACH = (None, "agency_table", "truth_table")


class AgencyTable(NamedTuple):
    """One agency table of a run, as handed to an ``each="agency_table"`` check."""

    agency: str
    key: str
    spec: Any
    label: str


@dataclass(frozen=True)
class Check:
    """A registered check (see the module docstring for the fields)."""

    id: str
    group: str
    name: str
    fn: Callable[..., Any]
    truth: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    each: str | None = None
    applies: Callable[[Any], bool] | None = None
    reference: bool = False
    doc: str = ""


REGISTRY: dict[str, Check] = {}


def check(group: str, name: str | None = None, *, id: str | None = None, truth: Iterable[str] = (),  # noqa: A002
          agencies: Iterable[str] = (), each: str | None = None, applies: Callable[[Any], bool] | None = None,
          reference: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a check.

    Args:
        group: ``integrity``, ``realism`` or ``privacy``.
        name: the name of its results (default: the function's name).
        id: a unique id in the registry when two checks give results of one name (default: name).
        truth: truth tables it reads.
        agencies: agencies it reads (skipped when the run lacks one).
        each: None, ``"agency_table"`` or ``"truth_table"``.
        applies: for ``each="agency_table"``: whether a table spec gets this check.
        reference: whether it compares with ``--reference`` records.

    Returns:
        The decorator, which returns the function unchanged.

    Raises:
        ValueError: for an unknown group or ``each``, or an id registered twice by different functions.
    """
    if group not in GROUPS:
        raise ValueError(f"check group {group!r} is not one of {', '.join(GROUPS)}")
    if each not in EACH:
        raise ValueError(f"each={each!r} is not one of {EACH}")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        result_name = name or fn.__name__
        key = f"{group}.{id or result_name}"
        old = REGISTRY.get(key)
        if old is not None and (old.fn.__module__, old.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"check {key} is registered twice ({old.fn.__module__} and {fn.__module__})")
        REGISTRY[key] = Check(key, group, result_name, fn, tuple(truth), tuple(agencies), each, applies,
                              reference, (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "")
        return fn

    return register


def registered(groups: Iterable[str] | None = None) -> list[Check]:
    """Every registered check (importing the check modules first), in group order then registration order."""
    for module in CHECK_MODULES:
        importlib.import_module(module)
    wanted = tuple(groups) if groups is not None else GROUPS
    return [c for g in wanted for c in REGISTRY.values() if c.group == g]
