"""The truth tables the world model produces: their fields, types and references.

This is the contract between the world model and the agency views: a view column may name any
field here, or follow a reference field (``proceeding_id.issue_date``) to another table.
"""

from __future__ import annotations

#: table -> {field: type}; the first field is the table's id.
TRUTH_TABLES: dict[str, dict[str, str]] = {
    "family": {
        "family_id": "int64", "country": "string", "la_code": "string", "lsoa_code": "string",
        "dfj_area": "string", "mother_id": "int64", "teen_first_birth": "bool",
        "n_proceedings": "int64",
    },
    "person": {
        "person_id": "int64", "family_id": "int64", "family_role": "string", "sex": "int64",
        "date_of_birth": "date", "date_of_death": "date", "ethnicity": "string",
        "forename": "string", "surname": "string", "nhs_number": "string", "upn": "string",
        "postcode": "string", "lsoa_code": "string", "la_code": "string", "country": "string",
        "mother_id": "int64", "father_id": "int64", "other_surname": "string",
    },
    "proceeding": {
        "proceeding_id": "int64", "family_id": "int64", "sequence": "int64", "law_type": "string",
        "country": "string", "la_code": "string", "dfj_area": "string", "court_name": "string",
        "fy": "int64", "issue_date": "date", "receipt_date": "date", "disposal_date": "date",
        "applicant_type": "string", "application_type": "string", "n_children": "int64",
        "final_hearing_id": "int64", "returning_mother": "bool", "pre_proceedings_start": "date",
        "court_code": "string", "case_number": "string",
        # Started by an urgent (without-notice) application, e.g. for an EPO: issued and first heard
        # on any day of the week; every other court date is a working day (synth/world/calendar.py).
        "urgent": "bool",
        # Cafcass's own involvement (synth/world/cafcass.py): a welfare report ordered (private law), and
        # the day Cafcass's work ended (null while it goes on).
        "welfare_report": "bool", "cafcass_end_date": "date",
    },
    "proceeding_child": {
        "pc_id": "int64", "proceeding_id": "int64", "person_id": "int64", "child_index": "int64",
        "age_at_issue_days": "int64", "age_band": "string", "unborn_at_issue": "bool",
        "outcome": "string", "has_outcome": "bool", "outcome_date": "date",
    },
    "proceeding_party": {
        "party_id": "int64", "proceeding_id": "int64", "person_id": "int64",
        "party_role": "string", "relationship": "string",
    },
    "proceeding_relationship": {
        "relationship_id": "int64", "proceeding_id": "int64", "child_id": "int64",
        "parent_id": "int64", "parent_role": "string",
    },
    # Partnerships that produced a child (synth/world/partners.py): a man may have several.
    "partnership": {
        "partnership_id": "int64", "family_id": "int64", "man_id": "int64", "woman_id": "int64",
        "start_date": "date", "end_date": "date",
    },
    "hearing": {
        "hearing_id": "int64", "proceeding_id": "int64", "sequence": "int64",
        "hearing_date": "date", "hearing_type": "string", "is_final": "bool",
    },
    # The court (synth/world/court.py, applications.py, orders.py).
    "application": {
        "application_id": "int64", "proceeding_id": "int64", "sequence": "int64", "event_model": "string",
        "receipt_date": "date", "issue_date": "date", "law_type": "string", "applicant_type": "string",
        "primary_order": "string", "n_orders": "int64",
    },
    "application_order": {
        "application_order_id": "int64", "application_id": "int64", "proceeding_id": "int64",
        "order_sought": "string",
    },
    "court_order": {
        "order_id": "int64", "proceeding_id": "int64", "application_id": "int64", "pc_id": "int64",
        "person_id": "int64", "hearing_id": "int64", "order_date": "date", "order_type": "string",
        "is_interim": "bool", "is_final": "bool", "event_model": "string", "disposal_type": "int64",
    },
    "court_event": {
        "event_id": "int64", "proceeding_id": "int64", "application_id": "int64", "order_id": "int64",
        "person_id": "int64", "event_model": "string", "event_date": "date", "order_sought": "string",
        "order_type": "string", "disposal_type": "int64", "error": "string",
    },
    "address": {
        "address_id": "int64", "family_id": "int64", "household": "int64", "from_date": "date",
        "to_date": "date", "address_1": "string", "address_2": "string", "address_3": "string",
        "postcode": "string", "lsoa_code": "string", "la_code": "string",
    },
}

