"""Hostile profiles: broken YAML, through ``synth profiles check`` and ``synth generate``.

Each profile extends ``training_small`` and breaks one thing. Both commands must exit 2 with one
line naming the file and the key path and saying what to do, and write nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile.harness import Case, Inputs, Spec, check, workdir

HEAD = "extends: training_small\nname: hostile\n"
MB = 1 << 20


def _bomb() -> str:
    """A YAML alias bomb ("billion laughs"): nine levels of nine aliases."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return HEAD + "world:\n  bomb:\n" + "\n".join("    " + ln for ln in lines) + "\n"


#: id -> (file contents (str or bytes), text the error must contain, extra files, lines allowed)
PROFILES: dict[str, tuple] = {
    "syntax_error": (HEAD + "world:\n  distributions: {new_father_at_birth: {kind: share, p: 0.3\n", ("line",)),
    "tab_indentation": (HEAD + "size:\n\tfamilies: 20\n", ("line",)),
    "unknown_deep_key": (HEAD + "world:\n  distributions:\n    new_father_at_birth: {pp: 0.3}\n",
                         ("new_father_at_birth", "pp")),
    "misspelt_key": (HEAD + "size: {familes: 20}\n", ("familes",)),
    "unknown_distribution": (HEAD + "world:\n  distributions:\n    new_fathr_at_birth: {kind: share, p: 0.3, "
                             "assumption: x}\n", ("new_fathr_at_birth", "new_father_at_birth")),
    "unknown_kind": (HEAD + "world:\n  distributions:\n    new_father_at_birth: {kind: sharee}\n",
                     ("new_father_at_birth", "sharee")),
    "wrong_type_families": (HEAD + "size: {families: many}\n", ("families",)),
    "wrong_type_probability": (HEAD + "world:\n  distributions:\n    new_father_at_birth: {p: lots}\n",
                               ("new_father_at_birth",)),
    "list_for_mapping": (HEAD + "size: [20]\n", ("size",)),
    "nan_share": (HEAD + "world:\n  distributions:\n    new_father_at_birth: {p: .nan}\n", ("new_father_at_birth",)),
    "inf_mean": (HEAD + "world:\n  distributions:\n    sibling_spacing: {mean: .inf}\n", ("sibling_spacing",)),
    "minus_inf_min": (HEAD + "world:\n  distributions:\n    sibling_spacing: {min: -.inf}\n", ("sibling_spacing",)),
    "nan_in_probabilities": (HEAD + "world:\n  distributions:\n    father_age_gap:\n      probabilities: "
                             "[.nan, 0.25, 0.30, 0.23, 0.10]\n", ("father_age_gap",)),
    "negative_probability": (HEAD + "world:\n  distributions:\n    father_age_gap:\n      probabilities: "
                             "[-0.1, 0.35, 0.30, 0.23, 0.22]\n", ("father_age_gap",)),
    "probabilities_sum_not_1": (HEAD + "world:\n  distributions:\n    father_age_gap:\n      probabilities: "
                                "[0.5, 0.5, 0.5, 0.5, 0.5]\n", ("father_age_gap",)),
    "share_above_1": (HEAD + "world:\n  distributions:\n    new_father_at_birth: {p: 1.5}\n",
                      ("new_father_at_birth",)),
    "negative_families": (HEAD + "size: {families: -5}\n", ("families",)),
    "extends_cycle": ("extends: other.yaml\nname: hostile\n", ("extends", "cycle"),
                      {"other.yaml": "extends: hostile.yaml\nname: other\n"}),
    "extends_self": ("extends: hostile.yaml\nname: hostile\n", ("extends",)),
    "extends_missing_file": ("extends: nothere.yaml\nname: hostile\n", ("extends", "nothere.yaml")),
    "extends_missing_name": ("extends: no_such_profile\nname: hostile\n", ("extends", "no_such_profile")),
    "period_end_before_start": (HEAD + "period: {start: 2020-04-01, end: 2019-03-31}\n", ("period",)),
    "impossible_date_feb_30": (HEAD + "period: {start: 2016-02-30, end: 2024-03-31}\n", ("2016-02-30",)),
    "not_utf8": ((HEAD + "description: Ynys M\u00f4n\n").encode("latin-1"), ("utf-8",)),
    "utf16": ((HEAD + "description: small\n").encode("utf-16"), ("utf-8",)),
    "empty_file": ("", ()),
    "list_at_top_level": ("- extends\n- training_small\n", ("mapping",)),
    "scalar_at_top_level": ("just some words\n", ("mapping",)),
    "huge_file": (None, ()),
    "alias_bomb": (_bomb(), ()),
}


def _write_profile(root: Path, key: str) -> Path:
    spec = PROFILES[key]
    folder = root / "prof"
    folder.mkdir()
    path = folder / "hostile.yaml"
    body = spec[0]
    if body is None:  # 60 MB: a valid head, then a sparse hole
        with open(path, "wb") as f:
            f.write(HEAD.encode())
            f.truncate(60 * MB)
    elif isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    for name, text in (spec[2] if len(spec) > 2 else {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return path


def _check_build(key: str):
    def build(root: Path, inputs: Inputs) -> Spec:
        path = _write_profile(root, key)
        return Spec(["profiles", "check", str(path)], workdir(root))
    return build


def _generate_build(key: str):
    def build(root: Path, inputs: Inputs) -> Spec:
        path = _write_profile(root, key)
        cwd = workdir(root)
        return Spec(["generate", str(path), "--families", "20", "--out", str(cwd / "run"), "--no-validate",
                     "--no-duckdb", "-q"], cwd, dest=cwd / "run")
    return build


def _case(command: str, key: str) -> Case:
    names = ("hostile.yaml", *PROFILES[key][1])
    fast = {"huge_file": 2.0, "alias_bomb": 5.0}.get(key)
    build = _check_build(key) if command == "check" else _generate_build(key)
    return Case(f"{command}-{key}", build, names=names, owner="H4", max_seconds=fast)


CASES = [_case(cmd, key) for key in PROFILES for cmd in ("check", "generate")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_broken_profile(case, outcomes, inputs):
    check(case, outcomes[case.id], inputs)


def _valid(root: Path, inputs: Inputs) -> Spec:
    folder = root / "prof"
    folder.mkdir()
    path = folder / "hostile.yaml"
    path.write_bytes((HEAD + "size: {families: 20}\n").replace("\n", "\r\n").encode())
    return Spec(["profiles", "check", str(path)], workdir(root))


CONTROL = [Case("check-valid_crlf_profile", _valid, codes=(0,), owner="H4")]


@pytest.mark.parametrize("case", CONTROL, ids=lambda c: c.id)
def test_valid_profile_passes(case, outcomes, inputs):
    """The control: a valid child profile (CRLF line ends) passes, so the cases above fail for their fault."""
    check(case, outcomes[case.id], inputs)
