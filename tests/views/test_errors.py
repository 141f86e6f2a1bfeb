"""Identifier errors: achieved rates, what each kind does, kinds that cannot apply, determinism and
the profile model's validation (synth.views.identifiers, synth.profile.identifier_errors)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from synth.profile.identifier_errors import IdentifierErrors
from synth.views import identifiers as E

N = 50_000
FORENAMES = np.array(["William", "Elizabeth", "Robert", "Margaret", "Zoe", "Aaron", "Stephen", "Katie",
                      "Phillip", "Ada", "Jo", "Mohammed"], dtype=object)
SURNAMES = np.array(["Smith", "Jones", "Jackson", "Phillips", "Cook", "Oakley", "Khan", "Okafor",
                     "McDonald", "Ng", "O'Brien", "Taylor-Reid"], dtype=object)
S = {"source": "test"}


def make_records(n: int = N, seed: int = 7) -> pd.DataFrame:
    """Made-up agency person records with every input column ``corrupt`` reads."""
    r = np.random.default_rng(seed)
    age = r.uniform(-0.4, 70, n)
    dob = np.datetime64("1950-01-01") + r.integers(0, 75 * 365, n).astype("timedelta64[D]")
    nhs = np.char.add("999", np.char.zfill(r.integers(0, 10**7, n).astype(str), 7)).astype(object)
    nhs[r.random(n) < 0.02] = None
    district = r.integers(1, 99, n).astype(str)
    inward = np.char.add(r.integers(0, 10, n).astype(str), np.array(["AB", "QX", "ZZ", "HJ"])[r.integers(0, 4, n)])
    postcode = np.char.add(np.char.add(np.char.add("ZZ", district), " "), inward).astype(object)
    previous = np.where(r.random(n) < 0.5, "ZZ7 1XY", None).astype(object)
    s = r.integers(0, len(SURNAMES), n)
    return pd.DataFrame({
        "forename": FORENAMES[r.integers(0, len(FORENAMES), n)],
        "surname": SURNAMES[s],
        "date_of_birth": dob.astype("datetime64[ns]"),
        "sex": r.integers(1, 3, n).astype(np.int64),
        "nhs_number": nhs,
        "postcode": postcode,
        "previous_postcode": previous,
        "alt_surname": SURNAMES[(s + r.integers(1, len(SURNAMES), n)) % len(SURNAMES)],
        "is_adult": age >= 18,
        "age_years": age,
        "ethnicity": np.array(["WBRI", "APKN", "BAFR", None], dtype=object)[r.integers(0, 4, n)],
    }, index=pd.RangeIndex(1000, 1000 + n))


MODEL = IdentifierErrors.model_validate({
    "forename": [
        {"kind": "typo", "rate": 0.02, "multipliers": [{"when": {"ethnicity_not": ["WBRI"]}, "times": 2}], **S},
        {"kind": "phonetic", "rate": 0.03, **S},
        {"kind": "nickname", "rate": 0.05, "when": {"is_adult": True}, **S},
        {"kind": "missing", "rate": 0.01, "multipliers": [{"when": {"age_years_below": 0}, "times": 20}], **S},
    ],
    "surname": [
        {"kind": "typo", "rate": 0.02, **S},
        {"kind": "phonetic", "rate": 0.02, **S},
        {"kind": "change", "rate": 0.01, "multipliers": [{"when": {"is_adult": True, "sex": 2}, "times": 8}], **S},
        {"kind": "hyphenate", "rate": 0.01, **S},
        {"kind": "missing", "rate": 0.005, **S},
    ],
    "date_of_birth": [
        {"kind": "day_month_swap", "rate": 0.03, **S},
        {"kind": "day_offset", "rate": 0.02, **S},
        {"kind": "year_typo", "rate": 0.02, **S},
        {"kind": "missing", "rate": 0.01, **S},
    ],
    "sex": [{"kind": "miscode", "rate": 0.01, **S}, {"kind": "missing", "rate": 0.01, **S}],
    "nhs_number": [
        {"kind": "typo", "rate": 0.01, **S},
        {"kind": "missing", "rate": 0.04, "multipliers": [{"when": {"age_years_below": 0.1}, "times": 10},
                                                         {"when": {"is_adult": True}, "times": 2}], **S},
    ],
    "postcode": [{"kind": "typo", "rate": 0.02, **S}, {"kind": "moved", "rate": 0.06, **S},
                 {"kind": "missing", "rate": 0.02, **S}],
})


@pytest.fixture(scope="module")
def run():
    records = make_records()
    recorded, errors = E.corrupt(records, MODEL, np.random.default_rng(2024))
    return records, recorded, errors


def tolerance(p: float, n: int) -> float:
    """Four standard errors of a binomial proportion (plus a hair for p near 0)."""
    return 4 * np.sqrt(max(p, 1e-4) * (1 - p) / n)


def applicable(records: pd.DataFrame, field: str, kind: str) -> np.ndarray:
    """Where a kind can change the value, worked out independently of the library."""
    v = records[field]
    if kind == "nickname":
        return v.str.upper().isin(set(E.shipped_nicknames().names)).to_numpy()
    if kind == "phonetic":
        can = {x: any(re.sub(p, r, x.upper(), count=1) != x.upper() for p, r in E.PHONETIC_RULES) for x in v.unique()}
        return v.map(can).to_numpy(bool)
    if kind == "day_month_swap":
        return ((v.dt.day <= 12) & (v.dt.day != v.dt.month)).to_numpy()
    if kind == "moved":
        return (records["previous_postcode"].notna() & (records["previous_postcode"] != v)).to_numpy()
    return v.notna().to_numpy()


# --------------------------------------------------------------------------------------------
# Rates


def test_achieved_rate_of_each_kind_matches_configured(run):
    records, _, errors = run
    counts = errors.groupby(["field", "kind"]).size()
    for field in E.FIELDS:
        entries = MODEL.for_field(field)
        rates = E.field_rates(entries, records, field)
        for e, r in zip(entries, rates):
            target = float((r * applicable(records, field, e.kind)).mean())
            got = counts.get((field, e.kind), 0) / len(records)
            assert abs(got - target) <= tolerance(target, len(records)), (field, e.kind, got, target)


def test_multipliers_and_when_shape_the_rates_by_group(run):
    records, _, errors = run
    hit = np.zeros(len(records), bool)
    hit[errors.loc[(errors.field == "surname") & (errors.kind == "change"), "row"]] = True
    women = (records["is_adult"] & (records["sex"] == 2)).to_numpy()
    for group, target in ((women, 0.08), (~women, 0.01)):
        assert abs(hit[group].mean() - target) <= tolerance(target, int(group.sum()))
    nick = errors.loc[(errors.field == "forename") & (errors.kind == "nickname"), "row"].to_numpy()
    assert records["is_adult"].to_numpy()[nick].all()
    unborn = records["age_years"].to_numpy() < 0
    assert records["nhs_number"].notna()[unborn].any()
    nhs_missing = np.zeros(len(records), bool)
    nhs_missing[errors.loc[(errors.field == "nhs_number") & (errors.kind == "missing"), "row"]] = True
    present = records["nhs_number"].notna().to_numpy()
    assert abs(nhs_missing[unborn & present].mean() - 0.4) <= tolerance(0.4, int((unborn & present).sum()))


def test_achieved_rates_count_every_applied_error(run):
    records, recorded, errors = run
    achieved = E.achieved_rates(records, recorded).set_index("field")
    per_field = errors.groupby("field").size()
    for field in E.FIELDS:
        assert achieved.loc[field, "differing"] == per_field[field]
        assert achieved.loc[field, "records"] == len(records)


def test_expected_rates_lists_every_entry(run):
    records, _, _ = run
    exp = E.expected_rates(records, MODEL).set_index(["field", "kind"])["rate"]
    assert len(exp) == sum(len(MODEL.for_field(f)) for f in E.FIELDS)
    assert exp["sex", "miscode"] == pytest.approx(0.01)
    assert exp["forename", "nickname"] == pytest.approx(0.05 * records["is_adult"].mean())


def test_at_most_one_error_per_field_and_shapes(run):
    records, recorded, errors = run
    assert not errors.duplicated(["row", "field"]).any()
    assert list(errors.columns) == ["row", "field", "kind"]
    assert errors["row"].dtype == np.int64
    assert recorded.index.equals(records.index)
    assert list(recorded.columns) == ["forename", "surname", "date_of_birth", "sex", "nhs_number", "postcode"]
    assert str(recorded["sex"].dtype) == "Int64"
    assert recorded["date_of_birth"].dtype == "datetime64[ns]"
    untouched = np.setdiff1d(np.arange(len(records)), errors["row"].to_numpy())
    for f in recorded.columns:
        a, b = records[f].iloc[untouched], recorded[f].iloc[untouched]
        assert ((a.astype(object) == b.astype(object)) | (a.isna() & b.isna())).all(), f


def test_input_is_not_changed():
    records = make_records(2000)
    before = records.copy()
    E.corrupt(records, MODEL, np.random.default_rng(1))
    pd.testing.assert_frame_equal(records, before)


# --------------------------------------------------------------------------------------------
# What each kind does


def single_edit(a: str, b: str) -> bool:
    """True when b is a at edit distance 1 or with two adjacent characters transposed."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return len(long_) == len(short) + 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def pairs(run, field, kind):
    records, recorded, errors = run
    rows = errors.loc[(errors.field == field) & (errors.kind == kind), "row"].to_numpy()
    assert len(rows) > 20, (field, kind)
    return records[field].to_numpy()[rows], recorded[field].to_numpy()[rows], rows


