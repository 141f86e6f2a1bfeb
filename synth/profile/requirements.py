"""What the world model reads from a profile: named distributions, their kinds and conditions.

The loader checks a profile against this list, so a missing or mistyped distribution is reported
with its path before anything is generated.
"""

from __future__ import annotations

#: Outcome age bands (age at issue; unborn children count as under 1).
AGE_BANDS = ("under_1", "1-4", "5-9", "10-15", "16-17")
LAW_TYPES = ("public", "private")
COUNTRIES = ("England", "Wales")
RECURRENCE_HISTORY = ("first_teen", "first_other", "repeat")

#: name -> (leaf kind, chain of ``given`` variables, what it means)
REQUIRED: dict[str, tuple[str, tuple[str, ...], str]] = {
    "month_of_issue": ("categorical", (), "calendar month (1-12) of issue: seasonality"),
    "children_per_case": ("categorical", ("law_type",), "number of subject children on a case"),
    "youngest_child_age_at_issue": (
        "histogram", ("law_type",), "age in days of the youngest subject child at issue (<0: unborn)"),
    "sibling_spacing": ("lognormal", (), "months between births of consecutive subject children"),
    "mother_age_at_first_birth": ("histogram", ("law_type",), "mother's age (years) at her first birth"),
    "new_father_at_birth": ("share", (), "probability that a younger child has a different father"),
    "father_age_gap": ("histogram", (), "father's age minus mother's age (years)"),
    "father_recorded": ("share", ("law_type",), "probability that the fathers are parties on a case"),
    "other_adult_parties": ("poisson", ("law_type",), "other adults (grandparents, relatives) on a case"),
    "private_applicant": ("categorical", (), "who applies in private law"),
    "child_sex_male": ("share", (), "probability that a child is male"),
    "ethnicity": ("categorical", ("country",), "DfE ethnicity code of the mother and her children"),
    "issue_to_receipt_days": ("poisson", (), "days from court issue to Cafcass receipt"),
    "application_type": ("categorical", ("law_type",), "primary order applied for"),
    "duration": ("lognormal", ("law_type",), "weeks from issue to final disposal, mean by financial year"),
    "hearings": ("poisson", ("law_type",), "hearings per proceeding, final hearing included"),
    "hearing_type": ("categorical", ("law_type",), "type of a hearing that is neither first nor final"),
    "outcome": ("categorical", ("law_type", "age_band"), "final order for a child, by age at issue"),
    "outcome_sibling_correlation": ("share", (), "probability a sibling shares the case's outcome draw"),
    "recurrence": ("survival", ("law_type", "history"),
                   "years from one issue to the family's next (never sooner than 28 days after its disposal)"),
    "recurrence_law_type": ("categorical", ("law_type",), "law type of the next proceeding"),
    "recurrence_new_baby": (
        "share", (), "probability a public law return is about a new baby while older children are at home"),
    "recurrence_baby_age_at_issue": ("histogram", (), "new baby's age in days at the next issue (<0: unborn)"),
    "child_father_surname": ("share", (), "probability a child has its father's surname"),
    "address_duration": ("survival", (), "years a household stays at an address before moving"),
    "address_recorded": ("categorical", (), "an adult's address: known, no_fixed_abode or not_specified"),
}

#: Kinds of placement (for the provider) and the child's placement when an SGO is made (care).
PLACEMENT_GROUPS = ("foster_kinship", "foster_other", "residential", "public_other", "independent", "adoption")
CURRENT_PLACEMENT = ("kinship_foster", "other_foster", "not_foster")

#: The care mechanism (synth/world/care.py).
REQUIRED.update({
    "care_onset": ("categorical", (), "looked after at issue: section_20 (before it), interim_care_order or at_home"),
    "care_s20_before_issue": ("lognormal", (), "days accommodated under s20 before issue"),
    "care_order_at_home": ("share", (), "probability a child at home when a care order is made is placed with parents"),
    "care_placement_type": ("categorical", ("age_band",), "903 PLACE of a new placement, by age at its start"),
    "care_placement_move": ("poisson", (), "unplanned placement moves per full year looked after"),
    "care_placement_move_same_carer": (
        "share", (), "probability an unplanned move from short-term foster care is it becoming long term (T)"),
    "care_reason_place_change": ("categorical", (), "903 REASON_PLACE_CHANGE of an unplanned move to new carers"),
    "care_placement_provider": ("categorical", ("placement_group",), "903 PLACE_PROVIDER by kind of placement"),
    "care_placement_in_home_la": ("share", (), "probability a new placement is in the child's own local authority"),
    "care_category_of_need": ("categorical", (), "903 CIN of a period of care"),
    "care_placed_with_parents_before_return": (
        "share", (), "probability a return home (E4A) follows a placement with parents (P1)"),
    "care_placed_with_parents_days": ("lognormal", (), "days placed with parents before the return home"),
    "care_order_exit": ("survival", (), "years from a care order to leaving care before 18"),
    "care_order_exit_reason": ("categorical", (), "903 REC of leaving a care order before 18"),
    "care_leaving_at_18": ("categorical", (), "903 REC on the 18th birthday"),
    "care_sgo_reason": ("categorical", ("current_placement",), "903 REC (E45-E48) when an SGO is made"),
    "care_review_participation": ("categorical", (), "903 REVIEW_CODE of a child aged 4 or over"),
    "care_missing_incidents": ("poisson", ("age_band",), "missing or away incidents per full year looked after"),
    "care_missing_type_missing": ("share", (), "probability an incident is missing (M) rather than away (A)"),
    "care_missing_duration": ("poisson", (), "days until a missing child returns"),
    "adoption_placed": ("share", (), "probability a placement order is followed by an adoption placement"),
    "adoption_decision_before_order": ("lognormal", (), "days from the adoption decision to the placement order"),
    "adoption_placement_wait": ("lognormal", (), "days from placement order to adoption placement"),
    "adoption_match_before_placement": ("lognormal", (), "days from the match to the adoption placement"),
    "adoption_order_wait": ("lognormal", (), "days from adoption placement to adoption order"),
    "adoption_unopposed": ("share", (), "probability an adoption order is unopposed (E11, else E12)"),
    "adoption_by_foster_carer": ("share", (), "probability a fostered child is placed with its foster carers (A5)"),
    "adopters": ("categorical", (), "adopters as SEX_ADOPTR_LS_ADOPTR"),
    "adoption_decision_ceased_reason": ("categorical", (), "903 REASON_PLACED_CEASED when no placement follows"),
    "adoption_decision_ceased_wait": ("lognormal", (), "days from the placement order to the decision ceasing"),
})

#: Outcomes after which a child no longer lives at home; any other outcome leaves the child at
#: home, so a later proceeding about the family can concern that child again.
AWAY_FROM_HOME = ("care_order", "care_and_placement_order", "special_guardianship_order", "placement_order")

#: The values each ``given`` variable takes; every one must have a case.
GIVEN_VALUES: dict[str, tuple[str, ...]] = {
    "law_type": LAW_TYPES,
    "country": COUNTRIES,
    "age_band": AGE_BANDS,
    "history": RECURRENCE_HISTORY,
    "placement_group": PLACEMENT_GROUPS,
    "current_placement": CURRENT_PLACEMENT,
}
