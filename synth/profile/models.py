"""Typed, immutable models of a profile: world, agencies (their tables and columns), linkage.

A profile is data: the world model reads its distributions by name, and each agency's extract is
declared here column by column, so a user adds an agency by writing YAML.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from synth.profile.identifier_errors import IdentifierErrors
from synth.profile.kinds import Distribution
from synth.profile.place import PlaceSpec


class _Model(BaseModel):
    # NaN and +-inf are refused in every number of a profile (YAML .nan, .inf, -.inf).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Period(_Model):
    """The span of issue dates simulated (financial years run 1 April to 31 March)."""

    start: dt.date
    end: dt.date

    @field_validator("end")
    @classmethod
    def _order(cls, v: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and v <= start:
            raise ValueError(f"end {v} must be after start {start}")
        return v


class Size(_Model):
    """Default run size."""

    families: int = Field(gt=0, le=100_000_000)


class ReferenceFile(_Model):
    """A CSV table beside the profile."""

    file: str
    source: str | None = None
    assumption: str | None = None
    note: str | None = None


class World(_Model):
    """Reference tables and the named distributions of the world model."""

    countries: list[Literal["England", "Wales"]] = ["England", "Wales"]
    local_authorities: ReferenceFile
    lsoas: ReferenceFile
    volumes: ReferenceFile
    #: Census ethnic group by LA (synth.world.ethnicity); without it every LA has the target mix.
    ethnic_population: ReferenceFile | None = None
    population: ReferenceFile | None = Field(None, description="Child population by LA, year and age (place).")
    place: PlaceSpec | None = None
    distributions: dict[str, Distribution]


class Missing(_Model):
    """How often a column is left blank: one rate, or rates by financial year (interpolated)."""

    rate: float | None = Field(None, ge=0, le=1)
    by_year: dict[int, float] | None = None
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Missing:
        if (self.rate is None) == (self.by_year is None):
            raise ValueError("give exactly one of 'rate' or 'by_year'")
        if self.by_year and any(not 0 <= v <= 1 for v in self.by_year.values()):
            raise ValueError("by_year rates must be in [0, 1]")
        return self


class Transform(_Model):
    """A named transform applied to a column's values (see synth.views.transforms)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    name: str


class Recode(_Model):
    """Values an agency records as another code at a rate (its own recording, not the truth).

    Attributes:
        rate: Share of the listed values recorded otherwise.
        map: true value (after the column's transforms; ``"*"`` any value) -> the values it may be
            recorded as, one picked evenly.
    """

    rate: float = Field(ge=0, le=1)
    map: dict[str, list[str]]
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _provenance(self) -> Recode:
        if self.source is None and self.assumption is None:
            raise ValueError("a recode needs 'source:' (an address in domain/) or 'assumption:' (why)")
        if any(not v for v in self.map.values()):
            raise ValueError("each recode map entry needs at least one value to record instead")
        return self


#: SQL types a column may declare (``sql_type``), as DB2 / SAIL write them.
SQL_TYPE = re.compile(r"^(BIGINT|INTEGER|SMALLINT|DATE|TIMESTAMP|(CHAR|VARCHAR)\((\d+)\)|DECIMAL\((\d+),(\d+)\))$")
#: The value ``type`` each SQL type can hold (CHAR/VARCHAR of an int64 column store the number as text).
SQL_FITS = {"BIGINT": ("int64",), "INTEGER": ("int64",), "SMALLINT": ("int64",), "CHAR": ("string", "int64"),
            "VARCHAR": ("string", "int64"), "DECIMAL": ("float64", "int64"), "DATE": ("date",),
            "TIMESTAMP": ("datetime", "date")}


def sql_base(sql_type: str) -> str:
    """The SQL type's name without its length or precision: ``CHAR(2)`` -> ``CHAR``."""
    return sql_type.split("(", 1)[0]


