"""The truth table ``truth/quality_issues``: every fault a ``--dirty`` run planted (synth.dirty).

Declared here, beside the other truth tables, so the writers, the dictionary, the data package and
DuckDB can describe it without importing the code that plants the faults. A clean run (the default)
has no such table.
"""

from __future__ import annotations

#: Field -> type of truth/quality_issues (all text: a cell's values are logged as text).
QUALITY_ISSUES_FIELDS: dict[str, str] = {
    "agency": "string", "table": "string", "row_key": "string", "column": "string", "fault": "string",
    "clean_value": "string", "dirty_value": "string",
}

#: What each column holds (the data dictionary; modelled: a teaching log, no public counterpart).
QUALITY_ISSUES_DESCRIPTIONS: dict[str, str] = {
    "agency": "The agency folder of the dirtied table (e.g. familyman)",
    "table": "The table's folder name (e.g. cases, CAFW_FILE1)",
    "row_key": "The row's key columns (the profile's `key`) as text joined by `|`, dates ISO "
               "(e.g. `2019|114329749181998`); for a duplicate_row, the duplicate's own key",
    "column": "The column whose cell was changed; for a duplicate_row, the key column",
    "fault": "orphan_foreign_key, missing_mandatory, old_code, free_text_code, whitespace_case, day_month_swap, "
             "impossible_date, mixed_date_format (in the CSV mirror only; Parquet keeps the ISO date) or "
             "duplicate_row",
    "clean_value": "The cell's value in the clean run (same seed, no --dirty), as text, ISO dates; null when "
                   "empty; for a duplicate_row, the key of the row it duplicates",
    "dirty_value": "The value written instead, as text (for mixed_date_format the CSV text); null when the fault "
                   "emptied it; for a duplicate_row, the duplicate's key",
}
