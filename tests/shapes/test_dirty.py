"""Shape tests: cleaning queries on a ``--dirty`` run find exactly the faults truth/quality_issues logs.

Written here in our own words, as a cleaning course writes them in DuckDB SQL over the run's own
names: FamilyMan events whose case number has no case (an anti-join), category values outside the
FamilyMan code list (schemas.md 5.1), dates in the CSV mirror not in ISO form (``read_csv`` with
every column as text and a regular expression), and re-keyed duplicate File 1 records found by a
window over trimmed, upper-cased identifiers.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile
from synth.sql import query

FAMILIES, SEED = 600, 21


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dirty-shapes") / "run"
    generate(load_profile("training_small"), out, families=FAMILIES, seed=SEED, formats=("parquet", "csv"),
             dirty=3)
    return out


def _logged(run, table: str, column: str, faults: tuple[str, ...]) -> pd.DataFrame:
    log = pd.read_parquet(run / "truth" / "quality_issues")
    agency, name = table.split("/")
    return log[(log["agency"] == agency) & (log["table"] == name) & (log["column"] == column) &
               log["fault"].isin(faults)]


def test_events_without_a_case_are_the_logged_orphans(run):
    found = query(run, """
        SELECT e.event FROM familyman.events AS e
        WHERE e.case_number IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM familyman.cases AS c WHERE c.case_number = e.case_number)""")
    logged = _logged(run, "familyman/events", "case_number", ("orphan_foreign_key",))
    copies = _logged(run, "familyman/events", "event", ("duplicate_row",))  # a copy of an orphan is one too
    assert len(logged) > 0
    found_keys = set(found["event"].astype(str))
    assert found_keys - set(copies["row_key"]) == set(logged["row_key"])
    assert set(copies.loc[copies["clean_value"].isin(logged["row_key"]), "row_key"]) <= found_keys


def test_categories_off_the_code_list_are_the_logged_code_faults(run):
    found = query(run, """
        SELECT case_number, category FROM familyman.cases
        WHERE category IS NOT NULL AND category NOT IN ('Public Law', 'Private Law')""")
    logged = _logged(run, "familyman/cases", "category", ("old_code", "free_text_code"))
    assert len(logged) > 0
    assert sorted(zip(found["case_number"], found["category"])) == sorted(zip(logged["row_key"],
                                                                               logged["dirty_value"]))


def test_non_iso_dates_in_the_csv_are_the_logged_mixed_formats(run):
    glob = str(run / "csv" / "familyman" / "events" / "*.csv")
    found = duckdb.sql(f"""
        SELECT event, receipt_date FROM read_csv('{glob}', all_varchar = true, header = true)
        WHERE receipt_date IS NOT NULL AND NOT regexp_matches(receipt_date, '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$')
    """).df()
    logged = _logged(run, "familyman/events", "receipt_date", ("mixed_date_format",))
    assert len(logged) > 0
    assert sorted(zip(found["event"], found["receipt_date"])) == sorted(zip(logged["row_key"],
                                                                             logged["dirty_value"]))


def test_the_logged_duplicate_records_are_found_by_a_window_over_cleaned_identifiers(run):
    found = query(run, """
        SELECT SYSTEM_ID FROM (
          SELECT SYSTEM_ID, row_number() OVER (
              PARTITION BY upper(trim(SURNAME)), upper(trim(FORENAME)), DATE_OF_BIRTH, GENDER_CD,
                           upper(trim(POSTCODE)), NHS_NUMBER, upper(trim(ADDRESS_1)), CREATE_DATE
              ORDER BY length(SYSTEM_ID), SYSTEM_ID) AS copy
          FROM familyman.file1) AS numbered
        WHERE copy > 1""")
    logged = _logged(run, "familyman/file1", "SYSTEM_ID", ("duplicate_row",))
    assert len(logged) > 0
    # every planted duplicate is a later copy (its id is longer than any original's); a clean run may
    # also hold a few records with equal identifiers (the agency's own duplicates, truth/links)
    assert set(logged["row_key"]) <= set(found["SYSTEM_ID"])
    assert len(found) - len(logged) <= 0.02 * len(query(run, "SELECT SYSTEM_ID FROM familyman.file1"))
