"""Every named distribution of the world model, declared once.

Each :class:`Mechanism` says what the world draws (its name), of which kind, conditioned on
which variables (outermost first), and what it means. How the validator observes it in the truth
tables and how ``synth learn`` derives it are registered against the name from those layers
(:func:`observer` in synth.validate, :func:`derivation` in synth.learn), so this module imports
neither; a mechanism ``learn`` cannot derive names its reason from :data:`NOT_LEARNABLE`.

The profile loader checks a profile against this registry (:func:`check_distributions`), so a
missing, unknown or mis-shaped distribution is reported with its YAML path before anything runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from synth.profile.kinds import Conditional, Kind, Lognormal

#: Outcome age bands (age at issue; unborn children count as under 1).
AGE_BANDS = ("under_1", "1-4", "5-9", "10-15", "16-17")
LAW_TYPES = ("public", "private")
COUNTRIES = ("England", "Wales")
RECURRENCE_HISTORY = ("first_teen", "first_other", "repeat")
#: Kinds of placement (for the provider) and the child's placement when an SGO is made (care).
PLACEMENT_GROUPS = ("foster_kinship", "foster_other", "residential", "public_other", "independent", "adoption")
CURRENT_PLACEMENT = ("kinship_foster", "other_foster", "not_foster")

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

#: The only reasons a mechanism may give for not being learnable (shown in the disclosure log).
NOT_LEARNABLE = {
    "no_postcodes": "agency extracts hold no postcodes (no-fixed-abode codes cannot be seen)",
    "no_names": "agency extracts hold no names",
    "at_risk": "return curves need at-risk modelling across cases (not learned by this version)",
    "children_at_home": "needs which older children were at home (not learned by this version)",
    "care": "not learned by this version",
}


@dataclass(frozen=True)
class Mechanism:
    """One named distribution of the world model.

    Attributes:
        name: the key under ``world.distributions``.
        kind: the kind of its leaves.
        given: the ``given`` variables, outermost first (empty: unconditional).
        meaning: what it means, in one phrase.
        not_learnable: a key of :data:`NOT_LEARNABLE` when ``synth learn`` cannot derive it.
    """

    name: str
    kind: str
    given: tuple[str, ...]
    meaning: str
    not_learnable: str | None = None

    @property
    def observe(self) -> Callable[..., Any] | None:
        """How the validator reads the achieved sample from the truth (None until registered)."""
        return OBSERVERS.get(self.name)

    @property
    def derive(self) -> Callable[..., Any] | str | None:
        """How ``synth learn`` derives it, or why it cannot (a reason from NOT_LEARNABLE)."""
        if self.not_learnable is not None:
            return NOT_LEARNABLE[self.not_learnable]
        return DERIVATIONS.get(self.name)


MECHANISMS: dict[str, Mechanism] = {}


def _declare(name: str, kind: str, given: tuple[str, ...], meaning: str, not_learnable: str | None = None) -> None:
    MECHANISMS[name] = Mechanism(name, kind, given, meaning, not_learnable)


LT = ("law_type",)
_declare("month_of_issue", "categorical", (), "calendar month (1-12) of issue: seasonality")
_declare("children_per_case", "categorical", LT, "number of subject children on a case")
_declare("youngest_child_age_at_issue", "histogram", LT,
         "age in days of the youngest subject child at issue (<0: unborn)")
_declare("sibling_spacing", "lognormal", (), "months between births of consecutive subject children")
_declare("mother_age_at_first_birth", "histogram", LT, "mother's age (years) at her first birth")
_declare("new_father_at_birth", "share", (), "probability that a younger child has a different father")
_declare("father_age_gap", "histogram", (), "father's age minus mother's age (years)")
_declare("father_recorded", "share", LT, "probability that the fathers are parties on a case")
_declare("other_adult_parties", "poisson", LT, "other adults (grandparents, relatives) on a case")
_declare("private_applicant", "categorical", (), "who applies in private law")
_declare("child_sex_male", "share", (), "probability that a child is male")
_declare("ethnicity", "categorical", ("country",),
         "DfE ethnicity code of the children in public-law proceedings (the target of the calibrated propensities)")
_declare("issue_to_receipt_days", "poisson", (), "days from court issue to Cafcass receipt")
_declare("welfare_report", "share", (),
         "probability a private law case has a Cafcass welfare report (s7) ordered, so Cafcass works on past the "
         "first hearing to the final order", "care")
_declare("application_type", "categorical", LT, "primary order applied for")
_declare("duration", "lognormal", LT, "weeks from issue to final disposal, mean by financial year")
_declare("hearings", "poisson", LT, "hearings per proceeding, final hearing included")
_declare("hearing_type", "categorical", LT, "type of a hearing that is neither first nor final")
_declare("outcome", "categorical", ("law_type", "age_band"), "final order for a child, by age at issue")
_declare("outcome_sibling_correlation", "share", (), "probability a sibling shares the case's outcome draw")
_declare("recurrence", "survival", ("law_type", "history"),
         "years from one issue to the family's next (never before its disposal and the next one's "
         "pre-proceedings work)", "at_risk")
_declare("pre_proceedings_days", "lognormal", LT,
         "days from the start of pre-proceedings work to issue (a return's starts after the previous disposal)",
         "care")
_declare("recurrence_law_type", "categorical", LT, "law type of the next proceeding")
_declare("recurrence_new_baby", "share", (),
         "probability a public law return is about a new baby while older children are at home", "children_at_home")
_declare("recurrence_baby_age_at_issue", "histogram", (), "new baby's age in days at the next issue (<0: unborn)")
_declare("child_father_surname", "share", (), "probability a child has its father's surname", "no_names")
_declare("address_duration", "survival", (), "years a household stays at an address before moving", "no_postcodes")
_declare("address_recorded", "categorical", (),
         "an adult's address: known, no_fixed_abode or not_specified", "no_postcodes")

# The court's applications and orders (synth/world/applications.py, orders.py, court.py).
_declare("emergency_protection_order", "share", (),
         "probability a public law case with children on interim care orders began with an EPO", "care")
_declare("interim_supervision_order", "share", (),
         "probability a public law child at home at issue gets an interim supervision order", "care")
_declare("interim_child_arrangements_order", "share", (),
         "probability a private law case gets interim child arrangements orders at its first hearing", "care")
_declare("sgo_application", "share", (),
         "probability a public law case ending in an SGO had a relative's application (G50) for it", "care")
_declare("private_cross_application", "share", (),
         "probability a private law case gets a cross-application (G50) by the other parent", "care")
_declare("court_event_error", "share", (), "probability a court event also has an erroneous copy (error 'Y')",
         "care")

# The care mechanism (synth/world/care.py): agency extracts read by ``synth learn`` hold no care episodes.
for _name, _kind, _given, _meaning in (
    ("care_onset", "categorical", (), "looked after at issue: section_20 (before it), interim_care_order or at_home"),
    ("care_s20_before_issue", "lognormal", (), "days accommodated under s20 before issue"),
    ("care_order_at_home", "share", (), "probability a child at home when a care order is made is placed with parents"),
    ("care_placement_type", "categorical", ("age_band",), "903 PLACE of a new placement, by age at its start"),
    ("care_placement_move", "poisson", (), "unplanned placement moves per full year looked after"),
    ("care_placement_move_same_carer", "share", (),
     "probability an unplanned move from short-term foster care is it becoming long term (T)"),
    ("care_reason_place_change", "categorical", (), "903 REASON_PLACE_CHANGE of an unplanned move to new carers"),
    ("care_placement_provider", "categorical", ("placement_group",), "903 PLACE_PROVIDER by kind of placement"),
    ("care_placement_in_home_la", "share", (), "probability a new placement is in the child's own local authority"),
    ("care_category_of_need", "categorical", (), "903 CIN of a period of care"),
    ("care_placed_with_parents_before_return", "share", (),
     "probability a return home (E4A) follows a placement with parents (P1)"),
    ("care_placed_with_parents_days", "lognormal", (), "days placed with parents before the return home"),
    ("care_order_exit", "survival", (), "years from a care order to leaving care before 18"),
    ("care_order_exit_reason", "categorical", (), "903 REC of leaving a care order before 18"),
    ("care_leaving_at_18", "categorical", (), "903 REC on the 18th birthday"),
    ("care_sgo_reason", "categorical", ("current_placement",), "903 REC (E45-E48) when an SGO is made"),
    ("care_review_participation", "categorical", (), "903 REVIEW_CODE of a child aged 4 or over"),
    ("care_missing_incidents", "poisson", ("age_band",), "missing or away incidents per full year looked after"),
    ("care_missing_type_missing", "share", (), "probability an incident is missing (M) rather than away (A)"),
    ("care_missing_duration", "poisson", (), "days until a missing child returns"),
    ("adoption_placed", "share", (), "probability a placement order is followed by an adoption placement"),
    ("adoption_decision_before_order", "lognormal", (), "days from the adoption decision to the placement order"),
    ("adoption_placement_wait", "lognormal", (), "days from placement order to adoption placement"),
    ("adoption_match_before_placement", "lognormal", (), "days from the match to the adoption placement"),
    ("adoption_order_wait", "lognormal", (), "days from adoption placement to adoption order"),
    ("adoption_unopposed", "share", (), "probability an adoption order is unopposed (E11, else E12)"),
    ("adoption_by_foster_carer", "share", (), "probability a fostered child is placed with its foster carers (A5)"),
    ("adopters", "categorical", (), "adopters as SEX_ADOPTR_LS_ADOPTR"),
    ("adoption_decision_ceased_reason", "categorical", (), "903 REASON_PLACED_CEASED when no placement follows"),
    ("adoption_decision_ceased_wait", "lognormal", (), "days from the placement order to the decision ceasing"),
):
    _declare(_name, _kind, _given, _meaning, "care")

#: Mechanism name -> observer (registered by synth.validate) and derivation (by synth.learn).
OBSERVERS: dict[str, Callable[..., Any]] = {}
DERIVATIONS: dict[str, Callable[..., Any]] = {}


def _register(table: dict[str, Callable[..., Any]], what: str, names: tuple[str, ...]) -> Callable:
    for name in names:
        if name not in MECHANISMS:
            close = difflib.get_close_matches(name, list(MECHANISMS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise KeyError(f"{what} for unknown mechanism '{name}'{hint}")

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            table[name] = fn
        return fn

    return deco


def observer(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function reading ``names``' achieved samples from the truth (synth.validate)."""
    return _register(OBSERVERS, "observer", names)


