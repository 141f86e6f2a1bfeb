"""Build synth/profiles/reference/ethnicity.csv: Census 2011 ethnic group by local authority.

Input: the ONS/Nomis Census 2011 table QS201EW (ethnic group, 18 categories, all usual residents)
by local authority district, as the CSV Nomis exports (header ``"date","geography","geography
code","Rural Urban","Ethnic Group: All categories: Ethnic group; measures: Value",...``). The copy
used is Resistance-Lab/resistancelab_data ``source_data/demographics/la-ethnic-groups.csv``
(commit 625e720132cc8e912caf091b3b6ebc716fa939a8), a Nomis extract of
https://www.nomisweb.co.uk/census/2011/qs201ew (Open Government Licence v3.0).

Districts are mapped to the authority with children's services that holds them today, with the
district -> county and successor table of scripts/build_reference.py (mysociety v1.6.0), so the
counts of every district of a county are summed into the county and those of a merged authority
into its successor (e.g. Christchurch, Bournemouth and Poole into BCP). Each of the 18 Census 2011
categories is given its DfE 903 code (schemas.md 6.5): Arab and Any other ethnic group both map to
OOTH, Gypsy or Irish Traveller to WIRT; the 2011 census had no Roma tick-box (Roma are inside Other
White), so WROM has no population row.

No Census 2021 ethnic group by LA (TS021) or by LA and age (RM032) was found in any public
repository reachable here (only its download scripts), so the table is all ages (age_band ``all``).

Run:  python scripts/build_ethnicity_reference.py PATH/TO/qs201ew_la.csv
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "synth" / "profiles" / "reference" / "ethnicity.csv"
SOURCE = "ONS Census 2011 QS201EW (OGL v3); SOURCES.md"

#: Census 2011 category (the part of the Nomis heading after "Ethnic Group: ") -> DfE code.
CATEGORIES = {
    "White: English/Welsh/Scottish/Northern Irish/British": "WBRI",
    "White: Irish": "WIRI",
    "White: Gypsy or Irish Traveller": "WIRT",
    "White: Other White": "WOTH",
    "Mixed/multiple ethnic group: White and Black Caribbean": "MWBC",
    "Mixed/multiple ethnic group: White and Black African": "MWBA",
    "Mixed/multiple ethnic group: White and Asian": "MWAS",
    "Mixed/multiple ethnic group: Other Mixed": "MOTH",
    "Asian/Asian British: Indian": "AIND",
    "Asian/Asian British: Pakistani": "APKN",
    "Asian/Asian British: Bangladeshi": "ABAN",
    "Asian/Asian British: Chinese": "CHNE",
    "Asian/Asian British: Other Asian": "AOTH",
    "Black/African/Caribbean/Black British: African": "BAFR",
    "Black/African/Caribbean/Black British: Caribbean": "BCRB",
    "Black/African/Caribbean/Black British: Other Black": "BOTH",
    "Other ethnic group: Arab": "OOTH",
    "Other ethnic group: Any other ethnic group": "OOTH",
}


def _la_table() -> list[list[str]]:
    spec = importlib.util.spec_from_file_location("build_reference", ROOT / "scripts" / "build_reference.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return [line.split("|") for line in mod.LA_TABLE.strip().splitlines()]


def current_authority() -> dict[str, str]:
    """GSS code of a district or former authority -> GSS code of today's authority holding it."""
    rows = _la_table()
    by_reg = {r[0]: r for r in rows}
    out: dict[str, str] = {}
    for r in rows:
        cur = r
        for _ in range(5):  # follow single successors, then the county of a lower-tier district
            if cur[6] and cur[7] and "," not in cur[7]:
                cur = by_reg[cur[7]]
            elif cur[4] == "NMD" and cur[5]:
                cur = by_reg[cur[5]]
            else:
                break
        out[r[2]] = cur[2]
    return out


def main(path: str) -> None:
    """Read the Nomis QS201EW extract and write ethnicity.csv."""
    cur = current_authority()
    las = {r["la_code"] for r in csv.DictReader(open(ROOT / "synth/profiles/reference/local_authorities.csv",
                                                     encoding="utf-8"))}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            la = cur.get(row["geography code"], row["geography code"])
            if la not in las:
                raise SystemExit(f"{row['geography code']} {row['geography']}: no current authority found")
            for head, value in row.items():
                label = head.removeprefix("Ethnic Group: ").removesuffix("; measures: Value")
                if label in CATEGORIES:
                    counts[(la, CATEGORIES[label])] += int(value)
    missing = las - {la for la, _ in counts}
    if missing:
        raise SystemExit(f"no census rows for {sorted(missing)}")
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["la_code", "age_band", "code", "count", "source"])
        for la, code in sorted(counts):
            w.writerow([la, "all", code, counts[(la, code)], SOURCE])
    print(f"wrote {OUT} ({len(counts)} rows, {len(las)} authorities)")


if __name__ == "__main__":
    main(sys.argv[1])
