"""Statistical tests: what the profile states is what the output shows.

Fixed seed, 20,000 families. Each tolerance is ``Z`` standard errors of the statistic at the
achieved sample size, so the tests have power but do not flake.
"""

import numpy as np
import pytest

from synth.validate import measures as M

Z = 4.0
LAWS = ("public", "private")


def _prop_tol(p, n):
    return Z * np.sqrt(max(p * (1 - p), 1e-4) / n)


@pytest.mark.parametrize("law", LAWS)
def test_children_per_index_case_match_the_profile(quality_run, law):
    dist = quality_run.profile.world.distributions["children_per_case"].cases[law]
    k = M.children_per_case(quality_run.truth("proceeding"), law)
    values = np.array([int(x) for x in dist.labels])
    target_mean = float((values * dist.p).sum())
    sd = np.sqrt(float(((values - target_mean) ** 2 * dist.p).sum()))
    assert abs(k.mean() - target_mean) < Z * sd / np.sqrt(len(k))
    # Families whose youngest child is 16-17 cannot have many older siblings under 18, so the
    # largest groups are slightly rarer than stated; each share within tolerance of the target.
    shares = k.value_counts(normalize=True)
    for label, p in zip(dist.labels, dist.p):
        assert abs(shares.get(int(label), 0.0) - p) < _prop_tol(p, len(k)) + 0.005, label


@pytest.mark.parametrize("law", LAWS)
def test_youngest_child_age_at_issue_matches_the_profile(quality_run, law):
    dist = quality_run.profile.world.distributions["youngest_child_age_at_issue"].cases[law]
    ages = M.youngest_age_days(quality_run.truth("proceeding"), quality_run.truth("proceeding_child"), law)
    bins = dist.bin_of(ages.to_numpy())
    shares = np.bincount(bins, minlength=len(dist.p)) / len(ages)
    for i, p in enumerate(dist.p):
        assert abs(shares[i] - p) < _prop_tol(p, len(ages)), f"bin {i}: {shares[i]:.4f} vs {p}"


def test_unborn_and_newborn_children_are_present(quality_run):
    c = quality_run.truth("proceeding_child")
    assert c["unborn_at_issue"].sum() > 0
    assert ((c["age_at_issue_days"] >= 0) & (c["age_at_issue_days"] < 7)).sum() > 0


@pytest.mark.parametrize("law", LAWS)
def test_outcome_shares_by_age_band_match_the_profile(quality_run, law):
    outcome = quality_run.profile.world.distributions["outcome"].cases[law]
    p, c = quality_run.truth("proceeding"), quality_run.truth("proceeding_child")
    for band, dist in outcome.cases.items():
        shares = M.outcome_shares(p, c, law, band)
        n = int(((c["age_band"] == band) & c["has_outcome"] &
                 c["proceeding_id"].isin(p.loc[p["law_type"] == law, "proceeding_id"])).sum())
        # Siblings share outcomes (correlation), which inflates the variance: design effect 2.
        for label, target in zip(dist.labels, dist.p):
            assert abs(shares.get(label, 0.0) - target) < _prop_tol(target, n / 2), (band, label)


def test_public_law_headline_outcomes_are_as_published(quality_run):
    shares = M.outcome_shares(quality_run.truth("proceeding"), quality_run.truth("proceeding_child"), "public")
    care = shares.get("care_order", 0) + shares.get("care_and_placement_order", 0)
    assert 0.45 < care < 0.58  # care order about 50%
    assert 0.13 < shares["special_guardianship_order"] < 0.21  # SGO about 17%
    assert 0.11 < shares["supervision_order"] < 0.19  # supervision about 15%
    assert shares["no_order"] < 0.04  # no order about 2%


def test_placement_orders_are_mostly_for_young_children(quality_run):
    c = quality_run.truth("proceeding_child")
    placed = c[c["outcome"] == "care_and_placement_order"]
    assert placed["age_band"].isin(["under_1", "1-4"]).mean() > 0.8


