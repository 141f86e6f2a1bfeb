"""Build synth/profiles/reference/sail_lsoa2011_wales.csv: SAIL reference data for the 1,909 Welsh LSOAs.

Columns: lsoa_code, la_code, la_name, health_board_code, health_board_name, wimd2019_rank,
wimd2019_decile, wimd2019_quintile. Sources (see synth/profiles/reference/SOURCES.md):

* LSOA 2011 -> local authority and the authority names: synth/profiles/reference/lsoa.csv and
  local_authorities.csv (scripts/build_reference.py).
* Local authority -> health board: stats.md 5b (Welsh Government / StatsWales); health board codes
  W11000023-W11000031 as ONS names them (LHB19CD).
* WIMD 2019 overall rank of each LSOA (1 = most deprived of 1,909): Welsh Government,
  "Welsh Index of Multiple Deprivation 2019: index and domain ranks by small area" (sheet
  WIMD_2019_ranks, OGL v3), as transcribed in humaniverse/IMD data-raw/imd_wales_lsoa.csv (column
  IMD_rank), commit e7b16b609afe8b2b4eb400539b2bf805ce63f717. Pass that file's path.
* Deciles and quintiles: the Welsh Government bands of the rank (decile 1 = ranks 1-191, ...,
  quintile 1 = ranks 1-382, ...), i.e. floor((rank - 1) * k / 1909) + 1.

Run:  python scripts/build_sail_reference.py PATH/TO/imd_wales_lsoa.csv   (stdlib only)
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REF = Path(__file__).resolve().parents[1] / "synth" / "profiles" / "reference"
OUT = REF / "sail_lsoa2011_wales.csv"
N_LSOA = 1909

#: Health boards (LHB19CD, LHB19NM) and their local authorities (stats.md 5b).
HEALTH_BOARDS = {
    "W11000023": ("Betsi Cadwaladr University Health Board",
                  ["W06000001", "W06000002", "W06000003", "W06000004", "W06000005", "W06000006"]),
    "W11000024": ("Powys Teaching Health Board", ["W06000023"]),
    "W11000025": ("Hywel Dda University Health Board", ["W06000008", "W06000009", "W06000010"]),
    "W11000028": ("Aneurin Bevan University Health Board",
                  ["W06000018", "W06000019", "W06000020", "W06000021", "W06000022"]),
    "W11000029": ("Cardiff and Vale University Health Board", ["W06000014", "W06000015"]),
    "W11000030": ("Cwm Taf Morgannwg University Health Board", ["W06000013", "W06000016", "W06000024"]),
    "W11000031": ("Swansea Bay University Health Board", ["W06000011", "W06000012"]),
}


def band(rank: int, k: int) -> int:
    """The Welsh Government's k-tile of a WIMD 2019 rank (1 = most deprived)."""
    return (rank - 1) * k // N_LSOA + 1


def main(imd_csv: str) -> None:
    board = {la: (code, name) for code, (name, las) in HEALTH_BOARDS.items() for la in las}
    with open(REF / "local_authorities.csv", newline="") as f:
        la_name = {r["la_code"]: r["la_name"] for r in csv.DictReader(f)}
    with open(REF / "lsoa.csv", newline="") as f:
        la_of = {r["lsoa_code"]: r["la_code"] for r in csv.DictReader(f) if r["lsoa_code"].startswith("W01")}
    with open(imd_csv, newline="") as f:
        rank = {r["lsoa_code"]: int(r["IMD_rank"]) for r in csv.DictReader(f)}
    assert len(la_of) == N_LSOA and set(rank) == set(la_of), "the two LSOA lists differ"
    assert sorted(rank.values()) == list(range(1, N_LSOA + 1)), "ranks are not 1..1909"
    with open(OUT, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lsoa_code", "la_code", "la_name", "health_board_code", "health_board_name",
                    "wimd2019_rank", "wimd2019_decile", "wimd2019_quintile"])
        for lsoa in sorted(la_of):
            la, r = la_of[lsoa], rank[lsoa]
            w.writerow([lsoa, la, la_name[la], *board[la], r, band(r, 10), band(r, 5)])


if __name__ == "__main__":
    main(sys.argv[1])
