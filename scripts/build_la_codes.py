"""Build the dated local authority code table and the lookup to today's codes (stdlib only, no network).

Writes ``synth/profiles/reference/la_codes.csv`` (every children's-services authority code of England
and Wales valid at some time in 2005-2030, with its first and last day) and
``synth/profiles/reference/la_code_lookup.csv`` (every code, current or past, -> the current code(s)
its area is in today, with the 2011 LSOAs it shares with each). The reorganisations are transcribed
below from mysociety/uk_local_authority_names_and_codes (``uk_la_past_current``); the current codes
and names, and the LSOA counts, come from ``local_authorities.csv`` and ``lsoa.csv`` beside it.
Sources and assumptions: ``synth/profiles/reference/SOURCES.md`` ("la_codes.csv").

Run: ``python scripts/build_la_codes.py``
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

REF = Path(__file__).resolve().parents[1] / "synth" / "profiles" / "reference"

MYSOCIETY = ("mysociety/uk_local_authority_names_and_codes @ 67ef8b118938678401a452f4f19f669a7221cc73, "
             "data/packages/uk_la_past_current/uk_local_authorities_current.csv")

#: Past codes: (code, name, last day, successors, source). Start is before 2005 for all of them.
PAST = [
    ("E06000028", "Bournemouth", "2019-03-31", "E06000058", f"{MYSOCIETY} (BMH: end-date 2019-03-31, replaced-by BPC)"),
    ("E06000029", "Poole", "2019-03-31", "E06000058", f"{MYSOCIETY} (POL: end-date 2019-03-31, replaced-by BPC)"),
    ("E10000009", "Dorset County", "2019-03-31", "E06000059 E06000058",
     f"{MYSOCIETY} (DOR: end-date 2019-03-31, replaced-by DST; its district Christchurch CHC replaced-by BPC)"),
    ("E10000002", "Buckinghamshire County", "2020-03-31", "E06000060",
     f"{MYSOCIETY} (BKM: end-date 2020-03-31, replaced-by BUC)"),
    ("E10000021", "Northamptonshire", "2021-03-31", "E06000061 E06000062",
     f"{MYSOCIETY} (NTH: end-date given as 2021-04-01, the successors' start-date; replaced-by NNT,WNT)"),
    ("E10000006", "Cumbria", "2023-03-31", "E06000063 E06000064",
     f"{MYSOCIETY} (CMA: end-date given as 2023-04-01, the successors' start-date; replaced-by CBD,WAF)"),
    ("E10000023", "North Yorkshire County", "2023-03-31", "E06000065",
     f"{MYSOCIETY} (NYK: end-date given as 2023-04-01, the successor's start-date; replaced-by NYE)"),
    ("E10000027", "Somerset County", "2023-03-31", "E06000066",
     f"{MYSOCIETY} (SOM: end-date given as 2023-04-01, the successor's start-date; replaced-by SMT)"),
    ("E06000048", "Northumberland", "2013-03-31", "E06000057",
     f"{MYSOCIETY} (NBL former-gss-codes E06000048); assumption: recoded from 1 April 2013 with the "
     "Northumberland-Gateshead boundary change (LGBCE final recommendations 15 May 2012)"),
    ("E08000020", "Gateshead", "2013-03-31", "E08000037",
     f"{MYSOCIETY} (GAT former-gss-codes E08000020); assumption: recoded from 1 April 2013 with the "
     "Northumberland-Gateshead boundary change (LGBCE final recommendations 15 May 2012)"),
]

#: Current codes created in the period: code -> (first day, source note).
NEW = {
    "E06000058": ("2019-04-01", "BPC start-date 2019-04-01"),
    "E06000059": ("2019-04-01", "DST start-date 2019-04-01"),
    "E06000060": ("2020-04-01", "BUC start-date 2020-04-01"),
    "E06000061": ("2021-04-01", "NNT start-date 2021-04-01"),
    "E06000062": ("2021-04-01", "WNT start-date 2021-04-01"),
    "E06000063": ("2023-04-01", "CBD start-date 2023-04-01"),
    "E06000064": ("2023-04-01", "WAF start-date 2023-04-01"),
    "E06000065": ("2023-04-01", "NYE start-date 2023-04-01"),
    "E06000066": ("2023-04-01", "SMT start-date 2023-04-01"),
    "E06000057": ("2013-04-01", "NBL; assumption: the recoding date, see E06000048"),
    "E08000037": ("2013-04-01", "GAT; assumption: the recoding date, see E08000020"),
}

#: Where a new authority was made from parts of several old ones, the part each 2011 LSOA was in:
#: (current code, first LSOA, last LSOA, old code, basis). Inclusive code ranges; other LSOAs of the
#: current code follow its single predecessor.
PARTS = [
    ("E06000058", "E01020343", "E01020372", "E10000009",
     "assumption: Christchurch district (in Dorset County): the 30 BCP LSOAs numbered in Dorset County's 2011 "
     "LSOA block (E010203..)"),
    ("E06000058", "E01015272", "E01015380", "E06000028",
     "assumption: Bournemouth: the first 109 code slots of the E010152../E010153../E010154.. block "
     "(Bournemouth before Poole in the ONS order; E01015301 is 'Bournemouth 001A', public police data, "
     "search-index id 5012473669; the split point by the 2011 Census populations 183,491 and 147,645)"),
    ("E06000058", "E01015381", "E01015468", "E06000029",
     "assumption: Poole: the rest of that block (see Bournemouth)"),
    ("E06000058", "E01032659", "E01033288", "E06000028",
     "assumption: the 10 LSOAs created in 2011 by splits (E01032659-E01033288) put in Bournemouth"),
]


def main() -> None:
    """Write la_codes.csv and la_code_lookup.csv."""
    with open(REF / "local_authorities.csv", newline="", encoding="utf-8") as f:
        las = list(csv.DictReader(f))
    with open(REF / "lsoa.csv", newline="", encoding="utf-8") as f:
        lsoas = list(csv.DictReader(f))
    codes = []
    for la in las:
        start, note = NEW.get(la["la_code"], ("", "code unchanged in the period"))
        codes.append({"la_code": la["la_code"], "la_name": la["la_name"], "country": la["country"], "start": start,
                      "end": "", "successors": "",
                      "source": f"local_authorities.csv ({MYSOCIETY}); {note}"})
    country = {la["la_code"]: la["country"] for la in las}
    for code, name, end, succ, source in PAST:
        codes.append({"la_code": code, "la_name": name, "country": country[succ.split()[0]], "start": "",
                      "end": end, "successors": succ, "source": source})
    codes.sort(key=lambda r: r["la_code"])
    with open(REF / "la_codes.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["la_code", "la_name", "country", "start", "end", "successors", "source"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(codes)

    # Lookup: every code -> the current code(s) of its area, with the 2011 LSOAs they share.
    per_la = Counter(r["la_code"] for r in lsoas)
    rows = [{"la_code": la["la_code"], "current_code": la["la_code"], "lsoa_first": "", "lsoa_last": "",
             "lsoas": per_la[la["la_code"]], "basis": "current code"} for la in las]
    for code, _name, _end, succ, _source in PAST:
        for cur in succ.split():
            parts = [p for p in PARTS if p[0] == cur]
            if not parts:
                rows.append({"la_code": code, "current_code": cur, "lsoa_first": "", "lsoa_last": "",
                             "lsoas": per_la[cur],
                             "basis": f"the whole of {cur} was in {code} (uk_la_past_current replaced-by)"})
                continue
            for cur_, lo, hi, old, basis in parts:
                if old != code:
                    continue
                n = sum(1 for r in lsoas if r["la_code"] == cur_ and lo <= r["lsoa_code"] <= hi)
                rows.append({"la_code": code, "current_code": cur, "lsoa_first": lo, "lsoa_last": hi,
                             "lsoas": n, "basis": basis})
    rows.sort(key=lambda r: (r["la_code"], r["current_code"], r["lsoa_first"]))
    with open(REF / "la_code_lookup.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["la_code", "current_code", "lsoa_first", "lsoa_last", "lsoas", "basis"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