def test_seven_year_recurrence_matches_the_profile(quality_run):
    dist = quality_run.profile.world.distributions["recurrence"].cases["public"]
    fam = quality_run.truth("family").set_index("family_id")["teen_first_birth"]
    p = quality_run.truth("proceeding")
    end = np.datetime64(quality_run.profile.period.end)
    idx = M.index_proceedings(p)
    teen_share = fam.reindex(idx.loc[idx["law_type"] == "public", "family_id"]).mean()
    target = teen_share * dist.cases["first_teen"].ever + (1 - teen_share) * dist.cases["first_other"].ever
    inc, se, n = M.recurrence_km(p, "public", end, 7.0)
    assert n > 2000
    assert abs(inc - target) < Z * se, f"{inc:.3f} vs {target:.3f} (se {se:.3f})"
    teen_inc, teen_se, _ = M.recurrence_km(p, "public", end, 7.0, teen=fam)
    other_inc, _, _ = M.recurrence_km(p, "public", end, 7.0, teen=~fam)
    assert teen_inc > other_inc  # mothers who were teenagers at first birth return more often
    assert abs(teen_inc - dist.cases["first_teen"].ever) < Z * teen_se
    # Most returns happen within 3 years.
    three, _, _ = M.recurrence_km(p, "public", end, 3.0)
    assert three / inc > 0.6


def test_recurrent_public_cases_are_often_about_a_new_baby(quality_run):
    p, c = quality_run.truth("proceeding"), quality_run.truth("proceeding_child")
    rec = p[(p["sequence"] > 1) & (p["law_type"] == "public")]
    youngest = c[c["proceeding_id"].isin(rec["proceeding_id"])].groupby("proceeding_id")["age_at_issue_days"].min()
    within_month = (youngest <= 30).mean()
    # 42% of recurrent cases are issued within a month of the birth (stats.md 3).
    assert abs(within_month - 0.42) < _prop_tol(0.42, len(youngest)) + 0.03


def test_fathers_recorded_and_adults_per_public_case(quality_run):
    p, party = quality_run.truth("proceeding"), quality_run.truth("proceeding_party")
    n = int((p["law_type"] == "public").sum())
    assert abs(M.father_party_share(p, party, "public") - 0.80) < _prop_tol(0.8, n)
    assert abs(M.adults_per_case(p, party, "public") - 2.03) < 0.08


def test_private_law_applicants_are_mostly_fathers(quality_run):
    p = quality_run.truth("proceeding")
    private = p[p["law_type"] == "private"]
    dist = quality_run.profile.world.distributions["private_applicant"]
    shares = private["applicant_type"].value_counts(normalize=True)
    for label, target in zip(dist.labels, dist.p):
        assert abs(shares.get(label, 0) - target) < _prop_tol(target, len(private))


def test_volumes_by_year_country_and_law_type_match_the_profile(quality_run):
    from synth.world.context import build_context

    ctx = build_context(quality_run.loaded)
    p = quality_run.truth("proceeding")
    got = M.stratum_shares(p)
    n = len(p)
    for fy, country, law, target in zip(ctx.strata.fy, ctx.strata.country, ctx.strata.law, ctx.strata.target):
        share = got.get((fy, country, law), 0.0)
        # The index weights are solved from an approximate recurrence kernel: allow 10% relative.
        assert abs(share - target) < _prop_tol(target, n) + 0.1 * target, (fy, country, law)


def test_durations_follow_the_yearly_means(quality_run):
    p = quality_run.truth("proceeding")
    dist = quality_run.profile.world.distributions["duration"].cases["public"]
    done = p[(p["law_type"] == "public") & p["disposal_date"].notna()].copy()
    done["weeks"] = (np.array(done["disposal_date"], dtype="datetime64[D]")
                     - np.array(done["issue_date"], dtype="datetime64[D]")).astype(float) / 7
    # Early years are fully observed (no censoring by the period end).
    for fy in range(2010, 2016):
        w = done.loc[done["fy"] == fy, "weeks"]
        target = dist.mean[str(fy)]
        assert abs(w.mean() - target) < Z * dist.cv * target / np.sqrt(len(w)) + 1.0, fy
