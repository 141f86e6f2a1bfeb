"""Identifier errors: turn a person's true identifiers into what an agency recorded.

``corrupt`` takes agency person records with their true identifiers and returns the recorded
identifiers plus a long table of the errors applied. Error kinds follow the FEBRL/GeCo taxonomy
(domain/peers.md 1.4-1.5): keyboard typos placed away from the first letter, phonetic variants,
nicknames, missing values, swapped day and month, and so on; rates depend on the person (MoJ
``splink_synthetic_data`` Bayes-factor idea, peers.md 1.6) through the profile's groups
(``synth.profile.identifier_errors``).

Modules: ``strings`` (typos, phonetic variants), ``nicknames``, ``date_edits``, ``kinds`` (what each
field and kind does), ``rates`` (per-record rates) and ``recorded`` (``corrupt``, ``achieved_rates``).

A record gets at most one error per field: one uniform draw per record and field picks a kind by
the cumulative rates. Where a kind cannot apply to the value (no nickname for the name, no
phonetic rule matches, day above 12 for a day-month swap, no previous postcode, value already
missing) the value is left as it is and no error row is written, so the achieved rate of that
kind is lower than the configured one; the ``errors`` table lists only errors actually applied.

Everything is vectorised: the few rows drawn for a string error are turned into a fixed-width
code-point matrix and edited by array indexing; rule and nickname look-ups work on the distinct
values. Only the generator passed in is used.

Identifiers stay in the project's safe ranges: NHS-number typos never touch the ``999`` test-range
prefix, and postcode typos never change the postcode area letters (the unallocated ``ZZ`` area).
"""

from synth.views.identifiers.date_edits import year_typos
from synth.views.identifiers.kinds import FIELDS, KINDS
from synth.views.identifiers.nicknames import NICKNAMES_CSV, Nicknames, shipped_nicknames
from synth.views.identifiers.rates import expected_rates, field_rates
from synth.views.identifiers.recorded import achieved_rates, corrupt
from synth.views.identifiers.strings import KEYBOARD, PHONETIC_RULES, TYPO_EDITS, phonetic, typo_positions, typos

__all__ = ["FIELDS", "KEYBOARD", "KINDS", "NICKNAMES_CSV", "PHONETIC_RULES", "TYPO_EDITS", "Nicknames",
           "achieved_rates", "corrupt", "expected_rates", "field_rates", "phonetic", "shipped_nicknames",
           "typo_positions", "typos", "year_typos"]
