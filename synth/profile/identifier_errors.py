"""Profile models for identifier errors: how often an agency records a person's identifiers wrongly.

The section lists, for each identifier field, the kinds of error an agency makes and a rate for
each, with optional multipliers for groups of people (the MoJ ``splink_synthetic_data`` idea of
error rates that depend on the record; domain/peers.md 1.6)::

    identifier_errors:
      forename:
        - {kind: nickname, rate: 0.03, source: "..."}
        - kind: typo
          rate: 0.01
          multipliers: [{when: {ethnicity_not: [WBRI]}, times: 2}]
          assumption: "..."
      surname:
        - {kind: change, rate: 0.01, multipliers: [{when: {is_adult: true, sex: 2}, times: 8}], source: "..."}

A group (``when:``) is a few characteristics of the record that must all hold: ``is_adult``,
``sex`` (1/2), ``age_years_below``, ``age_years_at_least`` (age when the record was made),
``ethnicity`` or ``ethnicity_not`` (DfE codes), ``created_before`` / ``created_from`` (the calendar
year the record was made: errors by era). An entry's own ``when:`` limits the
kind to that group; each multiplier whose group holds multiplies the rate (they compound).

The kinds of one field are mutually exclusive (a record gets at most one error per field), so the
rates of a field must not add up to more than 1 for any group of people; that is checked here over
every combination of characteristics the groups tell apart, taking adults to be those aged 18 or
over (so an "unborn adult" is never counted). Every entry needs ``source:`` or ``assumption:``,
like every other number in a profile.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

#: The kinds of error each identifier field can have (synth.views.identifiers implements them).
FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "forename": ("typo", "phonetic", "nickname", "swap", "baby", "missing"),
    "surname": ("typo", "phonetic", "change", "hyphenate", "missing"),
    "date_of_birth": ("day_month_swap", "day_offset", "year_typo", "relative", "missing"),
    "sex": ("miscode", "missing"),
    "nhs_number": ("typo", "relative", "missing"),
    "postcode": ("typo", "moved", "missing"),
}

#: Age (years) from which the total-rate check takes a person to be an adult.
ADULT_AGE = 18.0

PROVENANCE = "every number needs 'source:' (an address in domain/) or 'assumption:' (why); add one"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Model):
    """A group of people, by the characteristics of their record; every key given must hold.

    Attributes:
        is_adult: Adults (true) or children (false).
        sex: 1 male, 2 female.
        age_years_below: Age when the record was made is below this (negative ages are unborn).
        age_years_at_least: Age when the record was made is at least this.
        ethnicity: DfE ethnicity code is one of these.
        ethnicity_not: DfE ethnicity code is none of these (a missing code counts as not listed).
        created_before: The record was made before 1 January of this year.
        created_from: The record was made in this year or later.
    """

    is_adult: bool | None = None
    sex: Literal[1, 2] | None = None
    age_years_below: float | None = None
    age_years_at_least: float | None = None
    ethnicity: tuple[str, ...] | None = None
    ethnicity_not: tuple[str, ...] | None = None
    created_before: int | None = Field(None, ge=1900, le=2100)
    created_from: int | None = Field(None, ge=1900, le=2100)

    @field_validator("ethnicity", "ethnicity_not")
    @classmethod
    def _codes(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None:
            bad = [c for c in v if not (len(c) == 4 and c.isalpha() and c.isupper())]
            if bad:
                raise ValueError(f"ethnicity codes are DfE 4-letter upper-case codes (e.g. WBRI); got {bad}")
            if not v:
                raise ValueError("list at least one ethnicity code")
        return v

    @model_validator(mode="after")
    def _sensible(self) -> Group:
        if all(getattr(self, k) is None for k in type(self).model_fields):
            raise ValueError("a group needs at least one of: " + ", ".join(type(self).model_fields))
        if self.ethnicity is not None and self.ethnicity_not is not None:
            raise ValueError("give 'ethnicity' or 'ethnicity_not', not both")
        lo, hi = self.age_years_at_least, self.age_years_below
        if lo is not None and hi is not None and lo >= hi:
            raise ValueError(f"age_years_at_least ({lo}) must be below age_years_below ({hi}): nobody is in this group")
        return self


class Multiplier(_Model):
    """Multiply a kind's rate for the people in a group (multipliers of several groups compound)."""

    when: Group
    times: float = Field(ge=0, le=1000)


