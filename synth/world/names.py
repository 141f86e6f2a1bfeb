"""Names from published frequencies, drawn as whole columns with numpy.

Forenames follow the ONS baby-name counts for England and Wales by birth year and sex
(``reference/forenames.csv``, built by ``scripts/build_name_reference.py``; sources in SOURCES.md):

- born 1996-2024: the year's top names with their counts; the share of births outside the
  shipped top names (known from the row ``*`` of each year) is drawn from a tail pool of every
  name listed in any year for that sex (uniform), so rare names exist;
- born before 1996: the historic top 100 of the nearest decades (1904, 1914, ... 1994), weighted
  by the rank-share curve of the 1996 list (assumption: ONS publishes ranks only for these years);
- the year between two listed years is drawn between them with linear weights;
- in Wales (1997 onwards) a share of children is named from the Welsh top 100 (Osian, Cerys,
  Seren...), at the share of Welsh births those names hold (``WALES_BIRTH_SHARE``).

No ONS data give names by ethnicity, so forenames do not depend on it (assumption: the national
lists already mix every group, e.g. Muhammad the top boys' name of 2023-2024).

Surnames: the 500 weighted surnames of Faker's ``en_GB`` provider (MIT; weights are percentages
of the population, 39.5% in all) form the head; the remaining 60.5% is a tail of English
place-name surnames built from stems and endings (assumption: no redistributable full surname
frequency list for England and Wales exists; see SOURCES.md), Zipf-weighted. In Welsh local
authorities the Welsh patronymic surnames are ``WELSH_SURNAME_TIMES`` as frequent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from synth.profile.find import shipped_reference

FORENAMES_CSV = "forenames.csv"
#: First year ONS publishes every name with its count (earlier years: the historic top 100).
FIRST_FULL_YEAR = 1996
#: Share of England and Wales births registered in Wales. assumption: about 33,000 of 600,000+
#: births a year (ONS births in England and Wales, 2010s); only scales the Welsh top-100 share.
WALES_BIRTH_SHARE = 0.054
#: Welsh patronymic surnames, more frequent in Wales. assumption: Jones alone is held by about one
#: Welsh person in 20 against about 1 in 100 in England and Wales (Faker weight 0.94%).
WELSH_SURNAMES = ("Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan",
                  "Griffiths", "Edwards", "Owen", "Price", "Jenkins", "Rees", "Lloyd", "Phillips", "Morris",
                  "James", "Powell", "Pritchard", "Parry", "Howells", "Bowen", "Pugh")
WELSH_SURNAME_TIMES = 4.0
#: Stems and endings of the constructed surname tail (English place-name surnames: Ashford, Bradley).
STEMS = ("Ash", "Ald", "Bar", "Black", "Brad", "Bram", "Brom", "Burn", "Cal", "Chad", "Cher", "Clif", "Cold",
         "Cran", "Dal", "Dar", "Elm", "Fair", "Far", "Fen", "Gar", "Glad", "Gold", "Good", "Gray", "Had", "Hal",
         "Ham", "Hart", "Haw", "Hay", "Hem", "Hol", "Horn", "Hud", "Kel", "Ken", "Kim", "Lang", "Lay", "Lid",
         "Lin", "Lock", "Mar", "Mid", "Mil", "Mor", "New", "Nor", "Old", "Pen", "Pick", "Pres", "Rad", "Rams",
         "Red", "Rid", "Rock", "Row", "Rush", "Sal", "Sand", "Shel", "Sher", "Stan", "Stap", "Stock", "Sut",
         "Thorn", "Tid", "Wad", "Wal", "Ward", "Wat", "Wel", "Wes", "Whit", "Wick", "Win", "Wor", "Ather",
         "Bick", "Cart", "Dun", "East", "Fos", "Gil", "Hath", "Ing", "Knot", "Lud", "Mab", "Nut", "Ox")
#: Offset of the tail's rank weights: the first tail name is about four times the last.
TAIL_FLATNESS = 1500.0
ENDINGS = ("ley", "ton", "well", "wood", "field", "ford", "ham", "by", "worth", "bury", "ridge", "hurst", "more",
           "dale", "brook", "combe", "stone", "wick", "croft", "land", "shaw", "den", "thorpe", "stead", "low",
           "cott", "bourne", "ington", "er", "man")


@dataclass(frozen=True)
class Blocks:
    """Name distributions stored end to end: block ``k``'s cumulative shares run from k to k + 1.

    A draw from block ``k`` is ``names[searchsorted(cdf, k + u)]``, for any number of blocks at once.
    """

    names: np.ndarray
    cdf: np.ndarray

    def draw(self, block: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One name from each row's block, using uniforms ``u``."""
        pos = np.searchsorted(self.cdf, block + np.minimum(u, 1 - 1e-12), side="right")
        return self.names[np.clip(pos, 0, len(self.names) - 1)]