def derivation(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function deriving ``names`` from an agency extract (synth.learn), in run order."""
    return _register(DERIVATIONS, "derivation", names)


def check_distributions(distributions: dict[str, Kind], add: Callable[[tuple, str], None]) -> None:
    """Report every problem of a profile's named distributions against the registry.

    Unknown names (with the closest valid name), missing provenance, missing mechanisms, wrong
    kinds, wrong ``given`` variables and missing or unknown cases, each at its key path.

    Args:
        distributions: the profile's ``world.distributions``.
        add: called with ``(key path, message)`` for each problem.
    """
    for name, d in distributions.items():
        loc = ("world", "distributions", name)
        if name not in MECHANISMS:
            close = difflib.get_close_matches(name, list(MECHANISMS), n=1)
            fix = f"did you mean '{close[0]}'?" if close else "remove it or rename it to a distribution the world draws"
            add(loc, f"unknown distribution '{name}'; {fix}")
        if not d.has_provenance():
            add(loc, "every number needs 'source:' (an address in domain/) or 'assumption:' (why); add one")
    for name, m in MECHANISMS.items():
        loc = ("world", "distributions", name)
        if name not in distributions:
            add(loc, f"missing distribution ({m.meaning}); add a '{m.kind}' distribution"
                + (f" conditional on {' then '.join(m.given)}" if m.given else ""))
            continue
        check_shape(distributions[name], m.kind, m.given, loc, add)


def check_shape(d: Kind, kind: str, given: tuple[str, ...], loc: tuple, add: Callable[[tuple, str], None]) -> None:
    """Report where ``d`` is not of ``kind`` conditioned on ``given`` with a case for every value."""
    if not given:
        if d.kind != kind:  # type: ignore[attr-defined]
            add(loc + ("kind",), f"must be '{kind}' here, not '{d.kind}'")  # type: ignore[attr-defined]
        return
    if not isinstance(d, Conditional):
        add(loc + ("kind",), f"must be 'conditional' on '{given[0]}' (cases of kind '{kind}')")
        return
    if d.given != given[0]:
        add(loc + ("given",), f"must be conditional on '{given[0]}', not '{d.given}'")
        return
    expected = GIVEN_VALUES[given[0]]
    for value in expected:
        if value not in d.cases:
            add(loc + ("cases",), f"no case for {given[0]} = '{value}'; add it (needed: {', '.join(expected)})")
    for value in d.cases:
        if value not in expected:
            add(loc + ("cases", value), f"'{value}' is not a value of {given[0]} ({', '.join(expected)})")
        else:
            check_shape(d.cases[value], kind, given[1:], loc + ("cases", value), add)


def leaves(d: Kind, loc: tuple) -> list[tuple[tuple, Kind]]:
    """(key path, leaf distribution) pairs under ``d``."""
    if isinstance(d, Conditional):
        return [pair for k, c in d.cases.items() for pair in leaves(c, loc + ("cases", k))]
    return [(loc, d)]


def check_fy_means(distributions: dict[str, Kind], first_fy: int, last_fy: int,
                   add: Callable[[tuple, str], None]) -> None:
    """Report lognormals with a mean per financial year that lack a year of the period."""
    for name, d in distributions.items():
        for loc, leaf in leaves(d, ("world", "distributions", name)):
            if isinstance(leaf, Lognormal) and leaf.given == "fy" and isinstance(leaf.mean, dict):
                missing = [y for y in range(first_fy, last_fy + 1) if str(y) not in leaf.mean]
                if missing:
                    add(loc + ("mean",), f"no mean for financial years {missing} of the period; add them")