class ErrorRate(_Model):
    """One kind of error for one field: its rate, who it applies to and where the number comes from.

    Attributes:
        kind: The kind of error (valid kinds depend on the field; see ``FIELD_KINDS``).
        rate: Share of records with this error, before multipliers.
        when: If given, only people in this group can have this error (others: rate 0).
        multipliers: Groups whose rate is multiplied.
    """

    FIELD: ClassVar[str] = ""
    kind: str
    rate: float = Field(ge=0, le=1)
    when: Group | None = None
    multipliers: list[Multiplier] = []
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        kinds = FIELD_KINDS[cls.FIELD]
        if v not in kinds:
            raise ValueError(f"unknown kind '{v}' for {cls.FIELD}; valid kinds: {', '.join(kinds)}")
        return v

    @model_validator(mode="after")
    def _provenance(self) -> ErrorRate:
        if not (self.source or self.assumption):
            raise ValueError(PROVENANCE)
        return self


class ForenameError(ErrorRate):
    """An error kind for forenames."""

    FIELD: ClassVar[str] = "forename"


class SurnameError(ErrorRate):
    """An error kind for surnames."""

    FIELD: ClassVar[str] = "surname"


class DateOfBirthError(ErrorRate):
    """An error kind for dates of birth."""

    FIELD: ClassVar[str] = "date_of_birth"


class SexError(ErrorRate):
    """An error kind for sex."""

    FIELD: ClassVar[str] = "sex"


class NhsNumberError(ErrorRate):
    """An error kind for NHS numbers."""

    FIELD: ClassVar[str] = "nhs_number"


class PostcodeError(ErrorRate):
    """An error kind for postcodes."""

    FIELD: ClassVar[str] = "postcode"


class Hurried(_Model):
    """Errors that come together: a share of records is made in a hurry and has every rate raised.

    A record is hurried with probability ``share``; its rates of every field and kind are multiplied
    by ``times`` and those of the other records by ``(1 - share * times) / (1 - share)``, so the
    mean rate is unchanged while a hurried record tends to have several errors at once. An entry
    at rate 1 (a field the agency never holds) is not scaled.
    """

    share: float = Field(ge=0, le=1)
    times: float = Field(ge=1, le=100)
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> Hurried:
        if not (self.source or self.assumption):
            raise ValueError(PROVENANCE)
        if self.share * self.times > 1:
            raise ValueError(f"share x times is {self.share * self.times:.3g}: hurried records would hold more than "
                             "every error; lower share or times so that share x times <= 1")
        return self

    def multipliers(self, u: np.ndarray) -> np.ndarray:
        """Each record's rate multiplier from a uniform draw per record."""
        rest = (1 - self.share * self.times) / (1 - self.share) if self.share < 1 else 0.0
        return np.where(u < self.share, self.times, rest)


class IdentifierErrors(_Model):
    """An agency's identifier errors: for each field, its error kinds and their rates.

    ``hurried`` (optional) correlates the errors of a record (see :class:`Hurried`).
    """

    hurried: Hurried | None = None
    forename: list[ForenameError] = []
    surname: list[SurnameError] = []
    date_of_birth: list[DateOfBirthError] = []
    sex: list[SexError] = []
    nhs_number: list[NhsNumberError] = []
    postcode: list[PostcodeError] = []
    note: str | None = None

    @field_validator(*FIELD_KINDS)
    @classmethod
    def _field_total(cls, entries: list[ErrorRate], info: ValidationInfo) -> list[ErrorRate]:
        kinds = [e.kind for e in entries]
        twice = sorted({k for k in kinds if kinds.count(k) > 1})
        if twice:
            raise ValueError(f"kind {', '.join(repr(k) for k in twice)} listed more than once for "
                             f"{info.field_name}; give one entry per kind (use multipliers for groups)")
        total, group = worst_total(entries)
        if total > 1 + 1e-9:
            raise ValueError(f"the {info.field_name} rates add up to {total:.4g} (more than 1) for people with "
                             f"{group}; a record can have only one error per field, so lower the rates or "
                             "multipliers")
        return entries

    def for_field(self, field: str) -> list[ErrorRate]:
        """The entries of one field (empty when it has none)."""
        return getattr(self, field)


