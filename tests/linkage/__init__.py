"""Tests of ``synth linkage``, and the small run folders they are built on.

:func:`build_run` writes a run folder in the shape the generator produces (manifest.json,
truth/links.parquet and one File 1 table per agency) from a fixed seed, so tests know the truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

SURNAMES = np.array(["SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS",
                     "JOHNSON", "ROBERTS", "ROBINSON", "THOMPSON", "WRIGHT", "WALKER", "WHITE", "EDWARDS",
                     "HUGHES", "GREEN", "HALL", "LEWIS", "HARRIS", "CLARKE", "PATEL", "JACKSON", "WOOD",
                     "TURNER", "MARTIN", "COOPER", "HILL"])
FORENAMES = np.array(["OLIVER", "GEORGE", "HARRY", "JACK", "JACOB", "NOAH", "CHARLIE", "MUHAMMAD", "THOMAS",
                      "OSCAR", "OLIVIA", "AMELIA", "ISLA", "AVA", "EMILY", "SOPHIA", "GRACE", "MIA", "POPPY",
                      "ELLA"])
LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` true people with identifiers (person_id 1000..)."""
    dob = pd.Timestamp("1970-01-01") + pd.to_timedelta(rng.integers(0, 50 * 365, n), unit="D")
    postcode = ("ZZ" + pd.Series(rng.integers(1, 10, n)).astype(str) + " "
                + pd.Series(rng.integers(0, 10, n)).astype(str) + rng.choice(LETTERS, n) + rng.choice(LETTERS, n))
    return pd.DataFrame({
        "person_id": np.arange(1000, 1000 + n, dtype=np.int64),
        "NHS_NUMBER": pd.Series(9_990_000_000 + np.arange(n)).astype(str),
        "SURNAME": rng.choice(SURNAMES, n),
        "FORENAME": rng.choice(FORENAMES, n),
        "DATE_OF_BIRTH": pd.Series(dob.strftime("%d.%m.%Y")),
        "POSTCODE": postcode,
        "GENDER_CD": rng.choice(["1", "2"], n),
    })


def build_run(path: Path, n_people: int = 150, agencies=("agency_a", "agency_b"), coverage: float = 0.8,
              duplicates: float = 0.1, missing_nhs: int = 0, errors: int = 0, seed: int = 7,
              manifest: dict | None = None, file1_names: dict[str, str] | None = None, links_parts: int = 1) -> dict:
    """Write a small run folder; return its truth (``links``) and File 1 frames (``file1``).

    Args:
        path: the run folder to create.
        n_people: true people.
        agencies: agency names; each holds a File 1 called ``file1_names[agency]`` (default ``FILE1``).
        coverage: chance a person is held by an agency.
        duplicates: chance a held person has a second, identical record in the agency.
        missing_nhs: NHS numbers blanked in the last agency (its first records in file order).
        errors: records of the last agency (after those) with each of: day and month of birth
            swapped, a new postcode, the last letter of the surname dropped.
        seed: the RNG seed.
        manifest: the manifest to write (default: a profile name that does not exist, so File 1
            tables are found by scanning).
        file1_names: File 1 table name per agency.
        links_parts: write truth/links as a folder of this many part files when > 1.
    """
    rng = np.random.default_rng(seed)
    who = people(n_people, rng)
    links, file1 = [], {}
    for i, agency in enumerate(agencies):
        held = who[rng.random(n_people) < coverage]
        twice = held[rng.random(len(held)) < duplicates]
        recs = pd.concat([held, twice], ignore_index=True)
        ids = rng.choice(np.arange(100_000, 1_000_000), len(recs), replace=False).astype(np.int64) + i
        recs = recs.assign(SYSTEM_ID=ids.astype(str))
        if i == len(agencies) - 1:
            recs.loc[recs.index[:missing_nhs], "NHS_NUMBER"] = None
            at = missing_nhs
            swap = recs.index[at:at + errors]
            d = recs.loc[swap, "DATE_OF_BIRTH"].str.split(".", expand=True)
            if len(swap):
                recs.loc[swap, "DATE_OF_BIRTH"] = d[1] + "." + d[0] + "." + d[2]
            moved = recs.index[at + errors:at + 2 * errors]
            recs.loc[moved, "POSTCODE"] = people(len(moved), rng)["POSTCODE"].to_numpy()
            typo = recs.index[at + 2 * errors:at + 3 * errors]
            recs.loc[typo, "SURNAME"] = recs.loc[typo, "SURNAME"].str[:-1]
        f1 = pd.DataFrame({"SYSTEM_ID": recs["SYSTEM_ID"], "NHS_NUMBER": recs["NHS_NUMBER"],
                           "SURNAME": recs["SURNAME"], "FORENAME": recs["FORENAME"],
                           **{f"ADDRESS_{k}": None for k in range(1, 6)},
                           "POSTCODE": recs["POSTCODE"], "DATE_OF_BIRTH": recs["DATE_OF_BIRTH"],
                           "GENDER_CD": recs["GENDER_CD"], "CREATE_DATE": "01.04.2023"}).astype("string")
        (path / agency).mkdir(parents=True, exist_ok=True)
        name = (file1_names or {}).get(agency, "FILE1")
        f1.to_parquet(path / agency / f"{name}.parquet", index=False)
        pd.DataFrame({"case_id": [1, 2]}).to_parquet(path / agency / "case.parquet", index=False)
        file1[agency] = f1
        links.append(pd.DataFrame({"agency": agency, "agency_person_id": ids, "person_id": recs["person_id"]}))
    links = pd.concat(links, ignore_index=True)
    (path / "truth").mkdir(parents=True, exist_ok=True)
    if links_parts > 1:
        folder = path / "truth" / "links.parquet"
        folder.mkdir()
        for k, part in enumerate(np.array_split(np.arange(len(links)), links_parts)):
            links.iloc[part].to_parquet(folder / f"part-{k:05d}.parquet", index=False)
    else:
        links.to_parquet(path / "truth" / "links.parquet", index=False)
    manifest = manifest if manifest is not None else {"profile": {"name": "no_such_profile_for_linkage_tests"}}
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return {"links": links, "file1": file1, "people": who}


def true_pairs(links: pd.DataFrame, within: bool = True) -> pd.DataFrame:
    """Every true record pair (agency_l, id_l, agency_r, id_r), each once, by brute force."""
    x = links.rename(columns={"agency_person_id": "id"})
    m = x.merge(x, on="person_id", suffixes=("_l", "_r"))
    m = m[(m["agency_l"] < m["agency_r"]) | ((m["agency_l"] == m["agency_r"]) & (m["id_l"] < m["id_r"]))]
    if not within:
        m = m[m["agency_l"] != m["agency_r"]]
    return m[["agency_l", "id_l", "agency_r", "id_r"]].reset_index(drop=True)
