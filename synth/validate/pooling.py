"""Realism measured slice by slice: what an observer gives on each slice of the families, pooled.

Validating a million families does not hold the truth tables in memory at once: the realism check
reads them a slice of part files at a time (a family's rows are all in one part), calls every
observer on each slice and pools the slices' observations into what the observer gives on the whole
run. A sample is pooled by concatenating the slices' samples in run order, so it equals the whole
run's sample value for value and in the same order whenever the observer keeps rows in run order or
sorts them by ids (ids grow from part to part). An option computed from the whole sample (a design
effect, an expected share) is a :class:`Pooled` value: each slice gives its ingredients and the
option is finished once from all of them. An option that differs between slices and is not pooled
cannot be combined (:class:`NotPoolable`): the realism check then measures that distribution on the
whole run at once, correct but as costly in memory as before slicing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.profile.kinds import Observed

#: Families per slice the realism check reads at a time (some 150 MB of pandas per process at this size).
SLICE_FAMILIES = 25_000
#: Processes observing slices at once (the machines this is benchmarked on have two cores).
WORKERS = 2


class Failure:
    """A measure that raised on a slice: the reason, as ``Type: message`` (picklable, unlike some errors)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class NotPoolable(TypeError):
    """An observation option differs between slices and is not a :class:`Pooled` value."""


class Pooled:
    """An observation option finished from every slice's ingredients (e.g. a design effect).

    Args:
        parts: this slice's ingredients (a list; slices' lists are joined in run order).
        finish: the option's value from the ingredients of every slice (and ``context``); a
            module-level function (synth.validate.observers.finish), so the value can be pickled.
        context: further arguments of ``finish`` (the same on every slice).
    """

    def __init__(self, parts: list[Any], finish: Callable[..., Any], *context: Any) -> None:
        self.parts, self.finish, self.context = parts, finish, context

    def __add__(self, other: Pooled) -> Pooled:
        return Pooled(self.parts + other.parts, self.finish, *self.context)

    def value(self) -> Any:
        """The option's value over every slice pooled so far."""
        return self.finish(self.parts, *self.context)


def finished(options: dict[str, Any]) -> dict[str, Any]:
    """Options with every :class:`Pooled` value finished (those without one unchanged)."""
    return {k: v.value() if isinstance(v, Pooled) else v for k, v in options.items()}


def slices(part_names: Sequence[str], families: int | None, per_slice: int = SLICE_FAMILIES) -> list[list[str] | None]:
    """The part files read together, in run order: ``[None]`` (everything at once) for a small run.

    Args:
        part_names: the truth tables' part file names, in run order.
        families: the run's families (from the manifest), to size the slices.
        per_slice: families per slice.

    Returns:
        Lists of part file names, or ``[None]`` when the run fits in one slice.
    """
    n = len(part_names)
    if n <= 1 or not families or families <= per_slice:
        return [None]
    k = max(1, round(per_slice * n / families))
    return [list(part_names[i:i + k]) for i in range(0, n, k)]


class Packed:
    """A slice's labels (text with no blanks) held as category codes until the slices are pooled.

    A million families' labels as Python strings (or fixed-width numpy text) take gigabytes; as
    codes they take a byte or two each. :func:`pool` unpacks them into what the observer gave:
    a Series of the same labels (object dtype, index dropped) or an array of the same dtype.
    """

    def __init__(self, value: pd.Series | np.ndarray) -> None:
        self.series = isinstance(value, pd.Series)
        self.dtype = value.dtype
        self.codes = pd.Categorical(value.to_numpy() if isinstance(value, pd.Series) else value)

    @staticmethod
    def fits(value: Any) -> bool:
        """Whether a value is text this packs and unpacks unchanged."""
        if isinstance(value, pd.Series) and value.dtype == object:
            return len(value) > 0 and bool(value.map(type).eq(str).all())
        return isinstance(value, np.ndarray) and value.dtype.kind == "U" and value.ndim == 1

    @staticmethod
    def unpack(packs: list[Packed]) -> pd.Series | np.ndarray:
        """The labels of several packs, in order."""
        cats = pd.api.types.union_categoricals([p.codes for p in packs]) if len(packs) > 1 else packs[0].codes
        values = np.asarray(cats, dtype=object)
        if packs[0].series:
            return pd.Series(values, dtype=object)
        dtype = max((p.dtype for p in packs), key=lambda d: d.itemsize)  # the widest text, as on the whole run
        return values.astype(dtype) if len(values) else np.array([], dtype=dtype)


