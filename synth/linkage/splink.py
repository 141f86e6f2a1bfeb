"""A probabilistic baseline: MoJ's Splink (optional extra ``pip install .[linkage]``, MIT licence).

``link_splink`` trains a Fellegi-Sunter model on a run's File 1 records and writes clusters in the
shape ``synth linkage score`` reads, so its precision, recall and F1 sit beside the exact scorer's.

The documented default model (Splink's own comparison library, the comparisons its tutorials use
for people; link_and_dedupe, so duplicates inside one agency count as Splink counts them):

- forename, surname: ``NameComparison`` (exact, Jaro-Winkler 0.92 / 0.88 / 0.7);
- date of birth: ``DateOfBirthComparison`` (exact, one character apart, within 1 month / 1 year /
  10 years);
- postcode: ``PostcodeComparison`` (full, sector, district, area);
- sex: exact; NHS number: exact or one character apart (``LevenshteinAtThresholds``);
- blocking for prediction: same NHS number, same date of birth, same postcode, same surname and
  forename initial;
- training: the chance of a match from exact NHS number + DOB (recall taken as 0.7), u by random
  sampling (1 million pairs), m by expectation maximisation blocked on DOB and on surname.

Pairs at or above ``threshold`` (match probability, default 0.9) are clustered by connected
components; pairwise precision and recall at several thresholds (the threshold curve) are
reported from the scored pairs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth.errors import InputError
from synth.linkage.io import LinkageRun
from synth.linkage.output import staged
from synth.linkage.records import connect, load_normalised
from synth.linkage.score import components

#: Match probabilities of the threshold curve.
CURVE = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
#: Default clustering threshold (match probability).
THRESHOLD = 0.9
#: Random pairs for estimating u.
U_PAIRS = 1_000_000


def _splink() -> Any:
    try:
        import splink
        import splink.comparison_library as cl
        from splink.backends.duckdb import DuckDBAPI
    except ImportError:
        raise InputError("synth linkage splink needs Splink: pip install 'synth[linkage]' (or pip install splink)"
                         ) from None
    return splink, cl, DuckDBAPI


def settings(cl: Any, block_on: Any, creator: Any) -> Any:
    """The default model (see the module docs)."""
    return creator(
        link_type="link_and_dedupe",
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=[
            cl.NameComparison("forename"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("nhs", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nhs"), block_on("dob"), block_on("postcode"), block_on("surname", "substr(forename, 1, 1)"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def records_frame(run: LinkageRun, agencies: list[str]) -> pd.DataFrame:
    """The normalised File 1 records of ``agencies`` as Splink input (with their true person)."""
    con = connect()
    try:
        load_normalised(con, run, agencies)
        df = con.execute("""SELECT rid AS unique_id, agency AS source_dataset, id, person_id, forename, surname,
                                   dob, CASE WHEN length(postcode) >= 5 THEN left(postcode, length(postcode) - 3)
                                   || ' ' || right(postcode, 3) END AS postcode, sex, nhs
                            FROM rec ORDER BY rid""").df()
    finally:
        con.close()
    return df


def link_splink(run: LinkageRun, out: Path, fmt: str, agencies: list[str] | None = None,
                threshold: float = THRESHOLD, seed: int = 1) -> dict:
    """Train the default Splink model on a run's File 1s, cluster at ``threshold``, write clusters.

    Returns:
        A summary: agencies, records, pairs scored, clusters, linked records, the threshold curve
        (pairwise precision and recall at each match probability of ``CURVE``) and seconds.

    Raises:
        InputError: when Splink is not installed, or the threshold is outside (0, 1).
    """
    if not 0 < threshold < 1:
        raise InputError(f"--threshold {threshold}: give a match probability between 0 and 1, e.g. 0.9")
    splink, cl, DuckDBAPI = _splink()
    start = time.perf_counter()
    chosen = run.choose(agencies, need_file1=True)
    df = records_frame(run, chosen)
    api = DuckDBAPI()
    frames = [api.register(g.drop(columns=["id", "person_id"]).reset_index(drop=True), dataset_display_name=a)
              for a, g in df.groupby("source_dataset", sort=True)]
    block_on = splink.block_on
    linker = splink.Linker(frames, settings(cl, block_on, splink.SettingsCreator), log_level=40)
    linker.training.estimate_probability_two_random_records_match([block_on("nhs", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    pred = linker.inference.predict(threshold_match_probability=min(CURVE)).as_pandas_dataframe()
    left, right = pred["unique_id_l"].to_numpy(np.int64), pred["unique_id_r"].to_numpy(np.int64)
    p = pred["match_probability"].to_numpy(float)
    person = df["person_id"].to_numpy(np.float64, na_value=np.nan)
    same = person[left] == person[right]
    keep = p >= threshold
    cluster = components(len(df), left[keep], right[keep])
    clusters = pd.DataFrame({"agency": df["source_dataset"].to_numpy(object), "id": df["id"].to_numpy(np.int64),
                             "cluster": cluster.astype(np.int64)})
    with staged(out) as tmp:
        if fmt == "parquet":
            clusters.to_parquet(tmp, index=False)
        else:
            clusters.to_csv(tmp, index=False)
    sizes = np.bincount(cluster)
    curve = [{"threshold": t, "predicted_pairs": int((p >= t).sum()), "true_positives": int((same & (p >= t)).sum())}
             for t in CURVE]
    return {"agencies": chosen, "records": len(df), "pairs_scored": len(pred), "threshold": threshold,
            "clusters": int((sizes > 0).sum()), "linked_records": int(sizes[sizes > 1].sum()), "curve": curve,
            "out": str(out), "seconds": round(time.perf_counter() - start, 3)}
