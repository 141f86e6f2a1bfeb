"""Distribution kinds: one module per kind, each a class; the registry is built from the modules present.

A new kind is one new module here defining one subclass of :class:`~synth.profile.kinds.base.Kind`
with a one-value ``kind: Literal[...]``; the registry (:data:`KINDS`) and the discriminated union
(:data:`Distribution`) the profile embeds pick it up.
"""

from __future__ import annotations

import importlib
import pkgutil
import typing
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

from pydantic import Field

from synth.profile.kinds.base import (
    MIN_N,
    UNIT_DAYS,
    YEAR,
    Control,
    Judgement,
    Kind,
    Learned,
    Observed,
    too_few,
)
from synth.profile.kinds.categorical import Categorical
from synth.profile.kinds.conditional import Conditional, group_rows
from synth.profile.kinds.histogram import Histogram
from synth.profile.kinds.lognormal import Lognormal
from synth.profile.kinds.poisson import Poisson
from synth.profile.kinds.share import Share
from synth.profile.kinds.survival import Survival

#: Modules of this package that hold shared machinery, not a kind.
SUPPORT_MODULES = ("base", "stats")


def _kind_name(cls: type[Kind]) -> str | None:
    ann = cls.model_fields.get("kind")
    args = typing.get_args(ann.annotation) if ann is not None else ()
    return str(args[0]) if len(args) == 1 else None


def discover() -> dict[str, type[Kind]]:
    """Kind name -> class, from every module of this package (in module-name order)."""
    found: dict[str, type[Kind]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in SUPPORT_MODULES:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Kind) and obj is not Kind \
                    and obj.__module__ == module.__name__ and _kind_name(obj):
                found[_kind_name(obj)] = obj  # type: ignore[index]
    return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))


#: Kind name -> class.
KINDS: dict[str, type[Kind]] = discover()



def build_union(kinds: dict[str, type[Kind]]) -> Any:
    """The discriminated union of ``kinds`` (what a profile's distribution may be)."""
    return Annotated[Union[tuple(kinds.values())], Field(discriminator="kind")]  # noqa: UP007


if TYPE_CHECKING:
    #: For type checkers: any kind (every one has the Kind interface).
    Distribution: TypeAlias = Kind
else:
    #: Any distribution a profile may state, discriminated by ``kind``.
    Distribution = build_union(KINDS)

Conditional.model_rebuild(_types_namespace={"Distribution": Distribution})


def leaf_kind(d: Any) -> str:
    """Return the kind of a distribution, looking through conditionals to their leaves."""
    return str(d.leaf_kind())


def has_provenance(d: Any) -> bool:
    """True when ``d`` or, for a conditional, it or every case carries a source or assumption."""
    return bool(d.has_provenance())


__all__ = [
    "KINDS", "MIN_N", "UNIT_DAYS", "YEAR", "Categorical", "Conditional", "Control", "Distribution", "Histogram",
    "Judgement", "Kind", "Learned", "Lognormal", "Observed", "Poisson", "Share", "Survival", "build_union", "discover",
    "group_rows", "has_provenance", "leaf_kind", "too_few",
]
