"""Typed conversion of DataFrames to Arrow tables, and the column types of every output table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synth.profile.models import Table
from synth.world.schema import TRUTH_TABLES

ARROW_TYPES = {
    "int64": pa.int64(),
    "string": pa.string(),
    "date": pa.date32(),
    "datetime": pa.timestamp("ms"),
    "float64": pa.float64(),
    "bool": pa.bool_(),
}

#: The agency-record -> person map written to truth/links (true_alf_pe: the person's project ALF,
#: to judge the ALF_PE an agency record was given).
LINKS_TYPES = {"agency": "string", "agency_person_id": "int64", "person_id": "int64", "true_alf_pe": "int64"}
#: Every identifier error applied to an agency record, written to truth/identifier_errors.
ERRORS_TYPES = {"agency": "string", "agency_person_id": "int64", "field": "string", "kind": "string"}
#: Truth outputs besides the truth tables.
TRUTH_EXTRAS = {"links": LINKS_TYPES, "identifier_errors": ERRORS_TYPES}
TRUTH_OUTPUTS = (*TRUTH_TABLES, *TRUTH_EXTRAS)


def agency_schema(table: Table) -> pa.Schema:
    """Arrow schema of an agency table as the profile declares it."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])


def truth_schema(name: str) -> pa.Schema:
    """Arrow schema of a truth table (or ``links``)."""
    types = TRUTH_EXTRAS[name] if name in TRUTH_EXTRAS else TRUTH_TABLES[name]
    return pa.schema([pa.field(k, ARROW_TYPES[v]) for k, v in types.items()])


def _array(values: pd.Series, typ: pa.DataType) -> pa.Array:
    if pa.types.is_date32(typ) and pd.api.types.is_datetime64_any_dtype(values):
        return pa.array(values.to_numpy("datetime64[D]"), type=typ, from_pandas=True)
    if pa.types.is_date32(typ) or pa.types.is_timestamp(typ):
        ts = pd.to_datetime(values, errors="coerce", cache=False).to_numpy("datetime64[s]")
        arr = pa.array(ts, type=pa.timestamp("s"), from_pandas=True)
        return arr.cast(typ)
    if pa.types.is_string(typ):
        obj = values.to_numpy(object)
        return pa.array(obj, type=typ, from_pandas=True) if obj.size else pa.array([], type=typ)
    if pa.types.is_integer(typ):
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":  # numpy ints: no nulls
            return pa.array(values.to_numpy(np.int64), type=typ)
        return pa.array(pd.array(values, dtype="Int64"), type=typ)
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
