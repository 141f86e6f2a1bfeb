"""Realism observers: how each named distribution is read back from the truth tables.

Importing this package registers every observer against its mechanism's name
(:func:`synth.profile.mechanisms.observer`); a test proves every mechanism has one.
"""

from __future__ import annotations

from synth.validate.observers import cafcass, care, court, court_orders

__all__ = ["cafcass", "care", "court", "court_orders"]