class Column(_Model):
    """One column of an agency table and where its values come from.

    Exactly one of ``field`` (a truth field of the row, or ``table.field`` through a reference),
    ``const`` (a constant) or ``id`` (the agency's id for an entity, taken from ``field`` or the
    row itself) says where the values come from.
    """

    name: str
    type: Literal["int64", "string", "date", "datetime", "float64", "bool"]
    field: str | None = None
    const: str | int | float | bool | None = None
    id: str | None = None
    blank: bool = Field(False, description="Always empty (a column of the real shape this view never fills).")
    transforms: list[Transform] = []
    codes: list[str | int] | None = None
    missing: Missing | None = None
    recode: list[Recode] = Field([], description="Values recorded as other codes at a rate (synth.views.project).")
    required: bool = False
    description: str = ""
    sql_type: str | None = Field(None, description=(
        "Physical SQL type as the real table declares it (BIGINT, INTEGER, SMALLINT, CHAR(n), VARCHAR(n), "
        "DECIMAL(p,s), DATE, TIMESTAMP); sets the Parquet and DuckDB type. Without it the type follows 'type'."))

    @field_validator("sql_type")
    @classmethod
    def _sql_type(cls, v: str | None) -> str | None:
        if v is None:
            return None
        norm = re.sub(r"\s+", "", v).upper()
        m = SQL_TYPE.match(norm)
        if not m:
            raise ValueError(f"sql_type '{v}' is not one of BIGINT, INTEGER, SMALLINT, CHAR(n), VARCHAR(n), "
                             "DECIMAL(p,s), DATE, TIMESTAMP; write one of them")
        if m.group(3) is not None and not 1 <= int(m.group(3)) <= 32672:
            raise ValueError(f"sql_type '{v}': length must be 1..32672")
        if m.group(4) is not None and not (1 <= int(m.group(4)) <= 38 and int(m.group(5)) <= int(m.group(4))):
            raise ValueError(f"sql_type '{v}': DECIMAL(p,s) needs 1 <= p <= 38 and s <= p")
        return norm

    @field_validator("transforms", mode="before")
    @classmethod
    def _short_form(cls, v: Any) -> list[Any]:
        return [{"name": t} if isinstance(t, str) else t for t in (v or [])]

    @model_validator(mode="after")
    def _one_source(self) -> Column:
        if self.const is None and self.field is None and self.id is None and not self.blank:
            raise ValueError("say where the values come from: 'field', 'const', 'id' or 'blank: true'")
        if self.const is not None and (self.field is not None or self.id is not None):
            raise ValueError("'const' cannot be combined with 'field' or 'id'")
        if self.sql_type is not None and self.type not in SQL_FITS[sql_base(self.sql_type)]:
            fits = [k for k, v in SQL_FITS.items() if self.type in v]
            raise ValueError(f"sql_type {self.sql_type} cannot hold type {self.type}; use type "
                             f"{' or '.join(SQL_FITS[sql_base(self.sql_type)])}, or an sql_type of {', '.join(fits)}")
        return self


class ForeignKey(_Model):
    """Columns of this table that must match the key of another table of the same agency."""

    columns: list[str]
    references: str
    ref_columns: list[str]


class Table(_Model):
    """An agency table: which truth rows it is made from and its columns."""

    name: str
    rows: str
    where: dict[str, list[str | int | bool]] = {}
    key: list[str]
    foreign_keys: list[ForeignKey] = []
    description: str = ""
    columns: list[Column]
    not_modelled: dict[str, str] = Field({}, description=(
        "Columns of the real table this view does not produce, each with why (source or reason); "
        "listed in the dictionary, and `synth sql` names them when a query reads one."))

    @model_validator(mode="after")
    def _keys_exist(self) -> Table:
        names = [c.name for c in self.columns]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"duplicate column names: {sorted(dup)}")
        missing = [k for k in self.key if k not in names]
        for fk in self.foreign_keys:
            missing += [c for c in fk.columns if c not in names]
        if missing:
            raise ValueError(f"key columns not among the table's columns: {missing}")
        both = sorted(set(self.not_modelled) & set(names))
        if both:
            raise ValueError(f"not_modelled lists columns the table has: {both}; remove them from not_modelled")
        return self


class Coverage(_Model):
    """Which proceedings an agency sees."""

    country: list[Literal["England", "Wales"]] = ["England", "Wales"]
    law_type: list[Literal["public", "private"]] = ["public", "private"]
    people: str = Field("proceeding_party", description=(
        "Truth table whose people get this agency's person records: proceeding_party (the parties "
        "to its proceedings), person (everyone in the covered families) or another truth table "
        "with person_id and proceeding_id, such as care_episode."))
    spine_only: bool = Field(False, description="Only people on the SAIL demographic spine (linkage.alf.on_spine).")


