"""Profile loading: shipped profiles, ``extends`` merging and the exact problems reported for bad files."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from synth.errors import ProfileError
from synth.profile.extends import deep_merge
from synth.profile.find import find_profile, list_profiles, shipped_dir
from synth.profile.loader import LoadedProfile, load_profile
from synth.profile.mechanisms import MECHANISMS
from synth.world.schema import fields_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"
SHIPPED = shipped_dir()
DEFAULT = (SHIPPED / "england_wales.yaml").resolve()


def problems_of(path: Path) -> list[tuple[str, str, str]]:
    """Load ``path`` expecting a ProfileError; return its problem triples."""
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    return info.value.problems


# --------------------------------------------------------------------------------------------
# Shipped profiles


@pytest.mark.parametrize("name", ["england_wales", "wales_sail", "training_small"])
def test_shipped_profile_loads_by_name(name):
    loaded = load_profile(name)
    assert isinstance(loaded, LoadedProfile)
    assert loaded.profile.name == name
    assert loaded.path == (SHIPPED / f"{name}.yaml").resolve()
    assert loaded.chain[0] == loaded.path
    assert len(loaded.sha256) == 64
    assert set(MECHANISMS) <= set(loaded.profile.world.distributions)


def test_default_profile_has_no_parent():
    loaded = load_profile("england_wales")
    assert loaded.chain == (DEFAULT,)
    assert loaded.profile.seed == 20240331
    assert loaded.profile.size.families == 20000
    assert set(loaded.profile.agencies) == {"cafcass_england", "cafcass_cymru", "familyman", "wds", "ssda903",
                                            "sail_reference", "la_reference"}


def test_training_small_overrides_and_inherits():
    parent = load_profile("england_wales").profile
    loaded = load_profile("training_small")
    prof = loaded.profile
    assert loaded.chain == ((SHIPPED / "training_small.yaml").resolve(), DEFAULT)
    assert prof.seed == 42
    assert prof.size.families == 400
    assert prof.period.start == dt.date(2016, 4, 1)
    assert prof.period.end == dt.date(2024, 3, 31)
    # Everything it does not mention comes from england_wales unchanged.
    assert prof.world.distributions == parent.world.distributions
    assert prof.agencies == parent.agencies
    assert prof.linkage == parent.linkage


def test_wales_sail_removes_an_agency_and_narrows_countries():
    prof = load_profile("wales_sail").profile
    assert "cafcass_england" not in prof.agencies and "ssda903" not in prof.agencies
    assert list(prof.agencies) == ["cafcass_cymru", "familyman", "wds", "sail_reference", "la_reference"]
    assert prof.world.countries == ["Wales"]
    assert prof.size.families == 5000
    assert prof.seed == load_profile("england_wales").profile.seed


def test_list_profiles_finds_the_shipped_three():
    stems = {p.stem for p in list_profiles()}
    assert {"england_wales", "wales_sail", "training_small"} <= stems


def test_hash_is_stable_and_depends_on_content():
    a1, a2 = load_profile("training_small"), load_profile("training_small")
    assert a1.sha256 == a2.sha256
    assert load_profile("england_wales").sha256 != a1.sha256


def test_reference_path_resolves_against_the_file_that_named_it():
    loaded = load_profile(VALID / "small.yaml")
    # small.yaml lives under tests/, the CSV beside the shipped default.
    p = loaded.reference_path(loaded.profile.world.volumes.file)
    assert p == (SHIPPED / "reference" / "volumes.csv").resolve()
    assert p.is_file()


# --------------------------------------------------------------------------------------------
# Valid fixtures


def test_fixture_small_overrides_only_size():
    loaded = load_profile(VALID / "small.yaml")
    base = load_profile("england_wales").profile
    assert loaded.chain == ((VALID / "small.yaml").resolve(), DEFAULT)
    assert loaded.profile.name == "fixture_small"
    assert loaded.profile.size.families == 50
    assert loaded.profile.period == base.period
    assert loaded.profile.world == base.world


def test_fixture_narrow_period():
    prof = load_profile(VALID / "narrow_period.yaml").profile
    assert (prof.period.start, prof.period.end) == (dt.date(2020, 4, 1), dt.date(2022, 3, 31))


def test_fixture_agency_removed_with_null():
    prof = load_profile(VALID / "no_england.yaml").profile
    assert set(prof.agencies) == {"cafcass_cymru", "familyman", "wds", "sail_reference", "la_reference"}
    assert prof.world.countries == ["Wales"]


def test_profile_found_on_synth_profiles_path(tmp_path, monkeypatch):
    (tmp_path / "mine.yaml").write_text(f"extends: {DEFAULT}\nname: mine\nsize: {{families: 7}}\n")
    monkeypatch.setenv("SYNTH_PROFILES", str(tmp_path))
    assert find_profile("mine") == (tmp_path / "mine.yaml").resolve()
    assert load_profile("mine").profile.size.families == 7
    assert "mine" in {p.stem for p in list_profiles()}


# --------------------------------------------------------------------------------------------
# Invalid fixtures: the exact (file, YAML path, message) of each problem


def _invalid(name: str) -> Path:
    return (INVALID / f"{name}.yaml").resolve()


KINDS = "categorical, histogram, share, lognormal, poisson, survival, conditional"
ENGLAND_TABLES = "file1, case, application, child_subject, adult_party, relationship, note"

EXPECTED: dict[str, list[tuple[str, str]]] = {
    "broken_yaml": [
        ("", "not valid YAML: line 5, column 5: expected ',' or '}', but got ':' "
                 "(while parsing a flow mapping at line 4, column 7); fix the syntax there"),
    ],
    "unknown_top_key": [("seeed", "unknown key 'seeed'; did you mean 'seed'?")],
    "unknown_nested_key": [
        ("world.distributions.sibling_spacing.cvv", "unknown key 'cvv'; did you mean 'cv'?"),
    ],
    "probabilities_sum": [
        ("world.distributions.month_of_issue.probabilities",
         "probabilities sum to 0.9216, not 1; rescale them so they sum to 1"),
    ],
    "unknown_kind": [
        ("world.distributions.sibling_spacing.kind", f"unknown distribution kind 'lognormel'; valid kinds: {KINDS}"),
    ],
    "missing_distribution": [
        ("world.distributions.father_age_gap",
         "missing distribution (father's age minus mother's age (years)); add a 'histogram' distribution"),
    ],
    "conditional_missing_case": [
        ("world.distributions.outcome.cases.public.cases",
         "no case for age_band = '16-17'; add it (needed: under_1, 1-4, 5-9, 10-15, 16-17)"),
    ],
    "wrong_given": [
        ("world.distributions.children_per_case.given", "must be conditional on 'law_type', not 'country'"),
    ],
    "no_provenance": [
        ("world.distributions.sibling_spacing",
         "every number needs 'source:' (an address in domain/) or 'assumption:' (why); add one"),
    ],
    "histogram_wrong_count": [
        ("world.distributions.father_age_gap.probabilities", "6 bin edges need 5 probabilities, got 2"),
    ],
    "unknown_transform": [
        ("agencies.cafcass_england.tables.note.columns[1].transforms[0].name",
         "unknown transform 'uper'; did you mean 'upper'?"),
    ],
    "bad_field_path": [
        ("agencies.cafcass_england.tables.note.columns[1].field",
         f"'shoe_size' is not a field of person (fields: {', '.join(fields_of('person'))})"),
    ],
    "fk_unknown_table": [
        ("agencies.cafcass_england.tables.note.foreign_keys[0].references",
         f"'cases' is not a table of cafcass_england; one of: {ENGLAND_TABLES}"),
    ],
    "missing_reference_csv": [
        ("world.volumes.file",
         "reference file 'reference/no_such_volumes.csv' not found next to the profile; create it or fix the path"),
    ],
    "cycle_a": [
        ("extends", "profiles extend each other in a cycle (cycle_a.yaml -> cycle_b.yaml -> cycle_a.yaml); break it"),
    ],
    "cycle_b": [
        ("extends", "profiles extend each other in a cycle (cycle_b.yaml -> cycle_a.yaml -> cycle_b.yaml); break it"),
    ],
    "extends_missing": [("extends", "no such profile 'england_walse'; did you mean 'england_wales'?")],
    "extends_missing_file": [
        ("extends", f"'../valid/no_such_base.yaml' not found (looked for {(VALID / 'no_such_base.yaml').resolve()}); "
                    "give a path relative to this file or a name from `synth profiles list`"),
    ],
    "negative_families": [("size.families", "must be > 0, got -10; use a value > 0")],
    "period_reversed": [("period.end", "end 2019-03-31 must be after start 2020-04-01")],
    "duration_missing_fy": [
        ("world.distributions.duration.cases.public.mean",
         "no mean for financial years [2015] of the period; add them"),
    ],
    "two_problems": [
        ("size.families", "must be > 0, got 0; use a value > 0"),
        ("seeed", "unknown key 'seeed'; did you mean 'seed'?"),
    ],
}


def test_every_invalid_fixture_has_an_expectation():
    assert {p.stem for p in INVALID.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_reports_exact_problems(name):
    path = _invalid(name)
    expected = [(str(path), loc, msg) for loc, msg in EXPECTED[name]]
    assert problems_of(path) == expected


def test_two_independent_problems_are_reported_together():
    problems = problems_of(_invalid("two_problems"))
    assert len(problems) == 2
    assert {loc for _, loc, _ in problems} == {"size.families", "seeed"}


def test_two_independent_semantic_problems_are_reported_together(tmp_path):
    p = tmp_path / "two_semantic.yaml"
    p.write_text(
        f"extends: {DEFAULT}\n"
        "world:\n"
        "  distributions:\n"
        "    father_age_gap: null\n"
        "    sibling_spacing: {assumption: null}\n"
    )
    problems = problems_of(p)
    assert {(loc, f) for f, loc, _ in problems} == {
        ("world.distributions.father_age_gap", str(p.resolve())),
        ("world.distributions.sibling_spacing", str(p.resolve())),
    }


def test_problem_names_the_parent_file_that_holds_it(tmp_path):
    parent = tmp_path / "parent.yaml"
    parent.write_text(f"extends: {DEFAULT}\nseeed: 1\n")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nsize: {families: 10}\n")
    assert problems_of(child) == [(str(parent.resolve()), "seeed", "unknown key 'seeed'; did you mean 'seed'?")]


def test_problem_error_text_is_one_line_per_problem():
    path = _invalid("two_problems")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value).splitlines() == [
        f"{path}: size.families: must be > 0, got 0; use a value > 0",
        f"{path}: seeed: unknown key 'seeed'; did you mean 'seed'?",
    ]


def test_non_mapping_yaml_is_rejected(tmp_path):
    p = tmp_path / "list.yaml"
    p.write_text("- a\n- b\n")
    assert problems_of(p) == [(str(p.resolve()), "", "a profile must be a YAML mapping of keys to values")]


def test_unknown_profile_name_suggests_close_match():
    with pytest.raises(ProfileError) as info:
        find_profile("trainng_small")
    assert info.value.problems == [("trainng_small", "", "no such profile; did you mean 'training_small'?")]


def test_unknown_profile_name_without_close_match_lists_known():
    with pytest.raises(ProfileError) as info:
        find_profile("zzzzqqqq")
    (_, _, msg), = info.value.problems
    assert msg.startswith("no such profile; known profiles: ")
    for name in ("england_wales", "training_small", "wales_sail"):
        assert name in msg


def test_missing_yaml_path_is_reported(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ProfileError) as info:
        load_profile(missing)
    assert info.value.problems == [
        (str(missing), "", "file not found; give a path to a profile YAML or a name from `synth profiles list`"),
    ]


# --------------------------------------------------------------------------------------------
# deep_merge


def test_deep_merge_merges_mappings_recursively():
    base = {"a": {"x": 1, "y": {"p": 1, "q": 2}}, "b": 2}
    over = {"a": {"y": {"q": 3, "r": 4}}, "c": 5}
    assert deep_merge(base, over) == {"a": {"x": 1, "y": {"p": 1, "q": 3, "r": 4}}, "b": 2, "c": 5}


def test_deep_merge_lists_replace():
    assert deep_merge({"l": [1, 2, 3], "m": {"l": [1]}}, {"l": [9], "m": {"l": []}}) == {"l": [9], "m": {"l": []}}


def test_deep_merge_null_removes_key():
    base = {"a": 1, "b": {"c": 2, "d": 3}}
    assert deep_merge(base, {"a": None, "b": {"d": None}}) == {"b": {"c": 2}}


def test_deep_merge_null_for_absent_key_is_kept_as_null():
    # Nothing to remove: the null stays (and the model then decides what it means).
    assert deep_merge({"a": 1}, {"z": None}) == {"a": 1, "z": None}


def test_deep_merge_scalar_replaces_mapping_and_vice_versa():
    assert deep_merge({"a": {"x": 1}}, {"a": 5}) == {"a": 5}
    assert deep_merge({"a": 5}, {"a": {"x": 1}}) == {"a": {"x": 1}}


def test_deep_merge_does_not_modify_its_inputs():
    base = {"a": {"x": 1, "y": 2}, "l": [1]}
    over = {"a": {"x": None, "z": 3}, "l": [2]}
    base_copy, over_copy = copy.deepcopy(base), copy.deepcopy(over)
    assert deep_merge(base, over) == {"a": {"y": 2, "z": 3}, "l": [2]}
    assert base == base_copy
    assert over == over_copy


# --------------------------------------------------------------------------------------------
# Each failure family: one problem per fault, with the file, the key path (or line) and the fix


def _child(tmp_path: Path, body: str | bytes, name: str = "child.yaml") -> Path:
    p = tmp_path / name
    if isinstance(body, bytes):
        p.write_bytes(body)
    else:
        p.write_text(body, encoding="utf-8")
    return p


CHILD = "extends: training_small\nname: child\n"


@pytest.mark.parametrize("body, loc, msg", [
    (CHILD + "world:\n  distributions:\n    new_father_at_birth: {p: .nan}\n",
     "world.distributions.new_father_at_birth.p", ".nan is not a number a profile can use; give a finite number"),
    (CHILD + "world:\n  distributions:\n    sibling_spacing: {mean: .inf}\n",
     "world.distributions.sibling_spacing.mean", ".inf is not a number a profile can use; give a finite number"),
    (CHILD + "linkage:\n  alf: {noise: -.inf}\n",
     "linkage.alf.noise", "-.inf is not a number a profile can use; give a finite number"),
    (CHILD + "world:\n  distributions:\n    father_age_gap:\n      probabilities: [.nan, 0.25, 0.30, 0.23, 0.10]\n",
     "world.distributions.father_age_gap.probabilities[0]",
     ".nan is not a number a profile can use; give a finite number"),
    (CHILD + "size: {families: many}\n", "size.families",
     "input should be a valid integer, unable to parse string as an integer, got 'many'; give one"),
    (CHILD + "world:\n  distributions:\n    new_father_at_birth: {pp: 0.3}\n",
     "world.distributions.new_father_at_birth.pp", "unknown key 'pp'; did you mean 'p'?"),
    (CHILD + "period: {start: 2016-02-30, end: 2024-03-31}\n", "period.start",
     "'2016-02-30' is not a valid date (day value is outside expected range); give a real date as YYYY-MM-DD"),
])
def test_bad_value_is_one_problem_at_its_key_path(tmp_path, body, loc, msg):
    p = _child(tmp_path, body)
    assert problems_of(p) == [(str(p.resolve()), loc, msg)]


def test_non_utf8_profile_names_the_byte(tmp_path):
    p = _child(tmp_path, (CHILD + "description: Ynys M\u00f4n\n").encode("latin-1"))
    offset = len(CHILD) + len("description: Ynys M")
    assert problems_of(p) == [(str(p.resolve()), "", f"not UTF-8 text (byte 0xf4 at offset {offset}, line 3); "
                                                     "save the file as UTF-8")]


def test_huge_profile_is_refused_from_its_size_at_once(tmp_path):
    import time

    p = tmp_path / "huge.yaml"
    with open(p, "wb") as f:
        f.write(CHILD.encode())
        f.truncate(60 << 20)
    start = time.perf_counter()
    assert problems_of(p) == [(str(p.resolve()), "", "file is 60.0 MB, over the 2 MB limit for a profile; shorten it "
                                                     "(large tables belong in reference CSVs)")]
    assert time.perf_counter() - start < 1


def test_alias_bomb_is_refused_before_expansion(tmp_path):
    rows = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    rows += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    p = _child(tmp_path, CHILD + "bomb:\n" + "".join(f"  {r}\n" for r in rows))
    (where, loc, msg), = problems_of(p)
    assert (where, loc) == (str(p.resolve()), "")
    assert msg.endswith("aliases expand to more than 250,000 values (an alias bomb?); write the values out or "
                        "use fewer aliases")


def test_self_referring_alias_and_duplicate_key(tmp_path):
    p = _child(tmp_path, CHILD + "x: &x [*x]\n")
    assert problems_of(p) == [(str(p.resolve()), "", "line 3, column 4: an alias refers to the value that contains "
                                                     "it; write the value out instead")]
    p = _child(tmp_path, CHILD + "size: {families: 10}\nsize: {families: 20}\n")
    assert problems_of(p) == [(str(p.resolve()), "", "line 4, column 1: key 'size' is given twice in this mapping "
                                                     "(first at line 3); keep one")]


def test_ordinary_aliases_still_work(tmp_path):
    p = _child(tmp_path, CHILD + "size: &s {families: 12}\ncheck_alias: *s\n")
    assert problems_of(p) == [(str(p.resolve()), "check_alias", "unknown key 'check_alias'; did you mean 'checks'?")]


def test_empty_profile_says_what_to_write(tmp_path):
    p = _child(tmp_path, "# only a comment\n")
    assert problems_of(p) == [(str(p.resolve()), "", "holds no profile (empty, or comments only); write one, e.g. "
                                                     "'extends: england_wales' and the keys to change")]


def test_extends_cycle_names_every_file(tmp_path):
    a = _child(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    _child(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    assert problems_of(a) == [(str(a.resolve()), "extends",
                               "profiles extend each other in a cycle (a.yaml -> b.yaml -> a.yaml); break it")]


@pytest.mark.parametrize("body", [
    CHILD + "world:\n  distributions:\n    new_father_at_birth: {p: .nan}\n",
    CHILD + "world:\n  distributions:\n    father_age_gap:\n      probabilities: [0.5, 0.5, 0.5, 0.5, 0.5]\n",
    "extends: [training_small]\nname: child\n",
    CHILD + "size: {families: [1\n",
])
def test_profiles_check_exits_2_with_one_line_and_no_traceback(tmp_path, body):
    from click.testing import CliRunner

    from synth.cli.main import cli

    p = _child(tmp_path, body)
    result = CliRunner().invoke(cli, ["profiles", "check", str(p)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    out = result.output.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(f"error: {p.resolve()}: ")