def _blocks(groups: list[tuple[np.ndarray, np.ndarray]]) -> Blocks:
    names, cdfs = [], []
    for k, (n, w) in enumerate(groups):
        c = np.cumsum(np.asarray(w, float))
        cdfs.append(k + c / c[-1])
        names.append(np.asarray(n, dtype=object))
    return Blocks(np.concatenate(names), np.concatenate(cdfs))


@dataclass(frozen=True)
class Forenames:
    """The forename distributions (see module docs).

    Attributes:
        blocks: every distribution end to end.
        years: per sex (index 0 male, 1 female), the listed England and Wales years, ascending.
        main: per sex, the block of each listed year.
        inside: per sex, the share of births inside each listed year's shipped names.
        wales_years, wales_block, wales_share: the same for the Welsh top 100.
        tail: per sex, the tail block for births before 1996 (0) and from 1996 (1).
    """

    blocks: Blocks
    years: tuple[np.ndarray, np.ndarray]
    main: tuple[np.ndarray, np.ndarray]
    inside: tuple[np.ndarray, np.ndarray]
    wales_years: tuple[np.ndarray, np.ndarray]
    wales_block: tuple[np.ndarray, np.ndarray]
    wales_share: tuple[np.ndarray, np.ndarray]
    tail: tuple[tuple[int, int], tuple[int, int]]


@lru_cache(maxsize=1)
def forename_tables() -> Forenames:
    """Read ``reference/forenames.csv`` once and build the distributions."""
    t = pd.read_csv(shipped_reference(FORENAMES_CSV), dtype={"name": str}, keep_default_na=False,
                    na_values={"count": [""]})
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    out: dict[str, list] = {k: [] for k in ("years", "main", "inside", "wyears", "wblock", "wshare", "tail")}
    for sex in (1, 2):
        s = t[t["sex"] == sex]
        ew = s[(s["area"] == "EW") & (s["rank"] > 0)]
        totals = s[s["rank"] == 0].set_index(["area", "year"])["count"]
        modern = ew[ew["count"].notna()]
        first = modern[modern["year"] == modern["year"].min()]
        first_total = float(totals["EW", int(first["year"].iloc[0])])
        curve = first.sort_values("rank")["count"].to_numpy(float)[:100] / first_total  # 1996 rank shares
        years, main, inside = [], [], []
        for year, g in ew.groupby("year", sort=True):
            g = g.sort_values("rank")
            if g["count"].notna().all():
                w = g["count"].to_numpy(float)
                share = w.sum() / float(totals["EW", year])
            else:
                w = curve[: len(g)]
                share = w.sum()
            years.append(year)
            main.append(len(groups))
            inside.append(share)
            groups.append((g["name"].to_numpy(object), w))
        w_rows = s[(s["area"] == "W") & (s["rank"] > 0)]
        wyears, wblock, wshare = [], [], []
        for year, g in w_rows.groupby("year", sort=True):
            wyears.append(year)
            wblock.append(len(groups))
            ew_total = float(totals["EW", year]) if ("EW", year) in totals.index else np.nan
            wshare.append(min(g["count"].sum() / (WALES_BIRTH_SHARE * ew_total), 1.0))
            groups.append((g["name"].to_numpy(object), g["count"].to_numpy(float)))
        old = np.unique(np.concatenate([ew.loc[ew["count"].isna(), "name"].to_numpy(str),
                                        first["name"].to_numpy(str)]))
        new = np.unique(modern["name"].to_numpy(str))
        tails = []
        for pool in (old, new):
            tails.append(len(groups))
            groups.append((pool.astype(object), np.ones(len(pool))))
        out["years"].append(np.array(years))
        out["main"].append(np.array(main))
        out["inside"].append(np.array(inside))
        out["wyears"].append(np.array(wyears))
        out["wblock"].append(np.array(wblock))
        out["wshare"].append(np.nan_to_num(np.array(wshare)))
        out["tail"].append((tails[0], tails[1]))
    pair = lambda k: (out[k][0], out[k][1])  # noqa: E731
    return Forenames(_blocks(groups), pair("years"), pair("main"), pair("inside"), pair("wyears"), pair("wblock"),
                     pair("wshare"), (out["tail"][0], out["tail"][1]))