class Duplicates(_Model):
    """Duplicate person records: a person gets a second agency id on a later case."""

    rate: float = Field(ge=0, le=0.5)
    source: str | None = None
    assumption: str | None = None
    note: str | None = None


class Agency(_Model):
    """One agency's extract: coverage, id salt, recording behaviour and tables."""

    title: str
    schema_name: str
    description: str = ""
    modelled: bool = Field(False, description="True when names are modelled, not copied from a public spec.")
    coverage: Coverage = Coverage.model_validate({})
    id_salt: str
    person_duplicates: Duplicates | None = None
    identifier_errors: IdentifierErrors | None = None
    sail_linkage: bool = Field(False, description="Records are matched to ALFs (ALF, status and score columns).")
    sail_dataset: bool = Field(False, description=(
        "A dataset as SAIL provisions it: its encrypted-id columns (names ending _E) follow linkage.ids."))
    tables: dict[str, Table]


class AlfModel(_Model):
    """The SAIL match model (synth.views.alf): who gets an ALF, with which status and score."""

    on_spine: float = Field(ge=0, le=1, description="Share of people findable on the demographic spine.")
    weights: dict[Literal["surname", "forename", "date_of_birth", "sex", "postcode"], float]
    accept: float = Field(0.5, ge=0, le=1, description="Lowest score of a probabilistic match (status 35).")
    high: float = Field(0.9, ge=0, le=1, description="Lowest score of status 39.")
    noise: float = Field(0.05, ge=0, le=0.5, description="Spread of the score beyond field agreement.")
    false_match_rate: float = Field(0.0, ge=0, le=0.2)
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @field_validator("weights")
    @classmethod
    def _sum(cls, v: dict[str, float]) -> dict[str, float]:
        missing = {"surname", "forename", "date_of_birth", "sex", "postcode"} - set(v)
        if missing:
            raise ValueError(f"weights for {sorted(missing)} are missing; give all five fields")
        total = sum(v.values())
        if abs(total - 1) > 1e-6:
            raise ValueError(f"weights sum to {total:.6g}, not 1; rescale them")
        return v

    @model_validator(mode="after")
    def _order(self) -> AlfModel:
        if self.high < self.accept:
            raise ValueError(f"high ({self.high}) must not be below accept ({self.accept})")
        return self


class Linkage(_Model):
    """SAIL-style linking fields."""

    ids: Literal["E", "PE"] = Field("E", description=(
        "Id naming era of every SAIL dataset (agencies with sail_dataset: true): E keeps the encrypted "
        "ids as written (ALF_E, SYSTEM_ID_E, PERS_ID_E, RALF_E; the older pipelines, schemas.md 1.2); PE "
        "renames each column ending _E to _PE (ALF_PE, SYSTEM_ID_PE; project-encrypted, newer projects)."))
    alf: AlfModel


class Figure(_Model):
    """A published figure the output should reproduce (checked by ``synth validate``).

    ``measure`` names a function in synth.validate.figures; the check passes when the achieved
    value is within ``realism_z`` standard errors plus ``allowance`` (for approximate figures).
    """

    measure: str
    target: float
    allowance: float = Field(0.0, ge=0)
    law_type: Literal["public", "private"] | None = None
    agency: str | None = None
    years: float | None = None
    source: str | None = None
    assumption: str | None = None
    note: str | None = None


class Checks(_Model):
    """Validation settings."""

    realism_z: float = Field(4.0, gt=0, description="Tolerance in standard errors for realism checks.")
    figures: dict[str, Figure] = {}


class IdType(_Model):
    """The one type of an identifier kind (the ``id:`` of columns), declared once (synth.profile.id_types)."""

    type: Literal["int64", "string"]
    sql_type: Literal["BIGINT", "INTEGER"] | None = None
    description: str = ""


class Profile(_Model):
    """A whole, merged profile."""

    name: str
    description: str = ""
    seed: int = Field(ge=0)
    period: Period
    size: Size
    world: World
    agencies: dict[str, Agency]
    linkage: Linkage
    checks: Checks = Checks.model_validate({})
    id_types: dict[str, IdType] = Field({}, description="Type of each identifier kind, declared once.")
