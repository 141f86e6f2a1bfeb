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

#: Outcomes after which a child no longer lives at home; any other outcome leaves the child at
#: home, so a later proceeding about the family can concern that child again.
AWAY_FROM_HOME = ("care_order", "care_and_placement_order", "special_guardianship_order", "placement_order")

#: The values each ``given`` variable takes; every one must have a case.
GIVEN_VALUES: dict[str, tuple[str, ...]] = {
    "law_type": LAW_TYPES,
    "country": COUNTRIES,
    "age_band": AGE_BANDS,
    "history": RECURRENCE_HISTORY,
}