@pytest.mark.parametrize("field", ["forename", "surname"])
def test_typo_is_one_edit(run, field):
    true, rec, _ = pairs(run, field, "typo")
    assert all(single_edit(a, b) and a != b for a, b in zip(true, rec))


def test_typos_avoid_the_first_letter():
    names = np.array(["Elizabeth", "Margaret", "Stephen", "Robert"] * 2500, dtype=object)
    out = E.typos(names, np.random.default_rng(3))
    assert all(single_edit(a, b) for a, b in zip(names[:500], out[:500]))
    first_changed = np.array([a[0] != b[0] for a, b in zip(names, out)])
    assert first_changed.mean() < 0.03


def test_typo_on_short_and_odd_names_still_changes_them():
    names = np.array(["A", "Al", "O'Brien", "Smith-Jones", "Zoë", "LL", "NG"] * 50, dtype=object)
    out = E.typos(names, np.random.default_rng(4))
    assert all(a != b and single_edit(a, b) for a, b in zip(names, out))


@pytest.mark.parametrize("field", ["forename", "surname"])
def test_phonetic_is_a_rule_variant_in_the_same_case(run, field):
    true, rec, _ = pairs(run, field, "phonetic")
    for a, b in zip(true, rec):
        variants = {re.sub(p, r, a.upper(), count=1) for p, r in E.PHONETIC_RULES} - {a.upper()}
        assert b.upper() in variants and not b.isupper()


