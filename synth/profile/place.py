"""The profile's ``world.place`` block: how local authorities differ and how years change.

Every number carries ``source:`` or ``assumption:`` like a distribution. Read by
:mod:`synth.world.place`, which turns it into per-LA arrays and per-year tables.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Provenance(_Model):
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _provenance(self) -> _Provenance:
        if not (self.source or self.assumption):
            raise ValueError("every number needs 'source:' (an address in domain/) or 'assumption:' (why); add one")
        return self


class YearSeries(_Provenance):
    """A published series by financial year; years between two given ones are interpolated
    linearly, years outside them hold the nearest given value (say so in ``note``)."""

    by_year: dict[int, float] = Field(min_length=1)

    def at(self, years: list[int]) -> list[float]:
        """The series at each year (linear between given years, flat outside)."""
        ys = sorted(self.by_year)
        return [float(v) for v in np.interp(years, ys, [self.by_year[y] for y in ys])]


class Spread(_Provenance):
    """Sigma of a lognormal LA propensity (median 1)."""

    sigma: float = Field(ge=0, le=3)


class PublishedRates(_Provenance):
    """Care applications per 10,000 children published for single LAs: GSS code -> [rate, fy].

    The LA's propensity is its rate over the national rate of that year (the volume table's
    England public law count over the child population).
    """

    rates: dict[str, tuple[float, int]]


class RegionalPractice(_Provenance):
    """Care orders at home north and west of a Hull-Bristol line: there a share of the
    supervision orders a child at home would get elsewhere is a care order instead."""

    north_west_regions: list[str]
    north_west_las: list[str] = []
    supervision_to_care_order: float = Field(ge=0, le=1)


class VolumeIndex(YearSeries):
    """A series that fills the volume table's unpublished years of one law type: the count of
    year y becomes ``count(anchor) * index(y) / index(anchor)`` for each y in ``fill_years``."""

    law_type: str
    anchor: int
    fill_years: list[int]


class YearEffects(_Model):
    """National series entered as year effects on the mechanisms."""

    sgo_share: YearSeries | None = None
    sgo_reference_share: float | None = Field(default=None, gt=0, lt=1)
    older_teen_share: YearSeries | None = None
    newborn_odds: YearSeries | None = None
    private_law_volume: VolumeIndex | None = None


class PlaceSpec(_Model):
    """LA heterogeneity (propensities drawn per LA from the run seed) and year effects."""

    entry_spread: Spread
    private_spread: Spread
    private_region: dict[str, float] = {}
    private_region_source: str | None = None
    published_rates: PublishedRates | None = None
    sgo_spread: Spread | None = None
    regional_practice: RegionalPractice | None = None
    year_effects: YearEffects = Field(default_factory=YearEffects)