def _cells(groups: list[Group]) -> list[dict]:
    """Representative people, one for each combination of characteristics that ``groups`` tell apart.

    Age is split at every bound named (and at ``ADULT_AGE``); a person is an adult when at least
    ``ADULT_AGE``, so impossible combinations (an unborn adult) are not counted.
    """
    cuts = sorted({ADULT_AGE, *(g.age_years_below for g in groups if g.age_years_below is not None),
                   *(g.age_years_at_least for g in groups if g.age_years_at_least is not None)})
    # One age in each interval [cut_i, cut_i+1), and one below every cut.
    ages = [(cuts[0] - 1.0, f"below {cuts[0]:g}")]
    ages += [(c, f"{c:g} or over" if i == len(cuts) - 1 else f"{c:g} to under {cuts[i + 1]:g}")
             for i, c in enumerate(cuts)]
    codes = sorted({c for g in groups for c in (g.ethnicity or g.ethnicity_not or ())}) + [None]
    year_cuts = sorted({y for g in groups for y in (g.created_before, g.created_from) if y is not None})
    years = [y - 1 for y in year_cuts] + year_cuts[-1:] or [2000]
    return [{"is_adult": age >= ADULT_AGE, "sex": sex, "age_years": age, "age_text": text, "ethnicity": code,
             "created_year": year}
            for (age, text), sex, code, year in itertools.product(ages, (1, 2), codes, years)]


def group_holds(group: Group, person: dict) -> bool:
    """True when one representative person (``_cells``) is in ``group``."""
    g = group
    return ((g.is_adult is None or person["is_adult"] == g.is_adult)
            and (g.sex is None or person["sex"] == g.sex)
            and (g.age_years_below is None or person["age_years"] < g.age_years_below)
            and (g.age_years_at_least is None or person["age_years"] >= g.age_years_at_least)
            and (g.ethnicity is None or person["ethnicity"] in g.ethnicity)
            and (g.ethnicity_not is None or person["ethnicity"] not in g.ethnicity_not)
            and (g.created_before is None or person["created_year"] < g.created_before)
            and (g.created_from is None or person["created_year"] >= g.created_from))


def effective_rate(entry: ErrorRate, person: dict) -> float:
    """The rate of one entry for one representative person, after ``when`` and multipliers."""
    if entry.when is not None and not group_holds(entry.when, person):
        return 0.0
    rate = entry.rate
    for m in entry.multipliers:
        if group_holds(m.when, person):
            rate *= m.times
    return rate


def worst_total(entries: Sequence[ErrorRate]) -> tuple[float, str]:
    """The largest total rate of a field's entries over every group of people they tell apart.

    Returns:
        The total and a description of the people who get it.
    """
    groups = [g for e in entries for g in ([e.when] if e.when else []) + [m.when for m in e.multipliers]]
    best, who = 0.0, "any characteristics"
    for person in _cells(groups):
        total = sum(effective_rate(e, person) for e in entries)
        if total > best:
            best, who = total, _describe(person, groups)
    return best, who


def _describe(person: dict, groups: list[Group]) -> str:
    """Plain words for a representative person, naming only what the groups look at."""
    parts = []
    if any(g.is_adult is not None or g.age_years_below is not None or g.age_years_at_least is not None
           for g in groups):
        parts.append(f"age {person['age_text']} ({'adult' if person['is_adult'] else 'child'})")
    if any(g.sex is not None for g in groups):
        parts.append(f"sex {person['sex']}")
    if any(g.ethnicity or g.ethnicity_not for g in groups):
        parts.append(f"ethnicity {person['ethnicity'] or 'another code'}")
    if any(g.created_before or g.created_from for g in groups):
        parts.append(f"record made in {person['created_year']}")
    return ", ".join(parts) or "any characteristics"