def test_nickname_comes_from_the_list_in_the_input_case(run):
    true, rec, _ = pairs(run, "forename", "nickname")
    nick = pd.read_csv(E.NICKNAMES_CSV)
    allowed = set(zip(nick["name"], nick["nickname"]))
    assert all((a.upper(), b.upper()) in allowed and b == b.title() for a, b in zip(true, rec))
    out, found = E.shipped_nicknames().lookup(np.array(["WILLIAM", "ZOE"]), np.array([0.0, 0.5]))
    assert found.tolist() == [True, False] and out[0] in {"BILL", "BILLY", "WILL", "WILLIE", "WILLY"}
    upper = make_records(3000).assign(forename="ELIZABETH", is_adult=True)
    model = IdentifierErrors.model_validate({"forename": [{"kind": "nickname", "rate": 1.0, **S}]})
    rec, _ = E.corrupt(upper, model, np.random.default_rng(0))
    assert set(rec["forename"]) <= {"LIZ", "LIZZIE", "BETH", "BETTY", "LIBBY", "ELIZA", "BESS"}


def test_surname_change_and_hyphenate_use_alt_surname(run):
    records, _, _ = run
    true, rec, rows = pairs(run, "surname", "change")
    alt = records["alt_surname"].to_numpy()[rows]
    assert (rec == alt).all() and (rec != true).all()
    true, rec, rows = pairs(run, "surname", "hyphenate")
    alt = records["alt_surname"].to_numpy()[rows]
    joined = [b in (f"{a}-{c}", f"{c}-{a}") for a, b, c in zip(true, rec, alt)]
    assert all(joined)
    assert {b.startswith(a) for a, b in zip(true, rec)} == {True, False}


