"""The family courts: a fixed two-letter case-number prefix and a three-digit court number per court.

FamilyMan case numbers start with the court's two-letter prefix (schemas.md 5.1) and MoJ code reads
the court number from the first three digits of an event id (``SUBSTR(CAST(event AS varchar), 1, 3)``
in FCSQ ``01_ca_apps.ipynb`` / ``03_ca_disps.ipynb``). A court is a DFJ area here. The mapping is a
fixed reference, so a court keeps its prefix and number whatever areas a profile or shard contains
(it used to be computed from the areas present, so a prefix could change between profiles). The
prefixes and numbers are modelled (the real ones are in a lookup that is not public,
``court_mv_feb21_dfj``); an area not listed gets a prefix and number derived from its name alone
(stable, though it may repeat a listed one).
"""

from __future__ import annotations

import zlib

#: DFJ area -> (case-number prefix, court number).
COURTS: dict[str, tuple[str, int]] = {
    'Birmingham': ('BI', 101),
    'Blackburn/Lancaster (Lancashire)': ('BL', 102),
    'Bournemouth & Dorset': ('BO', 103),
    'Brighton': ('BR', 104),
    'Bristol': ('BS', 105),
    'Carlisle (Cumbria)': ('CA', 106),
    'Central London': ('CE', 107),
    'Cleveland & South Durham': ('CL', 108),
    'Coventry': ('CO', 109),
    'Derby': ('DE', 110),
    'Devon': ('DV', 111),
    'East London': ('EA', 112),
    'Essex & Suffolk': ('ES', 113),
    'Guildford': ('GU', 114),
    'Humberside': ('HU', 115),
    'Leicester': ('LE', 116),
    'Lincoln': ('LI', 117),
    'Liverpool': ('LV', 118),
    'Luton': ('LU', 119),
    'Manchester': ('MA', 120),
    'Medway': ('ME', 121),
    'Milton Keynes': ('MI', 122),
    'North Wales': ('NO', 123),
    'North Yorkshire': ('NR', 124),
    'Northampton': ('NT', 125),
    'Northumbria & North Durham': ('NH', 126),
    'Norwich': ('NW', 127),
    'Nottingham': ('NI', 128),
    'Peterborough': ('PE', 129),
    'Portsmouth': ('PO', 130),
    'Reading': ('RE', 131),
    'South East Wales': ('SO', 132),
    'South Yorkshire': ('SU', 133),
    'Stoke-on-Trent': ('ST', 134),
    'Swansea': ('SW', 135),
    'Swindon': ('SI', 136),
    'Taunton': ('TA', 137),
    'Truro': ('TR', 138),
    'Watford': ('WA', 139),
    'West London': ('WE', 140),
    'West Yorkshire': ('WS', 141),
    'Wolverhampton': ('WO', 142),
    'Worcester': ('WR', 143),
}


def court_of(area: str) -> tuple[str, int]:
    """The prefix and court number of a court (DFJ area), from :data:`COURTS` or its name."""
    if area in COURTS:
        return COURTS[area]
    letters = [c for c in area.upper() if c.isalpha()] or ["X"]
    h = zlib.crc32(area.encode("utf-8"))
    return letters[0] + "ABCDEFGHJKLMNPRSTUVWXYZ"[h % 23], 200 + h % 800
