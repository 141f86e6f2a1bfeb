"""Identifiers come only from safe ranges and never collide."""

import numpy as np

from synth import keys
from synth.world import ids


def test_every_valid_test_nhs_number_is_in_the_999_range_with_a_valid_checksum():
    v = ids.valid_test_nhs_numbers()
    assert v.min() >= 999_000_000_0 and v.max() <= 999_999_999_9
    assert ids.is_valid_nhs(v).all()
    # About 1 in 11 bases has check digit 10 and is never issued.
    assert 900_000 < len(v) < 920_000


def test_nhs_check_digit_matches_published_examples():
    assert ids.is_valid_nhs(np.array([9434765919, 9434765870])).all()
    assert not ids.is_valid_nhs(np.array([9434765918, 9434765871])).any()


def test_nhs_numbers_are_distinct_for_distinct_people():
    seq = np.arange(300_000)
    nhs = ids.nhs_numbers(seq, key=12345)
    assert len(np.unique(nhs)) == len(seq)
    assert all(n.startswith("999") and len(n) == 10 for n in nhs[:1000])


def test_permutation_is_a_bijection_and_depends_on_the_key():
    a = keys.permute_index(np.arange(10_000), 10_000, key=1)
    b = keys.permute_index(np.arange(10_000), 10_000, key=2)
    assert sorted(a) == list(range(10_000))
    assert (a != b).mean() > 0.99


def test_keyed_ids_are_distinct_and_salted():
    x = np.arange(0, 2_000_000, 7, dtype=np.int64)
    k1, k2 = keys.keyed_id(x, 11), keys.keyed_id(x, 12)
    assert len(np.unique(k1)) == len(x)
    assert (k1 > 0).all() and (k1 < 2**48 + 1).all()
    assert not np.intersect1d(k1, k2).size > len(x) * 1e-3


def test_upns_have_never_issued_la_999_and_correct_check_letters():
    u = ids.upns(np.arange(5000), np.full(5000, 2016))
    assert all(x[1:4] == "999" and x[0] in "ABCDEFGHJKLMNPQRTUVWXYZ" for x in u)
    assert ids.upn_is_valid(u).all()
    bad = np.array([("A" if x[0] != "A" else "B") + x[1:] for x in u[:50]])
    assert not ids.upn_is_valid(bad).any()
    assert len(set(u)) == len(u)


def test_pseudo_postcodes_are_in_the_unallocated_zz_area():
    pc = ids.pseudo_postcodes(np.arange(200), np.random.default_rng(0))
    for p in pc:
        out, inward = p.split(" ")
        assert out.startswith("ZZ") and out != "ZZ99" and 3 <= len(out) <= 4
        assert len(inward) == 3 and inward[0].isdigit() and inward[1:].isalpha()
