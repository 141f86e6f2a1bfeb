"""Names from published frequencies: ONS forenames by year and sex, Welsh names, surnames by role."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.world import names

N = 100_000


def _children(rng: np.random.Generator, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(1, 3, N), rng.integers(first, last + 1, N)


def test_top_forename_of_recent_cohorts_holds_one_to_three_percent():
    rng = np.random.default_rng(1)
    sex, year = _children(rng, 2015, 2024)
    f = names.forenames(sex, rng, year)
    for s in (1, 2):
        counts = pd.Series(f[sex == s]).value_counts()
        share = counts.iloc[0] / counts.sum()
        assert 0.01 <= share <= 0.03, (s, counts.index[0], share)  # ONS: Oliver 2015 2.1%, Olivia 2024 1.1%


def test_several_thousand_distinct_forenames_among_100k_children():
    rng = np.random.default_rng(2)
    sex, year = _children(rng, 1995, 2024)
    assert len(set(names.forenames(sex, rng, year))) >= 3000


def test_forenames_follow_the_birth_year():
    rng = np.random.default_rng(3)
    sex = np.ones(20_000, np.int64)
    old = pd.Series(names.forenames(sex, rng, np.full(len(sex), 1964))).value_counts()
    new = pd.Series(names.forenames(sex, rng, np.full(len(sex), 2023))).value_counts()
    assert old.index[0] in ("David", "Paul", "Andrew", "Mark")  # ONS historic top 100, 1964
    assert new.index[0] in ("Muhammad", "Noah", "Oliver")  # ONS 2023
    assert old.get("Muhammad", 0) < 20 and new.get("David", 0) < old["David"] / 5


def test_welsh_names_are_given_in_wales():
    rng = np.random.default_rng(4)
    sex, year = _children(rng, 2005, 2020)
    welsh = ("Osian", "Cerys", "Seren", "Tomos", "Harri", "Ffion", "Lowri", "Ioan", "Mali", "Gruffydd")
    in_wales = np.isin(names.forenames(sex, rng, year, np.ones(N, bool)), welsh).mean()
    in_england = np.isin(names.forenames(sex, rng, year, np.zeros(N, bool)), welsh).mean()
    assert in_wales > 5 * in_england and in_wales > 0.01


def test_surnames_follow_their_weights_and_wales():
    rng = np.random.default_rng(5)
    ew = pd.Series(names.surnames(N, rng)).value_counts(normalize=True)
    wales = pd.Series(names.surnames(N, rng, np.ones(N, bool))).value_counts(normalize=True)
    assert ew.index[0] == "Smith" and abs(ew["Smith"] - 0.0115) < 0.002  # Faker en_GB weight 1.15%
    assert wales["Jones"] > 3 * ew["Jones"]
    assert ew.max() < 0.015 and len(ew) > 3000  # no tail name outweighs the head


def test_person_surnames_by_role():
    rng = np.random.default_rng(6)
    n_fam = 5000
    # Each family: mother (0), father (1), two children (2, 3), a grandparent (4).
    role = np.tile(np.array(["mother", "father", "child", "child", "grandparent"], dtype=object), n_fam)
    fam = np.repeat(np.arange(n_fam), 5)
    father_pos = np.repeat(np.arange(n_fam) * 5 + 1, 5)
    takes_father = rng.random(len(role)) < 0.5
    surname, other = names.person_surnames(role, fam, father_pos, takes_father, np.zeros(n_fam, bool), rng)
    mother, father, child, gran = (role == r for r in ("mother", "father", "child", "grandparent"))
    # Grandparents keep the mother's birth surname; a married mother's is her other surname.
    married = mother & pd.notna(other)
    assert 0.2 < married.sum() / n_fam < 0.3
    assert (other[married] == surname[np.flatnonzero(married) + 4]).all()
    assert (surname[married] == surname[np.flatnonzero(married) + 1]).all()
    assert (surname[mother & ~married] == surname[np.flatnonzero(mother & ~married) + 4]).all()
    assert (surname[child & takes_father] == surname[father_pos[child & takes_father]]).all()
    assert pd.isna(other[father]).all() and pd.isna(other[gran]).all()
    hyphen = np.char.find(surname[child].astype(str), "-") >= 0
    assert 0.02 < hyphen.mean() < 0.06


def test_names_are_deterministic():
    a = names.forenames(np.array([1, 2] * 50), np.random.default_rng(7), np.arange(1950, 2050))
    b = names.forenames(np.array([1, 2] * 50), np.random.default_rng(7), np.arange(1950, 2050))
    assert (a == b).all()


def test_no_two_children_of_one_mother_share_a_forename():
    # Popular names drawn independently gave brothers the same name (two Dylans in one family);
    # a later child's repeat is drawn again.
    rng = np.random.default_rng(8)
    n = 60_000
    family = np.repeat(np.arange(n // 4), 4)
    child = np.tile([False, True, True, True], n // 4)
    sex = np.ones(n, dtype=np.int64)  # all boys of one year: the most repeats
    year = np.full(n, 2010)
    welsh = np.zeros(n, bool)
    drawn = names.forenames(sex, rng, year, welsh)
    frame = pd.DataFrame({"f": family[child], "n": drawn[child]})
    assert frame.duplicated().sum() > 50  # independent draws do repeat
    out = names.distinct_among_siblings(drawn.copy(), family, child, sex, year, welsh, rng)
    assert not pd.DataFrame({"f": family[child], "n": out[child]}).duplicated().any()
    assert (out[~child] == drawn[~child]).all()  # mothers keep theirs
    kept = out[child] == drawn[child]
    assert kept.mean() > 0.95  # only the repeats were drawn again