def forenames(sex: np.ndarray, rng: np.random.Generator, birth_year: np.ndarray | None = None,
              welsh: np.ndarray | None = None) -> np.ndarray:
    """A forename for each person from the ONS counts of their birth year and sex.

    Args:
        sex: 1 male, 2 female (anything else is drawn as female).
        rng: the only source of randomness (four uniforms per person).
        birth_year: calendar year of birth (2010 for everyone when None).
        welsh: people living in Wales (named from the Welsh top 100 at its share); none when None.
    """
    n = len(sex)
    t = forename_tables()
    year = np.full(n, 2010) if birth_year is None else np.asarray(birth_year, np.int64)
    welsh_ = np.zeros(n, bool) if welsh is None else np.asarray(welsh, bool)
    u_year, u_part, u_wales, u_name = rng.random(n), rng.random(n), rng.random(n), rng.random(n)
    block = np.empty(n, np.int64)
    for i, male in enumerate((True, False)):
        rows = np.flatnonzero((np.asarray(sex) == 1) == male)
        if not len(rows):
            continue
        ys, y = t.years[i], year[rows]
        hi = np.clip(np.searchsorted(ys, y), 1, len(ys) - 1)
        lo = hi - 1
        frac = np.clip((y - ys[lo]) / (ys[hi] - ys[lo]), 0, 1)
        at = np.where(u_year[rows] < frac, hi, lo)
        inside = u_part[rows] < t.inside[i][at]
        tail = np.where(ys[at] < FIRST_FULL_YEAR, t.tail[i][0], t.tail[i][1])
        b = np.where(inside, t.main[i][at], tail)
        wy = t.wales_years[i]
        w_at = np.clip(np.searchsorted(wy, y), 0, len(wy) - 1)
        w_at = np.where((w_at > 0) & (np.abs(wy[np.maximum(w_at - 1, 0)] - y) <= np.abs(wy[w_at] - y)), w_at - 1, w_at)
        use_w = welsh_[rows] & (y >= wy[0]) & (u_wales[rows] < t.wales_share[i][w_at])
        block[rows] = np.where(use_w, t.wales_block[i][w_at], b)
    return t.blocks.draw(block, u_name)


def distinct_among_siblings(forename: np.ndarray, family: np.ndarray, child: np.ndarray, sex: np.ndarray,
                            birth_year: np.ndarray, welsh: np.ndarray, rng: np.random.Generator,
                            rounds: int = 8) -> np.ndarray:
    """Forenames with no two children of one mother alike: a later child's repeat is drawn again.

    Parents do not give two of their children the same first name, and twins named alike would make
    two people identical on every identifier. Children are in birth order within a family (person id
    order), so the elder keeps the name. After ``rounds`` the odd repeat left (a name list exhausted)
    stays.

    Args:
        forename: each person's drawn forename (changed in place and returned).
        family: each person's family (mother).
        child: whether each person is a child of that mother.
        sex, birth_year, welsh: as for :func:`forenames`.
        rng: the only source of randomness.
    """
    for _ in range(rounds):
        rows = np.flatnonzero(child)
        dup = pd.DataFrame({"f": family[rows], "n": forename[rows]}).duplicated().to_numpy()
        if not dup.any():
            break
        again = rows[dup]
        forename[again] = forenames(sex[again], rng, birth_year[again], welsh[again])
    return forename


@lru_cache(maxsize=1)
def surname_tables() -> Blocks:
    """Surname distributions: block 0 England and Wales, block 1 Wales (see module docs)."""
    from faker.providers.person import en_GB

    last = en_GB.Provider.last_names
    head = np.array(list(last.keys()), dtype=object)
    w = np.array(list(last.values()), dtype=float)
    tail = np.array([s + e for s in STEMS for e in ENDINGS if not (s.endswith(e[0]) and e[0] in "aeiou")], dtype=object)
    tail = tail[~np.isin(tail, head)]
    tail = np.concatenate([tail, _patronymics(head)])
    # Gently falling weights (1 / (rank + TAIL_FLATNESS)) over a fixed shuffle of the tail, so no
    # tail name is more common than the rarest of the head (the order carries no meaning).
    order = np.random.default_rng(1).permutation(len(tail))
    tw = 1.0 / (np.arange(len(tail)) + TAIL_FLATNESS)
    tw = tw / tw.sum() * (100.0 - w.sum())
    names = np.concatenate([head, tail[order]])
    weights = np.concatenate([w, tw])
    welsh_w = np.where(np.isin(names, WELSH_SURNAMES), weights * WELSH_SURNAME_TIMES, weights)
    return _blocks([(names, weights), (names, welsh_w)])


