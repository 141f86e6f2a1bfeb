"""The fault modules on a small hand-made table: determinism, types, and values that never pass as clean."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from synth.dirty import LEVELS, RATES, dirty_agency, rate
from synth.dirty.codes import OLD_CODES, free_text
from synth.dirty.duplicates import DUPLICATE_BASE
from synth.dirty.orphans import ORPHAN_BASE
from synth.profile.models import Agency

N = 400


def _agency(doc: dict) -> Agency:
    """An agency from a compact declaration (each column's values "come from" a field, as the model asks)."""
    for table in doc["tables"].values():
        for col in table["columns"]:
            col.setdefault("field", col["name"].lower())
    return Agency.model_validate(doc)


AGENCY = _agency({
    "title": "Test", "schema_name": "test", "id_salt": "t",
    "tables": {
        "cases": {"name": "cases", "rows": "proceeding", "key": ["case_id"], "columns": [
            {"name": "case_id", "type": "int64", "required": True},
            {"name": "law", "type": "string", "codes": ["care_order", "child_arrangements_order"], "required": True},
            {"name": "start", "type": "date", "required": True},
            {"name": "SURNAME", "type": "string"},
            {"name": "POSTCODE", "type": "string"}]},
        "events": {"name": "events", "rows": "hearing", "key": ["event_id"],
                   "foreign_keys": [{"columns": ["case_id"], "references": "cases", "ref_columns": ["case_id"]}],
                   "columns": [{"name": "event_id", "type": "int64", "required": True},
                               {"name": "case_id", "type": "int64", "required": True},
                               {"name": "on", "type": "date"}]},
    }})


def _tables() -> dict[str, pa.Table]:
    ids = np.arange(1, N + 1, dtype=np.int64) * 7919
    days = [dt.date(2015, 1, 1) + dt.timedelta(days=int(i) * 3) for i in range(N)]
    cases = pa.table({"case_id": ids, "law": ["care_order", "child_arrangements_order"] * (N // 2),
                      "start": pa.array(days, pa.date32()), "SURNAME": ["SMITH", "JONES"] * (N // 2),
                      "POSTCODE": ["ZZ1 2AB"] * N})
    events = pa.table({"event_id": ids + 1, "case_id": ids, "on": pa.array(days, pa.date32())})
    return {"cases": cases, "events": events}


def test_the_same_shard_gives_the_same_dirt_and_another_shard_other_dirt():
    a = dirty_agency("t", AGENCY, _tables(), seed=3, shard=0, level=3, csv=True)
    b = dirty_agency("t", AGENCY, _tables(), seed=3, shard=0, level=3, csv=True)
    c = dirty_agency("t", AGENCY, _tables(), seed=3, shard=1, level=3, csv=True)
    assert a.issues.equals(b.issues) and all(a.tables[k].equals(b.tables[k]) for k in a.tables)
    assert not a.issues.equals(c.issues)


def test_level_0_changes_nothing():
    tables = _tables()
    out = dirty_agency("t", AGENCY, tables, seed=3, shard=0, level=0, csv=True)
    assert out.issues.num_rows == 0 and out.csv == {}
    assert all(out.tables[k].equals(tables[k]) for k in tables)


def test_faults_keep_types_and_never_write_a_listed_code_or_a_real_id():
    tables = _tables()
    out = dirty_agency("t", AGENCY, tables, seed=3, shard=0, level=3, csv=True)
    log = out.issues.to_pandas()
    assert all(out.tables[k].schema == tables[k].schema for k in tables)
    codes = log[log["fault"].isin(["old_code", "free_text_code"])]
    assert len(codes) and not codes["dirty_value"].isin(["care_order", "child_arrangements_order"]).any()
    assert set(codes.loc[codes["fault"] == "old_code", "dirty_value"]) <= {"residence_order", "contact_order"}
    orphans = log[log["fault"] == "orphan_foreign_key"]["dirty_value"].astype(int)
    assert len(orphans) and (orphans >= ORPHAN_BASE).all()
    dups = log[log["fault"] == "duplicate_row"]["dirty_value"].astype(int)
    assert len(dups) and ((dups >= DUPLICATE_BASE) & (dups < ORPHAN_BASE)).all()
    # the CSV mirror differs only in the mixed-format dates, which the Parquet table keeps as ISO dates
    assert set(log.loc[log["fault"] == "mixed_date_format", "table"]) == {k for k in out.csv}


def test_free_text_variants_and_rates():
    assert free_text("GENDER_CD", "1") == "Male" and free_text("x", "care_order") == "Care order"
    assert free_text("x", "Private Law") == "private law" and free_text("x", "7") == "7"
    assert all(old not in OLD_CODES for olds in OLD_CODES.values() for old in olds)
    for fault, rates in RATES.items():
        assert 0 < rates[0] < rates[1] < rates[2] <= 0.1, fault
        assert rate(fault, 0) == 0 and [rate(fault, lv) for lv in LEVELS[1:]] == list(rates)


@pytest.mark.parametrize("level", [1, 2, 3])
def test_planted_share_grows_with_the_level_and_stays_under_the_rate(level):
    log = dirty_agency("t", AGENCY, _tables(), seed=9, shard=0, level=level, csv=True).issues.to_pandas()
    dups = (log["fault"] == "duplicate_row").sum()
    assert dups <= 2 * N * RATES["duplicate_row"][level - 1] + 10  # two tables of N rows, binomial slack