def pack(obs: dict[tuple, Any]) -> dict[tuple, Any]:
    """A slice's observations with its text samples as :class:`Packed` codes (the rest unchanged)."""
    return {k: _pack(v) for k, v in obs.items()}


def _pack(value: Any) -> Any:
    if isinstance(value, Observed):
        return Observed(_pack(value.data), value.options)
    if isinstance(value, tuple):
        return tuple(_pack(v) for v in value)
    return Packed(value) if Packed.fits(value) else value


def pool(values: list[Any]) -> Any:
    """The slices' values of one case as one value (samples concatenated in run order).

    Raises:
        TypeError: for a value of a type it cannot pool, or options that differ but are not pooled.
    """
    first = values[0]
    if any(isinstance(v, Packed) for v in values):
        if not all(isinstance(v, Packed) and v.series == first.series for v in values):
            values = [Packed.unpack([v]) if isinstance(v, Packed) else v for v in values]
            return pool(values)
        return Packed.unpack(values)
    if len(values) == 1:
        if isinstance(first, Observed):
            return Observed(pool([first.data]), first.options)
        if isinstance(first, tuple):
            return tuple(None if x is None else pool([x]) for x in first)
        return first
    if isinstance(first, Observed):
        options = dict(first.options)
        for v in values[1:]:
            for k, o in v.options.items():
                if isinstance(o, Pooled) and isinstance(options.get(k), Pooled):
                    continue  # pooled over every slice by pool_observations
                if k not in options or not _same(options[k], o):
                    raise NotPoolable(f"option {k} differs between slices; make it a Pooled value")
        return Observed(pool([v.data for v in values]), options)
    if isinstance(first, tuple):
        return tuple(None if first[i] is None else pool([v[i] for v in values]) for i in range(len(first)))
    if isinstance(first, pd.Series):
        return pd.concat(values)
    if isinstance(first, np.ndarray):
        return np.concatenate(values)
    if isinstance(first, list):
        return [x for v in values for x in v]
    raise TypeError(f"cannot pool observations of type {type(first).__name__}")


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def pool_observations(per_slice: list[dict[tuple, Any]]) -> dict[tuple, Any]:
    """One observer's observations on every slice as its observations on the whole run.

    A :class:`Pooled` option is one value for every case of a slice (a design effect of the whole
    slice), so it is pooled over every slice, including those where a case has no observation.
    """
    keys: dict[tuple, None] = {}
    pooled: dict[str, Pooled] = {}
    for obs in per_slice:
        keys.update(dict.fromkeys(obs))
        mine: dict[str, Pooled] = {}
        for v in obs.values():
            if isinstance(v, Observed):
                mine.update({k: o for k, o in v.options.items() if isinstance(o, Pooled) and k not in mine})
        for name, o in mine.items():
            pooled[name] = pooled[name] + o if name in pooled else o
    out = {case: pool([obs[case] for obs in per_slice if case in obs]) for case in keys}
    for case, v in out.items():
        if isinstance(v, Observed) and any(isinstance(o, Pooled) for o in v.options.values()):
            out[case] = Observed(v.data, {n: pooled[n] if isinstance(o, Pooled) else o for n, o in v.options.items()})
    return out


def release_memory() -> None:
    """Give freed memory back to the system (Python's heap via glibc's malloc_trim, Arrow's pool)."""
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass
