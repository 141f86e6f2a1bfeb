"""Scale of the privacy validator's reference comparison: exact and near copies, 1M x 1M records.

Builds synthetic-like and reference-like person records (forename, surname, date_of_birth, sex,
postcode, lsoa) from a fixed seed, plants known exact copies and one-field-off copies of synthetic
records in the reference, and times :func:`synth.validate.copies.compare_records` (normalisation,
hashing and every hash join). The synthetic dates are datetime64 and the reference dates ISO text,
as when a Parquet run is compared with a CSV reference. Run:

    .venv/bin/python benchmarks/privacy_scale.py --rows 1000000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from synth.validate.copies import compare_records

LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def people(n: int, rng: np.random.Generator, dates_as_text: bool = False) -> pd.DataFrame:
    """Person-like records: name codes from skewed lists, dates of birth 1940-2024, ZZ postcodes, LSOAs."""
    forename = np.char.add("F", np.minimum(rng.zipf(1.3, n), 3000).astype(str))
    surname = np.char.add("S", np.minimum(rng.zipf(1.2, n), 8000).astype(str))
    dob = np.datetime64("1940-01-01") + rng.integers(0, 84 * 365, n).astype("timedelta64[D]")
    postcode = np.char.add(np.char.add(np.char.add("ZZ", rng.integers(1, 99, n).astype(str)), " "),
                           np.char.add(np.char.add(rng.integers(0, 10, n).astype(str), LETTERS[rng.integers(0, 20, n)]),
                                       LETTERS[rng.integers(0, 20, n)]))
    lsoa = np.char.add("E01", np.char.zfill(rng.integers(0, 34753, n).astype(str), 6))
    return pd.DataFrame({
        "forename": forename.astype(object), "surname": surname.astype(object),
        "date_of_birth": np.datetime_as_string(dob, unit="D").astype(object) if dates_as_text
        else dob.astype("datetime64[ns]"),
        "sex": rng.integers(1, 3, n), "postcode": postcode.astype(object), "lsoa": lsoa.astype(object),
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="records on each side")
    ap.add_argument("--planted", type=int, default=1000, help="exact copies (and as many one-field-off copies)")
    args = ap.parse_args()

    rng = np.random.default_rng(20240331)
    t0 = time.perf_counter()
    synthetic = people(args.rows, rng)
    reference = people(args.rows, rng, dates_as_text=True)
    picks = rng.choice(args.rows, 2 * args.planted, replace=False)
    exact_rows, near_rows = picks[: args.planted], picks[args.planted:]
    copied = synthetic.iloc[exact_rows].copy()
    near = synthetic.iloc[near_rows].copy()
    near["forename"] = "CHANGED"  # one field off
    for frame in (copied, near):
        frame["date_of_birth"] = frame["date_of_birth"].dt.strftime("%Y-%m-%d")
    planted = pd.concat([copied, near], ignore_index=True)
    for col in reference.columns:  # column by column, so every column keeps its dtype
        values = reference[col].to_numpy(copy=True)
        values[: 2 * args.planted] = planted[col].to_numpy()
        reference[col] = values
    build_s = time.perf_counter() - t0
    rss_before = peak_rss_mb()

    t0 = time.perf_counter()
    stats = compare_records(synthetic, reference)
    seconds = time.perf_counter() - t0

    exact_found = int(stats.exact[exact_rows].sum())
    near_found = int(stats.near[near_rows].sum())
    print(f"rows: {len(synthetic):,} synthetic x {len(reference):,} reference, {synthetic.shape[1]} QI fields")
    print(f"build: {build_s:.1f} s; peak RSS after building the data: {rss_before:,.0f} MB")
    print(f"exact + near-copy computation: {seconds:.1f} s; peak RSS: {peak_rss_mb():,.0f} MB")
    print(f"exact copies: {int(stats.exact.sum()):,} synthetic records ({exact_found:,} of {args.planted:,} planted "
          f"found); holdout->train {stats.holdout_exact:,} of {stats.n_holdout:,}")
    print(f"within 1 field: {int(stats.near.sum()):,} synthetic records ({near_found:,} of {args.planted:,} "
          f"one-field-off planted found); holdout->train {stats.holdout_near:,} of {stats.n_holdout:,}")


if __name__ == "__main__":
    main()
