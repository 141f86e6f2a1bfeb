"""The dictionary is complete: every column of every shipped profile is described, and every
citation (schemas.md / stats.md section, repository file) resolves inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from synth.export.dictionary import render_dictionary
from synth.profile.find import list_profiles
from synth.profile.loader import load_profile

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "synth" / "profiles" / "reference" / "SOURCES.md"
PROFILES = sorted(Path(p).stem for p in list_profiles())
CITE = re.compile(r"(schemas\.md|stats\.md)((?:[ ,;]*(?:and )?(?:§\s?)?\d+(?:\.\d+)?[a-z]?\b)+)")


def citations(text: str) -> set[str]:
    """Every ``schemas.md N.M`` / ``stats.md Nx`` section the text cites."""
    return {f"{m[1]} {n}" for m in CITE.finditer(text) for n in re.findall(r"\d+(?:\.\d+)?[a-z]?", m[2])}


def test_citation_parser() -> None:
    assert citations("(schemas.md 5.1; stats.md 1a, 1b and 4d) see schemas.md §6.4") == {
        "schemas.md 5.1", "stats.md 1a", "stats.md 1b", "stats.md 4d", "schemas.md 6.4"}


@pytest.mark.parametrize("name", PROFILES)
def test_every_column_described(name: str) -> None:
    prof = load_profile(name).profile
    bare = [f"{k}/{t.name}.{c.name}" for k, a in prof.agencies.items() for t in a.tables.values()
            for c in t.columns if not c.description.strip()]
    assert bare == [], f"columns without a description: {bare}"


@pytest.mark.parametrize("name", PROFILES)
def test_citations_resolve(name: str) -> None:
    text = render_dictionary(load_profile(name).profile, {})
    keys = set(re.findall(r"^\| `((?:schemas|stats)\.md [^`]+)` \|", SOURCES.read_text(encoding="utf-8"), re.M))
    cited = citations(text)
    assert cited, "the dictionary cites no section: the parser is broken"
    assert sorted(cited - keys) == [], "cited sections with no SOURCES.md entry"
    files = set(re.findall(r"\b((?:synth|scripts|reference)/[\w./-]+\.(?:py|csv|md))\b", text))
    missing = [f for f in files if not (ROOT / f).exists() and not (ROOT / "synth" / "profiles" / f).exists()]
    assert missing == [], f"the dictionary cites files not in the repository: {missing}"
