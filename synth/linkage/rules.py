"""Blocking rules and comparison features of candidate pairs (constants only; no heavy imports).

A blocking rule is a ``+``-joined list of key fields (see :data:`KEYS`), or one of the named
rules in :data:`RULES`. Two records are a candidate pair under a rule when they agree exactly, and
non-null, on every field of it.
"""

from __future__ import annotations

from synth.errors import InputError

#: Blocking key fields -> SQL over the normalised records (see ``records.load_normalised``).
KEYS = {
    "nhs": "nhs",
    "dob": "CAST(dob AS VARCHAR)",
    "dob_year": "CAST(dob_y AS VARCHAR)",
    "postcode": "postcode",
    "postcode_outward": "pc_out",
    "surname": "surname",
    "surname_initial": "left(surname, 1)",
    "surname_soundex": "sn_sdx",
    "forename": "forename",
    "forename_initial": "left(forename, 1)",
    "sex": "sex",
}

#: Named blocking rules.
RULES = {
    "nhs": "nhs",
    "dob": "dob",
    "postcode_surname": "postcode+surname_initial",
    "soundex_yob": "surname_soundex+forename_initial+dob_year",
}

#: The rules used when none is given.
DEFAULT_RULES = ("nhs", "dob", "postcode_surname", "soundex_yob")

#: Default guard on the number of candidate pairs.
MAX_PAIRS = 20_000_000

#: Output columns after the pair itself and its rule, with their SQL.
FEATURES = {
    "nhs_exact": "l.nhs = r.nhs",
    "dob_exact": "l.dob = r.dob",
    "dob_day_month_swapped": "l.dob_y = r.dob_y AND l.dob_d = r.dob_m AND l.dob_m = r.dob_d AND l.dob_d <> l.dob_m",
    "dob_year_diff": "CAST(abs(l.dob_y - r.dob_y) AS INTEGER)",
    "surname_jw": "round(jaro_winkler_similarity(l.surname, r.surname), 4)",
    "forename_jw": "round(jaro_winkler_similarity(l.forename, r.forename), 4)",
    "forename_initial_match": "left(l.forename, 1) = left(r.forename, 1)",
    "postcode_exact": "l.postcode = r.postcode",
    "postcode_outward_match": "l.pc_out = r.pc_out",
    "sex_match": "l.sex = r.sex",
}


def parse_rule(rule: str) -> list[str]:
    """The key fields of a rule name or a ``+``-joined field list.

    Raises:
        InputError: for an unknown rule or field, listing the valid ones.
    """
    text = RULES.get(rule.strip(), rule.strip())
    fields = [f.strip() for f in text.split("+") if f.strip()]
    unknown = [f for f in fields if f not in KEYS]
    if not fields or unknown:
        raise InputError(f"--block {rule!r}: unknown field {', '.join(unknown) or '(none)'}; give a rule "
                         f"({', '.join(RULES)}) or fields joined by '+' ({', '.join(KEYS)})")
    return fields