#: Fields that point at another table's id, wherever they appear.
REFERENCES: dict[str, str] = {
    "family_id": "family", "person_id": "person", "mother_id": "person", "father_id": "person",
    "child_id": "person", "parent_id": "person", "man_id": "person", "woman_id": "person",
    "proceeding_id": "proceeding",
    "final_hearing_id": "hearing", "hearing_id": "hearing", "pc_id": "proceeding_child",
    "first_proceeding_id": "proceeding", "address_id": "address", "event_id": "court_event",
    "application_id": "application", "application_order_id": "application_order", "order_id": "court_order",
}

#: Care (synth.world.care): 903-style episodes of children looked after, their reviews, missing
#: episodes and adoption decisions. Every table carries proceeding_id (the proceeding that brought
#: the child into the period of care) so agency coverage applies to it.
TRUTH_TABLES.update({
    "care_episode": {
        "episode_id": "int64", "person_id": "int64", "proceeding_id": "int64", "period": "int64",
        "sequence": "int64", "la_code": "string", "start_date": "date", "end_date": "date", "observed_to": "date",
        "rne": "string",
        "legal_status": "string", "cin": "string", "placement": "string", "provider": "string",
        "reason_ceased": "string", "reason_place_change": "string", "placement_postcode": "string",
        "placement_la": "string", "urn": "string",
    },
    "care_review": {
        "review_id": "int64", "person_id": "int64", "proceeding_id": "int64", "review_date": "date",
        "review_code": "string",
    },
    "care_missing": {
        "missing_id": "int64", "person_id": "int64", "proceeding_id": "int64", "missing_type": "string",
        "start_date": "date", "end_date": "date",
    },
    "adoption": {
        "adoption_id": "int64", "person_id": "int64", "proceeding_id": "int64", "decision_date": "date",
        "placement_order_date": "date", "match_date": "date", "placed_date": "date", "adoption_date": "date",
        "ceased_date": "date", "ceased_reason": "string", "foster_carer": "bool", "n_adopters": "int64",
        "adopters_sex": "string", "adopters_legal_status": "string",
    },
})
REFERENCES.update({"episode_id": "care_episode", "review_id": "care_review", "missing_id": "care_missing",
                   "adoption_id": "adoption"})

#: One row per agency person record (built by the view for each agency).
AGENCY_PERSON_FIELDS: dict[str, str] = {
    "agency_person_id": "int64", "person_id": "int64", "first_proceeding_id": "int64",
    # The record's id in the agency's File 1 (synth.views.file1): the source system's own id.
    "system_id": "int64",
    "alf_pe": "int64", "alf_sts_cd": "int64", "alf_mtch_pct": "float64",
    # The identifiers as the agency recorded them when the record was created (with its errors).
    "forename": "string", "surname": "string", "date_of_birth": "date", "sex": "int64",
    "nhs_number": "string", "postcode": "string", "address_1": "string", "address_2": "string",
    "address_3": "string", "created_date": "date",
}

