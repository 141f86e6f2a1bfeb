"""Errors with causes: a relative's NHS number or DOB, name swaps, "Baby", stale addresses with their
lines, errors by era and hurried records whose errors come together (synth.views.identifiers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile.identifier_errors import IdentifierErrors
from synth.views import identifiers as E
from synth.world.ids import is_valid_nhs, nhs_check_digit

N = 40_000
S = {"assumption": "test"}


def records(n: int = N, seed: int = 3) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    age = r.uniform(0, 17, n)
    dob = np.datetime64("2005-01-01") + r.integers(0, 15 * 365, n).astype("timedelta64[D]")
    first9 = 999_000_000 + r.integers(0, 10**6, (2, n))
    own, mum = (f9 * 10 + nhs_check_digit(f9) for f9 in first9)
    ok = (nhs_check_digit(first9[0]) < 10) & (nhs_check_digit(first9[1]) < 10)
    made = np.datetime64("2008-01-01") + r.integers(0, 14 * 365, n).astype("timedelta64[D]")
    return pd.DataFrame({
        "forename": np.array(["Oliver", "Amelia", "Noah", "Isla"], dtype=object)[r.integers(0, 4, n)],
        "surname": np.array(["Smith", "Jones", "Khan", "Ashford"], dtype=object)[r.integers(0, 4, n)],
        "date_of_birth": dob.astype("datetime64[ns]"),
        "sex": r.integers(1, 3, n).astype(np.int64),
        "nhs_number": np.where(ok, own.astype(str), None).astype(object),
        "postcode": np.full(n, "ZZ1 1AA", dtype=object),
        "previous_postcode": np.where(r.random(n) < 0.5, "ZZ2 2BB", None).astype(object),
        "address_1": np.full(n, "1 New Road", dtype=object), "address_2": None,
        "address_3": np.full(n, "Town", dtype=object),
        "previous_address_1": np.full(n, "9 Old Lane", dtype=object), "previous_address_2": None,
        "previous_address_3": np.full(n, "Oldtown", dtype=object),
        "alt_surname": None, "is_adult": False, "age_years": age, "ethnicity": "WBRI",
        "created_date": made.astype("datetime64[ns]"),
        "relative_nhs_number": np.where(ok, mum.astype(str), None).astype(object),
        "relative_date_of_birth": (dob - 25 * 365).astype("datetime64[ns]"),
    })


def model(**fields) -> IdentifierErrors:
    return IdentifierErrors.model_validate(fields)


def tol(rate: float, n: int) -> float:
    return 4 * np.sqrt(rate * (1 - rate) / n)


def test_a_relatives_nhs_number_is_valid_but_the_wrong_persons_at_the_configured_rate():
    rec = records()
    rate = 0.02
    out, err = E.corrupt(rec, model(nhs_number=[{"kind": "relative", "rate": rate, **S}]), np.random.default_rng(1))
    present = rec["nhs_number"].notna().to_numpy()
    wrong = present & (out["nhs_number"].to_numpy(object) != rec["nhs_number"].to_numpy(object))
    assert abs(wrong.sum() / present.sum() - rate) <= tol(rate, int(present.sum()))
    got = out["nhs_number"].to_numpy(object)[wrong].astype(np.int64)
    assert is_valid_nhs(got).all()  # passes the mod-11 check
    assert (got.astype(str) == rec["relative_nhs_number"].to_numpy(object)[wrong]).all()  # the mother's
    assert (err["kind"] == "relative").sum() == wrong.sum()


def test_a_relatives_date_of_birth_is_copied():
    rec = records()
    out, err = E.corrupt(rec, model(date_of_birth=[{"kind": "relative", "rate": 0.05, **S}]), np.random.default_rng(2))
    changed = out["date_of_birth"].to_numpy() != rec["date_of_birth"].to_numpy()
    assert (out["date_of_birth"].to_numpy()[changed] == rec["relative_date_of_birth"].to_numpy()[changed]).all()
    assert abs(changed.mean() - 0.05) <= tol(0.05, N)


def test_name_swap_changes_both_fields_and_logs_both():
    rec = records()
    m = model(forename=[{"kind": "swap", "rate": 0.05, **S}], surname=[{"kind": "typo", "rate": 0.5, **S}])
    out, err = E.corrupt(rec, m, np.random.default_rng(3))
    rows = err.loc[(err["field"] == "forename") & (err["kind"] == "swap"), "row"].to_numpy()
    assert abs(len(rows) / N - 0.05) <= tol(0.05, N)
    assert (out["forename"].to_numpy()[rows] == rec["surname"].to_numpy()[rows]).all()
    assert (out["surname"].to_numpy()[rows] == rec["forename"].to_numpy()[rows]).all()
    surname_rows = err[err["field"] == "surname"]
    assert set(surname_rows.loc[np.isin(surname_rows["row"], rows), "kind"]) == {"swap"}  # the typo is replaced


def test_newborns_are_recorded_as_baby():
    rec = records()
    m = model(forename=[{"kind": "baby", "rate": 1.0, "when": {"age_years_below": 0.115}, **S}])
    out, _ = E.corrupt(rec, m, np.random.default_rng(4))
    newborn = rec["age_years"].to_numpy() < 0.115
    assert (out["forename"].to_numpy()[newborn] == "Baby").all()
    assert (out["forename"].to_numpy()[~newborn] == rec["forename"].to_numpy()[~newborn]).all()


def test_a_stale_postcode_brings_its_address_lines():
    rec = records()
    out, err = E.corrupt(rec, model(postcode=[{"kind": "moved", "rate": 0.2, **S}]), np.random.default_rng(5))
    stale = out["postcode"].to_numpy() == "ZZ2 2BB"
    assert stale.sum() > 0.05 * N
    assert (out["address_1"].to_numpy()[stale] == "9 Old Lane").all()
    assert (out["address_3"].to_numpy()[stale] == "Oldtown").all()
    assert (out["address_1"].to_numpy()[~stale] == "1 New Road").all()


def test_missing_by_era():
    rec = records()
    m = model(nhs_number=[{"kind": "missing", "rate": 0.05, "multipliers": [{"when": {"created_before": 2014},
                                                                              "times": 4}], **S}])
    out, _ = E.corrupt(rec, m, np.random.default_rng(6))
    year = rec["created_date"].dt.year.to_numpy()
    present = rec["nhs_number"].notna().to_numpy()
    blank = present & out["nhs_number"].isna().to_numpy()
    old, new = blank[present & (year < 2014)].mean(), blank[present & (year >= 2014)].mean()
    assert abs(old - 0.2) < 0.02 and abs(new - 0.05) < 0.01


def test_hurried_records_have_errors_together_at_the_same_mean_rate():
    rec = records()
    fields = {"forename": [{"kind": "typo", "rate": 0.05, **S}], "surname": [{"kind": "typo", "rate": 0.05, **S}],
              "date_of_birth": [{"kind": "day_offset", "rate": 0.05, **S}]}
    plain = E.corrupt(rec, model(**fields), np.random.default_rng(7))[1]
    hurried = E.corrupt(rec, model(hurried={"share": 0.1, "times": 5, **S}, **fields), np.random.default_rng(7))[1]
    assert abs(len(hurried) - len(plain)) <= 4 * np.sqrt(len(plain))  # mean rates unchanged
    several = {name: int((e.groupby("row").size() >= 2).sum()) for name, e in (("plain", plain), ("hurried", hurried))}
    assert several["hurried"] > 2 * several["plain"]  # expected about 2.8 times


def test_scale_zero_means_no_errors():
    from synth.profile.error_scale import scaled_errors

    m = model(hurried={"share": 0.1, "times": 5, **S}, nhs_number=[{"kind": "relative", "rate": 0.5, **S}],
              forename=[{"kind": "swap", "rate": 0.5, **S}])
    out, err = E.corrupt(records(2000), scaled_errors(m, 0.0), np.random.default_rng(8))
    assert err.empty