def test_date_errors(run):
    t, r, _ = pairs(run, "date_of_birth", "day_month_swap")
    t, r = pd.DatetimeIndex(t), pd.DatetimeIndex(r)
    assert (r.day == t.month).all() and (r.month == t.day).all() and (r.year == t.year).all()
    t, r, _ = pairs(run, "date_of_birth", "day_offset")
    assert set((r - t).astype("timedelta64[D]").astype(int)) == {-1, 1}
    t, r, _ = pairs(run, "date_of_birth", "year_typo")
    t, r = pd.DatetimeIndex(t), pd.DatetimeIndex(r)
    one_off = (abs(r.year - t.year) == 1)
    transposed = (r.year == t.year // 100 * 100 + t.year % 10 * 10 + t.year // 10 % 10) & (r.year != t.year)
    assert (one_off | transposed).all() and one_off.any() and transposed.any()
    assert ((r.month == t.month) & ((r.day == t.day) | ((t.month == 2) & (t.day == 29)))).all()
    _, r, _ = pairs(run, "date_of_birth", "missing")
    assert pd.isna(r).all()


def test_year_typo_keeps_29_february_valid():
    leap = np.array(["2000-02-29"] * 200, dtype="datetime64[D]")
    out = pd.DatetimeIndex(E.year_typos(leap, np.full(200, 30.0), np.random.default_rng(0)))
    assert set(out.strftime("%m-%d")) <= {"02-28", "02-29"} and (out.year != 2000).all()


def test_sex_errors(run):
    t, r, _ = pairs(run, "sex", "miscode")
    assert (r.astype(int) == 3 - t).all()
    _, r, _ = pairs(run, "sex", "missing")
    assert pd.isna(r).all()


def test_nhs_typo_changes_one_digit_and_keeps_the_test_range(run):
    true, rec, _ = pairs(run, "nhs_number", "typo")
    for a, b in zip(true, rec):
        assert len(b) == 10 and b.isdigit() and b.startswith("999")
        assert sum(x != y for x, y in zip(a, b)) == 1


def test_postcode_typo_keeps_shape_and_area(run):
    true, rec, _ = pairs(run, "postcode", "typo")
    shape = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "A" * 26 + "9" * 10)
    for a, b in zip(true, rec):
        assert a.translate(shape) == b.translate(shape) and b[:2] == "ZZ"
        assert sum(x != y for x, y in zip(a, b)) == 1
        assert re.fullmatch(r"ZZ\d{1,2} \d[A-Z]{2}", b)


def test_moved_uses_previous_postcode(run):
    records, _, _ = run
    _, rec, rows = pairs(run, "postcode", "moved")
    assert (rec == records["previous_postcode"].to_numpy()[rows]).all()


# --------------------------------------------------------------------------------------------
# Kinds that cannot apply


def test_kinds_that_cannot_apply_change_nothing_and_write_no_row():
    records = make_records(400).assign(forename="Ada", date_of_birth=pd.Timestamp("1990-07-25"),
                                       previous_postcode=None, nhs_number=None)
    records["alt_surname"] = records["surname"].str.upper()
    model = IdentifierErrors.model_validate({
        "forename": [{"kind": "phonetic", "rate": 0.5, **S}, {"kind": "nickname", "rate": 0.5, **S}],
        "surname": [{"kind": "change", "rate": 0.5, **S}, {"kind": "hyphenate", "rate": 0.5, **S}],
        "date_of_birth": [{"kind": "day_month_swap", "rate": 1.0, **S}],
        "postcode": [{"kind": "moved", "rate": 1.0, **S}],
        "nhs_number": [{"kind": "missing", "rate": 0.5, **S}, {"kind": "typo", "rate": 0.5, **S}],
    })
    recorded, errors = E.corrupt(records, model, np.random.default_rng(0))
    assert errors.empty
    for f in recorded.columns:
        pd.testing.assert_series_equal(recorded[f].astype(object), records[f].astype(object), check_names=False)


def test_phonetic_reports_values_without_a_rule():
    new, changed = E.phonetic(np.array(["Ada", "Stephen", "ADA"], dtype=object), np.random.default_rng(0))
    assert changed.tolist() == [False, True, False]
    assert new[0] == "Ada" and new[1] != "Stephen"


def test_empty_records():
    recorded, errors = E.corrupt(make_records(10).iloc[:0], MODEL, np.random.default_rng(0))
    assert recorded.empty and errors.empty and list(errors.columns) == ["row", "field", "kind"]