def _patronymics(head: np.ndarray) -> np.ndarray:
    """Surnames made from historic forenames (Name + s or son: Edwards, Dawson), not in the head."""
    t = pd.read_csv(shipped_reference(FORENAMES_CSV), dtype={"name": str}, keep_default_na=False)
    old = t.loc[(t["sex"] == 1) & (t["year"] < FIRST_FULL_YEAR) & (t["rank"] > 0), "name"].unique()
    ok = [n for n in old if n[-1] in "dklmnprt" and "-" not in n]  # Edwards, Dawson; not Garys, Alexson
    made = np.unique(np.concatenate([[n + "s" for n in ok], [n + "son" for n in ok]]))
    return made[~np.isin(made, head)].astype(object)


def surnames(n: int, rng: np.random.Generator, welsh: np.ndarray | None = None) -> np.ndarray:
    """``n`` surnames from the England and Wales weights (Welsh weights where ``welsh``)."""
    block = np.zeros(n, np.int64) if welsh is None else np.asarray(welsh, bool).astype(np.int64)
    return surname_tables().draw(block, rng.random(n))


#: Share of mothers living with a partner who are known by the partner's surname. assumption: most
#: mothers in proceedings are not married to the father (no published share); a quarter.
P_PARTNER_SURNAME = 0.25
#: Share of children not given the father's surname who get a double-barrelled one (both parents'
#: surnames joined by a hyphen, either order). assumption: about 4% of all children.
P_DOUBLE_SURNAME = 0.08
#: Roles sharing the mother's birth surname (her parents and siblings).
MATERNAL_ROLES = ("grandparent", "other_relative")


def person_surnames(role: np.ndarray, fam: np.ndarray, father_pos: np.ndarray, takes_father: np.ndarray,
                    welsh_family: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Surnames of a shard's people, with the other surname each is known by.

    Fathers (and other people) have their own surname; a mother and her relatives share her birth
    surname, and a share of mothers living with a partner use his (``P_PARTNER_SURNAME``); a child
    takes the father's (``takes_father``), else the mother's, or both hyphenated
    (``P_DOUBLE_SURNAME``).

    Args:
        role: family role of each person (mother, father, child, grandparent, ...), families in order.
        fam: each person's family (0..n_families-1).
        father_pos: for children, the position of their father in these arrays (others: any).
        takes_father: per person, whether a child takes the father's surname.
        welsh_family: per family, whether it lives in Wales (Welsh surname weights).
        rng: the only source of randomness.

    Returns:
        ``(surname, other)``: the surname in use, and another the person is known by (a married
        mother's birth surname, a child's other parent's surname), None when there is none.
    """
    k, n_fam = len(role), len(welsh_family)
    welsh = np.asarray(welsh_family, bool)
    own = surnames(k, rng, welsh[fam])
    birth = surnames(n_fam, rng, welsh)
    u_partner, u_double, u_order = rng.random(k), rng.random(k), rng.random(k)
    mother = role == "mother"
    surname = np.where(mother | np.isin(role, MATERNAL_ROLES), birth[fam], own)
    other = np.full(k, None, dtype=object)
    # The family's first father (lowest person id) is the mother's partner.
    father_rows = np.flatnonzero(role == "father")
    fam_of_father, first = np.unique(fam[father_rows], return_index=True)
    partner = np.full(n_fam, -1)
    partner[fam_of_father] = father_rows[first]
    has_partner = partner[fam] >= 0
    married = mother & has_partner & (u_partner < P_PARTNER_SURNAME)
    surname = np.where(married, own[np.maximum(partner[fam], 0)], surname)
    other[married] = birth[fam[married]]
    child = role == "child"
    f_pos = np.clip(father_pos, 0, k - 1)
    dad, mum_birth = own[f_pos], birth[fam]
    mum_fam = birth.copy()
    mum_fam[fam[married]] = surname[married]
    mum_now = mum_fam[fam]
    double = child & ~takes_father & (u_double < P_DOUBLE_SURNAME) & (dad != mum_birth)
    joined = np.where(u_order < 0.5, dad + "-" + mum_birth, mum_birth + "-" + dad)
    kid = np.where(takes_father, dad, np.where(double, joined, mum_now))
    surname = np.where(child, kid, surname)
    kid_other = np.where(takes_father, mum_now, dad)
    differs = child & (kid_other != surname)
    other[differs] = kid_other[differs]
    return surname, other
