"""Safe-range identifiers judged in SQL give exactly the pandas rules' counts and examples.

Every value the SQL scan cannot judge the same way as Python (tabs, accented letters, Unicode
digits, lower case) is handed to the pandas rule, so a table with such values planted among good
and bad ones gives the same results with the SQL path as with the pandas path alone.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import make_run

from synth.validate import privacy
from synth.validate.core import RunData
from synth.validate.registry import registered
from synth.validate.runner import run_check

ODD = ["zz1 1aa", "ZZ1\t1AA", " ZZ1  1AA ", "ZZ١ 1AA", "ZZ1 1AÄ", "zz99 3vz", "", "   ", None, "SW1A 1AA",
       "ZZ12 3AB\n", "999-000-0019", "9990000018", "999 000 0027", "99900000１8", "9990000010", "ß", "1234567890",
       "ＺＺ1 1AA", "ZZ1 1AA", "-", "9990000018 "]


@pytest.fixture(scope="module")
def odd_run(tmp_path_factory):
    base = make_run(tmp_path_factory, "training_small", 400, seed=5)
    dest = tmp_path_factory.mktemp("odd") / "run"
    shutil.copytree(base.path, dest)
    targets = [("truth", "person", ["nhs_number", "postcode"])]
    for akey, agency in base.profile.agencies.items():
        for spec in agency.tables.values():
            cols = [c.name for c in spec.columns if c.name.lower() in privacy.NHS_COLUMNS | privacy.POSTCODE_COLUMNS]
            if cols:
                targets.append((akey, spec.name, cols))
    assert len(targets) > 2
    for folder, name, cols in targets:
        path = dest / folder / name / "part-00000.parquet"
        df = pd.read_parquet(path)
        for j, col in enumerate(cols):
            rows = list(range(j + 3, len(df), 5))[: len(ODD)]
            df.loc[rows, col] = ODD[: len(rows)]
        df.to_parquet(path, index=False)
    return RunData(dest)


def _safe_range(run: RunData) -> list[dict]:
    wanted = ("privacy.nhs_safe_range", "privacy.postcode_safe_range")
    checks = [c for c in registered(["privacy"]) if c.id.startswith(wanted)]
    return [r.to_dict() for c in checks for r in run_check(c, run)]


def test_sql_and_pandas_judge_odd_identifiers_alike(odd_run, monkeypatch):
    sql = _safe_range(odd_run)
    monkeypatch.setattr(privacy, "SQL_RULES", {})
    pandas = _safe_range(odd_run)
    assert len(sql) >= 4 and all(r["status"] == "failed" for r in sql)
    assert sql == pandas
