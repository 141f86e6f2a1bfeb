"""An agency's declaration read backwards: which column holds which truth field, and how to decode it.

The profile says, for every agency column, which truth field it comes from and through which
transforms. ``synth learn`` uses that to find, for example, the column holding a child's final
order or a case's issue date in any agency, and to undo code maps (``Placement Order`` ->
``care_and_placement_order``) and date truncations (week or month of birth -> a range of days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.profile.models import Agency, Column, Table
from synth.world.schema import id_field

#: Fields that identify a person directly. A table holding any of them (an identifiable "File 1")
#: is never read: synth learn works on de-identified research extracts only.
IDENTIFYING = ("nhs_number", "forename", "surname", "postcode", "address_1", "address_2", "address_3", "upn")

#: Transforms that turn a date into a coarser date, and the width (days) of the range it stands for.
DATE_RANGES = {"week_of_birth": "week", "month_start": "month"}


def identifying(table: Table) -> bool:
    """Whether a declared table holds direct identifiers (names, NHS numbers, addresses)."""
    return any((c.field or "").split(".")[-1] in IDENTIFYING for c in table.columns)


@dataclass(frozen=True)
class Found:
    """A column of an agency table.

    Attributes:
        table: the table's key in the profile.
        column: the column's declaration.
    """

    table: str
    column: Column

    @property
    def name(self) -> str:
        return self.column.name


#: Row sources that hold the facts of a base source at another grain or under other field names,
#: read as that base: Cafcass Cymru's applications (several per case; the case's first is read as
#: the proceeding), its application <-> party connections and its listed hearings.
ROW_BASES = {"application": "proceeding", "cafw_application_party": "proceeding_party",
             "cafw_hearing": "hearing"}
#: Base field -> the field that holds it in such a row source.
FIELD_ALIASES = {"application": {"application_type": "primary_order"},
                 "cafw_hearing": {"hearing_date": "hearing_datetime"}}


def base_rows(rows: str) -> str:
    """The row source ``rows`` is read as (itself unless listed in :data:`ROW_BASES`)."""
    return ROW_BASES.get(rows, rows)


def _holds(rows: str, column: Column, field: str) -> bool:
    return (column.field == FIELD_ALIASES.get(rows, {}).get(field, field)
            and column.id is None and column.const is None)


def value_columns(agency: Agency, rows: tuple[str, ...], field: str) -> list[Found]:
    """Columns holding truth ``field`` (not ids, not constants) in tables made from ``rows``."""
    return [Found(k, c) for k, t in agency.tables.items() if base_rows(t.rows) in rows
            for c in t.columns if _holds(t.rows, c, field)]


def table_columns(agency: Agency, table: str, field: str) -> list[Column]:
    """Value columns of one table holding truth ``field``."""
    t = agency.tables[table]
    return [c for c in t.columns if _holds(t.rows, c, field)]


def id_column(agency: Agency, table: str, entity: str, fields: tuple[str, ...]) -> Column | None:
    """The id column of ``table`` for ``entity`` whose source field is one of ``fields``."""
    t = agency.tables[table]
    for c in t.columns:
        if c.id == entity and (c.field or id_field(t.rows)) in fields:
            return c
    return None


def code_map(column: Column) -> dict[str, str] | None:
    """The column's code map (truth value -> agency value), as text, or None."""
    for t in column.transforms:
        if t.name == "code_map":
            return {str(k): str(v) for k, v in (t.model_extra or {}).get("map", {}).items()}
    return None


@dataclass(frozen=True)
class Decoded:
    """Values decoded back to truth codes.

    Attributes:
        values: truth codes as text (null where blank or not decodable).
        groups: for a many-to-one code map, agency label -> the truth codes it stands for; the
            values then stay as agency labels.
        unmapped: how many non-blank values were not in the code map (ignored).
    """

    values: pd.Series
    groups: dict[str, list[str]] | None = None
    unmapped: int = 0


def decode_codes(values: pd.Series, column: Column) -> Decoded:
    """Undo a column's code map (values as text; blanks and the map's default become null)."""
    present = values.notna()
    text = values.astype("string").astype(object).where(present, None)
    mapping = code_map(column)
    if mapping is None:
        return Decoded(text)
    default = next((t.model_extra or {}).get("default") for t in column.transforms if t.name == "code_map")
    inverse: dict[str, list[str]] = {}
    for truth, agency_value in mapping.items():
        inverse.setdefault(agency_value, []).append(truth)
    known = text.isin(list(inverse)).to_numpy()
    blank = text.isna().to_numpy()
    if default is not None:
        blank |= (text == str(default)).to_numpy()
    unmapped = int((~known & ~blank).sum())
    if all(len(v) == 1 for v in inverse.values()):
        out = text.map({k: v[0] for k, v in inverse.items()})
        return Decoded(out.where(pd.Series(known, index=text.index), None), None, unmapped)
    return Decoded(text.where(pd.Series(known, index=text.index), None), inverse, unmapped)


def decode_dates(df: pd.DataFrame, columns: list[Column]) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest day each row's date may be, from the columns holding one date field.

    A plain date is exact; a week of birth stands for its seven days, a month start for its
    month; a pair of ``month`` and ``year`` columns for the month; ``year`` alone for the year.
    """
    names = {c.name: {t.name for t in c.transforms} for c in columns}
    index = df.index
    for c, tr in names.items():
        if not tr - {"at_time"}:
            d = pd.to_datetime(df[c], errors="coerce").dt.normalize()
            return d, d
    for c, tr in names.items():
        kind = next((DATE_RANGES[t] for t in tr if t in DATE_RANGES), None)
        if kind == "week":
            d = pd.to_datetime(df[c], errors="coerce").dt.normalize()
            return d, d + pd.Timedelta(days=6)
        if kind == "month":
            d = pd.to_datetime(df[c], errors="coerce").dt.normalize()
            return d, d + pd.offsets.MonthEnd(0)
    year = next((c for c, tr in names.items() if "year" in tr), None)
    month = next((c for c, tr in names.items() if "month" in tr), None)
    if year is not None:
        y = pd.to_numeric(df[year], errors="coerce")
        m = pd.to_numeric(df[month], errors="coerce") if month is not None else pd.Series(np.nan, index=index)
        ok = y.notna() & (m.notna() | (month is None))
        lo_m = m.fillna(1) if month is not None else pd.Series(1, index=index)
        hi_m = m.fillna(12) if month is not None else pd.Series(12, index=index)
        lo = pd.to_datetime(pd.DataFrame({"year": y.fillna(2000), "month": lo_m.clip(1, 12), "day": 1}),
                            errors="coerce")
        hi = pd.to_datetime(pd.DataFrame({"year": y.fillna(2000), "month": hi_m.clip(1, 12), "day": 1}),
                            errors="coerce") + pd.offsets.MonthEnd(0)
        return lo.where(ok), hi.where(ok)
    nat = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return nat, nat
