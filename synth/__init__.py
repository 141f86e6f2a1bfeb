"""Synthetic, linked family-justice data: ``synth.generate(profile) -> Run``, ``synth.open(path) -> Run``.

The API is imported on first use (PEP 562), so ``import synth.rng`` in a worker process stays light.
See docs/api.md and :mod:`synth.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from synth.errors import InputError, OutputError, ProfileError, SynthError

if TYPE_CHECKING:
    from synth.api import Run, Truth, UnknownTableError, generate, open

__all__ = ["InputError", "OutputError", "ProfileError", "Run", "SynthError", "Truth", "UnknownTableError",
           "generate", "open"]

_API = ("Run", "Truth", "UnknownTableError", "generate", "open")


def __getattr__(name: str) -> Any:
    if name in _API:
        import synth.api

        return getattr(synth.api, name)
    raise AttributeError(f"module 'synth' has no attribute {name!r}")