#: Row sources a view may be built from besides the truth tables. Each is made per agency and
#: shard by a builder registered in ``synth.views.sources`` from the agency's covered truth.
DERIVED_SOURCES: dict[str, dict[str, str]] = {
    "agency_person": AGENCY_PERSON_FIELDS,
    # HMCTS FamilyMan (synth.views.familyman, familyman_events).
    "familyman_role": {
        "role_key": "int64", "proceeding_id": "int64", "person_id": "int64", "role_model": "string",
        "case_role": "string", "is_la": "bool", "party_number": "int64", "role_number": "int64",
        "representative_role": "int64", "representation": "string", "respondent_count": "int64", "pub_la_ind": "string",
    },
    "familyman_party": {
        "party_number": "int64", "proceeding_id": "int64", "person_id": "int64", "date_of_birth": "date",
        "sex": "int64", "forename": "string", "surname": "string", "role_model": "string",
    },
    "familyman_event": {
        "event_id": "int64", "proceeding_id": "int64", "event_number": "int64", "event_model": "string",
        "receipt_date": "date", "entry_date": "date", "creating_court": "string", "error": "string",
    },
    "familyman_event_field": {
        "event_field_key": "int64", "proceeding_id": "int64", "event_number": "int64", "field_model": "string",
        "value": "string",
    },
    # SAIL reference data (synth.views.reference): the Welsh LSOAs, written once per run.
    "sail_ref_lsoa": {
        "sail_ref_lsoa_id": "int64", "lsoa_code": "string", "la_code": "string", "la_name": "string",
        "health_board_code": "string", "health_board_name": "string", "wimd2019_rank": "int64",
        "wimd2019_decile": "int64", "wimd2019_quintile": "int64",
    },
    # Local authority codes and their dates, and the lookup to today's codes (synth.views.reference).
    "la_code_history": {
        "la_code_history_id": "int64", "la_code": "string", "la_name": "string", "country": "string",
        "start_date": "date", "end_date": "date", "successors": "string",
    },
    "la_code_lookup": {
        "la_code_lookup_id": "int64", "la_code": "string", "current_code": "string", "lsoa_first": "string",
        "lsoa_last": "string", "lsoas": "int64",
    },
    "spine_address": {
        "spine_address_id": "int64", "person_id": "int64", "address_id": "int64", "from_date": "date",
        "to_date": "date", "lsoa_code": "string", "lsoa2001_code": "string", "available_date": "date",
    },
    "spine_gp": {
        "spine_gp_id": "int64", "person_id": "int64", "from_date": "date", "to_date": "date",
        "practice_code": "int64", "available_date": "date",
    },
    # Cafcass Cymru (synth.views.cafw): hearings with their listing time, application <-> party connections.
    "cafw_hearing": {
        "hearing_id": "int64", "proceeding_id": "int64", "hearing_datetime": "datetime", "hearing_type": "string",
    },
    "cafw_application_party": {
        "application_party_id": "int64", "application_id": "int64", "proceeding_id": "int64",
        "person_id": "int64", "party_role": "string",
    },
}

#: SSDA903 rows per collection year (year ending 31 March ``year``), built by synth.views.ssda903:
#: dates and reasons that fall after the year end are blank, as in that year's return.
_CLA = {"person_id": "int64", "proceeding_id": "int64", "year": "int64", "la_code": "string"}
DERIVED_SOURCES.update({
    "cla_child_year": {"child_year_id": "int64", **_CLA, "upn": "string", "mother": "int64", "mc_dob": "date"},
    "cla_episode_year": {"episode_year_id": "int64", "episode_id": "int64", **_CLA, "end_date": "date",
                         "reason_ceased": "string", "reason_place_change": "string"},
    "cla_review_year": {"review_year_id": "int64", "review_id": "int64", **_CLA},
    "cla_missing_year": {"missing_year_id": "int64", "missing_id": "int64", **_CLA, "end_date": "date"},
    "cla_adoption_year": {"ad1_year_id": "int64", "adoption_id": "int64", **_CLA},
    "cla_placed_adoption_year": {"placed_year_id": "int64", "adoption_id": "int64", **_CLA, "ceased_date": "date",
                                 "ceased_reason": "string"},
    "cla_prev_perm_year": {"prev_perm_year_id": "int64", **_CLA, "prev_perm": "string", "la_perm": "string",
                           "date_perm": "date"},
})

ROW_SOURCES = (*TRUTH_TABLES, *DERIVED_SOURCES)

