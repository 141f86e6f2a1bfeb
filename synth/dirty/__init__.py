"""Dirty data on purpose (``synth generate --dirty LEVEL``): data-quality faults for cleaning courses.

After the views project an agency's tables for a shard, and before they are written,
:func:`dirty_agency` plants faults in them and logs every changed cell to ``truth/quality_issues``
(agency, table, row_key, column, fault, clean_value, dirty_value). One module per kind of fault:

* :mod:`~synth.dirty.orphans`: ``orphan_foreign_key``;
* :mod:`~synth.dirty.text`: ``missing_mandatory``, ``whitespace_case`` (postcodes and names);
* :mod:`~synth.dirty.codes`: ``old_code``, ``free_text_code``;
* :mod:`~synth.dirty.dates`: ``day_month_swap``, ``impossible_date``, ``mixed_date_format`` (CSV only);
* :mod:`~synth.dirty.duplicates`: ``duplicate_row``.

Rates per level are in :mod:`~synth.dirty.rates`. Every draw comes from a stream keyed by the run
seed, the shard, the agency, the table and the fault, so a dirty run is the same for any number
of workers, and level 0 plants nothing and draws nothing (a default run is unchanged).
"""

from synth.dirty.frame import row_keys
from synth.dirty.inject import QUALITY_ISSUES_SCHEMA, Dirtied, dirty_agency, dirty_outputs, dirty_tables
from synth.dirty.rates import CSV_ONLY, FAULTS, LEVELS, RATES, check_dirty_level, rate

__all__ = ["CSV_ONLY", "FAULTS", "LEVELS", "QUALITY_ISSUES_SCHEMA", "RATES", "Dirtied", "check_dirty_level",
           "dirty_agency", "dirty_outputs", "dirty_tables", "rate", "row_keys"]
