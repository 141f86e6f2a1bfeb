"""Typed conversion of DataFrames to Arrow tables, and the column types of every output table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synth.profile.models import Column, Table, sql_base
from synth.profile.sail import era_name
from synth.world.quality import QUALITY_ISSUES_FIELDS
from synth.world.schema import CROSSWALK_FIELDS, TRUTH_TABLES

ARROW_TYPES = {
    "int64": pa.int64(),
    "string": pa.string(),
    "date": pa.date32(),
    "datetime": pa.timestamp("ms"),
    "float64": pa.float64(),
    "bool": pa.bool_(),
}

#: Arrow types of the SQL types without a length or precision (``sql_type`` of a profile column).
SQL_ARROW = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "SMALLINT": pa.int16(), "DATE": pa.date32(),
             "TIMESTAMP": pa.timestamp("ms"), "CHAR": pa.string(), "VARCHAR": pa.string()}


def column_type(col: Column) -> pa.DataType:
    """Arrow type of a profile column: its ``sql_type`` when given (CHAR/VARCHAR -> string, DECIMAL(p,s) ->
    decimal128(p,s), BIGINT -> int64, INTEGER -> int32, SMALLINT -> int16), else its ``type``."""
    if col.sql_type is None:
        return ARROW_TYPES[col.type]
    base = sql_base(col.sql_type)
    if base == "DECIMAL":
        p, s = (int(x) for x in col.sql_type[8:-1].split(","))
        return pa.decimal128(p, s)
    return SQL_ARROW[base]


#: The agency-record -> person map written to truth/links (agency_person_id: the record's id in the
#: agency's tables; system_id: its File 1 SYSTEM_ID, different for SAIL datasets, synth.views.file1;
#: true_alf_e: the person's true ALF, to judge the ALF an agency record was given; named true_alf_pe
#: in the id era PE, see synth.profile.sail).
LINKS_TYPES = {"agency": "string", "agency_person_id": "int64", "system_id": "int64", "person_id": "int64",
               "true_alf_e": "int64"}
#: Every identifier error applied to an agency record, written to truth/identifier_errors.
ERRORS_TYPES = {"agency": "string", "agency_person_id": "int64", "field": "string", "kind": "string",
                "true_value": "string", "recorded_value": "string"}
#: Truth outputs besides the truth tables.
TRUTH_EXTRAS = {"links": LINKS_TYPES, "identifier_errors": ERRORS_TYPES, "case_crosswalk": CROSSWALK_FIELDS}
TRUTH_OUTPUTS = (*TRUTH_TABLES, *TRUTH_EXTRAS)
#: Truth outputs of a ``--dirty`` run only (a clean run has none): the log of planted faults.
DIRTY_OUTPUTS = {"quality_issues": QUALITY_ISSUES_FIELDS}


def agency_schema(table: Table) -> pa.Schema:
    """Arrow schema of an agency table as the profile declares it."""
    return pa.schema([pa.field(c.name, column_type(c)) for c in table.columns])


def truth_schema(name: str, ids: str = "E") -> pa.Schema:
    """Arrow schema of a truth table (or ``links``, whose true ALF column follows the id era ``ids``)."""
    types = TRUTH_EXTRAS.get(name) or DIRTY_OUTPUTS.get(name) or TRUTH_TABLES[name]
    return pa.schema([pa.field(era_name(k, ids), ARROW_TYPES[v]) for k, v in types.items()])


def _array(values: pd.Series, typ: pa.DataType) -> pa.Array:
    if pa.types.is_date32(typ) and pd.api.types.is_datetime64_any_dtype(values):
        return pa.array(values.to_numpy("datetime64[D]"), type=typ, from_pandas=True)
    if pa.types.is_date32(typ) or pa.types.is_timestamp(typ):
        ts = pd.to_datetime(values, errors="coerce", cache=False).to_numpy("datetime64[s]")
        arr = pa.array(ts, type=pa.timestamp("s"), from_pandas=True)
        return arr.cast(typ)
    if pa.types.is_string(typ) and pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        # a number stored as CHAR/VARCHAR text (GNDR_CD '1', ALF_STS_CD '39'): whole numbers without '.0'
        if pd.api.types.is_integer_dtype(values):
            return pa.array(pd.array(values, dtype="Int64"), type=pa.int64()).cast(typ)
        num = pd.array(values, dtype="Float64")
        whole = bool((num.dropna() % 1 == 0).all())
        arr = pd.array(num.round(), dtype="Int64") if whole else num
        return pa.array(arr, type=pa.int64() if whole else pa.float64()).cast(typ)
    if pa.types.is_decimal(typ):
        num = pd.to_numeric(values, errors="coerce").to_numpy(float).round(typ.scale)
        return pa.array(num, type=pa.float64(), from_pandas=True).cast(typ)
    if pa.types.is_string(typ):
        obj = values.to_numpy(object)
        if not obj.size:
            return pa.array([], type=typ)
        try:
            return pa.array(obj, type=typ, from_pandas=True)
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers in an object column stored as text
            return pa.array(obj, from_pandas=True).cast(typ)
    if pa.types.is_integer(typ):
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":  # numpy ints: no nulls
            return pa.array(values.to_numpy(np.int64), type=pa.int64()).cast(typ)
        return pa.array(pd.array(values, dtype="Int64"), type=pa.int64()).cast(typ)
    if pa.types.is_floating(typ):
        return pa.array(pd.to_numeric(values, errors="coerce").to_numpy(float), type=typ, from_pandas=True)
    if pa.types.is_boolean(typ):
        if isinstance(values.dtype, np.dtype) and values.dtype == bool:
            return pa.array(values.to_numpy(bool), type=typ)
        obj = values.to_numpy(object)
        return pa.array(np.where(pd.isna(obj), None, obj), type=typ, from_pandas=True)
    raise TypeError(f"unsupported type {typ}")


def read_schema(path: Path | str) -> pa.Schema:
    """Schema of a Parquet file or of a folder of part files."""
    path = Path(path)
    if path.is_dir():
        path = min(path.glob("*.parquet"))
    return pq.read_schema(path)


def to_arrow(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """Convert ``df`` to exactly ``schema`` (column order and types), without pandas metadata."""
    arrays = [_array(df[f.name].reset_index(drop=True), f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