#: truth/case_crosswalk (synth.views.crosswalk, issue 16): one row per proceeding party with the
#: proceeding's id in each agency; built from the agency views, so it is not a row source.
CROSSWALK_FIELDS: dict[str, str] = {
    "proceeding_id": "int64", "family_id": "int64", "person_id": "int64", "party_role": "string",
    "country": "string", "law_type": "string", "cafcass_agency": "string", "cafcass_case_id": "int64",
    "familyman_case_number": "string", "la_child_id": "string", "alf_e": "int64",
}
#: What each crosswalk column holds (the data dictionary; all modelled: no public crosswalk exists).
CROSSWALK_DESCRIPTIONS: dict[str, str] = {
    "proceeding_id": "The proceeding (truth/proceeding)",
    "family_id": "Its family (truth/family)",
    "person_id": "A person on the proceeding (truth/proceeding_party)",
    "party_role": "subject (a child), applicant or respondent",
    "country": "England or Wales (the proceeding's court)",
    "law_type": "public or private",
    "cafcass_agency": "cafcass_england or cafcass_cymru: the agency holding the case; null when neither does",
    "cafcass_case_id": "Cafcass England case.case_id or Cafcass Cymru CAFW_CASE incidentid_e (the same value on "
                       "every table of that agency naming the case)",
    "familyman_case_number": "FamilyMan cases.case_number (schemas.md 5.1); null when FamilyMan is not in the run",
    "la_child_id": "SSDA903 CHILD of a subject child the LA looked after (England); null for adults and "
                   "children without a 903 record",
    "alf_e": "The person's true ALF (ALF_PE in the PE id era) for proceedings in Wales: what SAIL's "
             "linkage should give; null in England",
}


#: What some truth columns hold (the data dictionary), by table: those whose meaning is not plain.
TRUTH_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "proceeding": {
        "welfare_report": "Private law: the court ordered a Cafcass welfare report (s7), so Cafcass works on past "
                          "the first hearing (profile welfare_report, stats.md 1b); false in public law; modelled",
        "cafcass_end_date": "Day Cafcass's own work on the case ended: the final disposal in public law and in "
                            "private law with a welfare report, else the first hearing; null while Cafcass is still "
                            "working at the period end; Cafcass's open cases (stats.md 1b) count it; modelled "
                            "(synth/world/cafcass.py)",
    },
    "person": {
        "ethnicity": "The person's own ethnicity, DfE 903 code (schemas.md 6.5; never REFU/NOBT, which are agencies' "
                     "recordings): mothers from their LA's Census 2011 mix (QS201EW) times a calibrated propensity "
                     "by broad group (CLA proxy, stats.md 2); men matched to the mother by inter-ethnic partnership "
                     "rates, one code per man; children from both parents (White British + Black Caribbean -> "
                     "MWBC); relatives as the mother; modelled (synth/world/ethnicity.py)",
    },
}


def fields_of(table: str) -> dict[str, str]:
    """Fields of a truth table or of a derived row source."""
    return DERIVED_SOURCES[table] if table in DERIVED_SOURCES else TRUTH_TABLES[table]


def id_field(table: str) -> str:
    """The id field of a row source."""
    return next(iter(fields_of(table)))


def resolve_path(table: str, path: str) -> tuple[list[tuple[str, str]], str, str]:
    """Follow a dotted field path from a row source.

    Args:
        table: The row source, e.g. ``"proceeding_child"``.
        path: E.g. ``"proceeding_id.issue_date"``.

    Returns:
        ``(hops, final_table, type)`` where hops are ``(reference_field, target_table)`` pairs.

    Raises:
        KeyError: with a message naming the field that does not exist.
    """
    parts = path.split(".")
    hops: list[tuple[str, str]] = []
    current = table
    for i, part in enumerate(parts):
        fields = fields_of(current)
        if part not in fields:
            raise KeyError(f"'{part}' is not a field of {current} (fields: {', '.join(fields)})")
        if i == len(parts) - 1:
            return hops, current, fields[part]
        if part not in REFERENCES:
            raise KeyError(f"'{part}' of {current} is not a reference, so '.{parts[i + 1]}' cannot follow it")
        hops.append((part, REFERENCES[part]))
        current = REFERENCES[part]
    raise KeyError("empty field path")