# --------------------------------------------------------------------------------------------
# Determinism


def test_same_seed_same_output_and_different_seed_differs():
    records = make_records(5000)
    a = E.corrupt(records, MODEL, np.random.default_rng(11))
    b = E.corrupt(records, MODEL, np.random.default_rng(11))
    c = E.corrupt(records, MODEL, np.random.default_rng(12))
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[1].equals(c[1])


# --------------------------------------------------------------------------------------------
# Model validation


def problems(data: dict) -> str:
    with pytest.raises(ValidationError) as info:
        IdentifierErrors.model_validate(data)
    return str(info.value)


def test_unknown_kind_for_a_field_is_rejected():
    msg = problems({"surname": [{"kind": "nickname", "rate": 0.1, **S}]})
    assert "unknown kind 'nickname' for surname" in msg and "hyphenate" in msg
    assert "surname.0.kind" in msg


def test_rate_outside_0_1_is_rejected():
    assert "less than or equal to 1" in problems({"sex": [{"kind": "miscode", "rate": 1.5, **S}]})
    assert "greater than or equal to 0" in problems({"sex": [{"kind": "miscode", "rate": -0.1, **S}]})


def test_missing_source_or_assumption_is_rejected():
    msg = problems({"postcode": [{"kind": "moved", "rate": 0.1}]})
    assert "'source:'" in msg and "'assumption:'" in msg and "postcode.0" in msg
    IdentifierErrors.model_validate({"postcode": [{"kind": "moved", "rate": 0.1, "assumption": "why"}]})


def test_total_above_one_is_rejected_naming_the_group():
    msg = problems({"nhs_number": [
        {"kind": "missing", "rate": 0.1, "multipliers": [{"when": {"age_years_below": 0}, "times": 9}], **S},
        {"kind": "typo", "rate": 0.2, **S}]})
    assert "nhs_number rates add up to 1.1" in msg and "below 0" in msg
    assert "add up to 1.2" in problems({"sex": [{"kind": "miscode", "rate": 0.6, **S},
                                                {"kind": "missing", "rate": 0.6, **S}]})


def test_impossible_groups_do_not_count_towards_the_total():
    # Unborn (age < 0) people are never adults, so the two multipliers never compound.
    IdentifierErrors.model_validate({"nhs_number": [{"kind": "missing", "rate": 0.1, "multipliers": [
        {"when": {"age_years_below": 0}, "times": 9}, {"when": {"is_adult": True}, "times": 5}], **S}]})


def test_other_model_problems_are_named():
    assert "listed more than once" in problems({"sex": [{"kind": "missing", "rate": 0.1, **S},
                                                        {"kind": "missing", "rate": 0.1, **S}]})
    assert "a group needs at least one of" in problems(
        {"sex": [{"kind": "missing", "rate": 0.1, "when": {}, **S}]})
    assert "4-letter" in problems({"sex": [{"kind": "missing", "rate": 0.1, "when": {"ethnicity": ["white"]}, **S}]})
    assert "Extra inputs are not permitted" in problems({"sex": [{"kind": "missing", "rate": 0.1, "often": 1, **S}]})


def test_inconsistent_records_are_clipped_with_a_warning():
    model = IdentifierErrors.model_validate({"sex": [{"kind": "missing", "rate": 0.5, "multipliers": [
        {"when": {"is_adult": True}, "times": 1.5}, {"when": {"age_years_below": 0}, "times": 1.5}], **S}]})
    records = make_records(100).assign(is_adult=True, age_years=-0.2)
    with pytest.warns(UserWarning, match="identifier_errors.sex: rates add up to 1.125"):
        rates = E.field_rates(model.sex, records, "sex")
    assert np.allclose(rates.sum(0), 1.0)


def test_other_input_dtypes_give_the_same_output():
    records = make_records(3000)
    other = records.astype({"surname": "string[pyarrow]", "nhs_number": "string[pyarrow]",
                            "postcode": "string[pyarrow]", "previous_postcode": "string[pyarrow]",
                            "forename": "category", "sex": "Int64", "date_of_birth": "datetime64[s]"})
    a = E.corrupt(records, MODEL, np.random.default_rng(5))
    b = E.corrupt(other, MODEL, np.random.default_rng(5))
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
