"""Step 2 of loading a profile: read one YAML file into a mapping, refusing what cannot be a profile.

Every refusal is a :class:`~synth.errors.ProfileError` naming the file, where in it (line and
column, or byte offset) and what to do, raised before any slow work:

* a file over :data:`MAX_PROFILE_BYTES` is refused from its size alone (nothing is read);
* text that is not UTF-8 is refused with the offset and line of the first bad byte;
* YAML syntax errors give the line and column;
* aliases that expand to more than :data:`MAX_YAML_VALUES` values (a "billion laughs" bomb) or refer
  to themselves are refused before anything walks the expanded tree;
* a key given twice in one mapping is refused (YAML would silently keep the last);
* the top level must be a mapping.

A date that does not exist (``2016-02-30``) is kept as its text, so the model reports it at its key
path with the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from synth.errors import ProfileError

#: Largest profile file read, in bytes (2 MB; about two seconds of parsing). The shipped
#: england_wales.yaml is about 80 kB; large tables belong in reference CSVs named by the profile.
MAX_PROFILE_BYTES = 2 * 1024 * 1024

#: Most values (scalars, sequences and mappings) a profile may hold once its aliases are expanded
#: (england_wales.yaml holds about 7,000).
MAX_YAML_VALUES = 250_000


class _Refused(Exception):
    """A YAML document refused by the guards of :class:`ProfileLoader` (message only)."""


class _Guards:
    """Guards shared by the fast (libyaml) and the pure-Python loader: alias bombs, self-referring
    aliases, duplicate keys, impossible dates."""

    def get_single_data(self) -> Any:
        """Compose the document, check its expanded size, then construct it."""
        node = self.get_single_node()  # type: ignore[attr-defined]
        if node is None:
            return None
        _expanded_size(node, {}, set())
        return self.construct_document(node)  # type: ignore[attr-defined]

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping, refusing a key written twice in it."""
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                k = (key_node.tag, key_node.value)
                if k in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key '{key_node.value}' is given twice in this mapping (first at line "
                        f"{seen[k] + 1}); keep one", key_node.start_mark)
                seen[k] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """A date or datetime; a date that does not exist stays text (the model reports it)."""
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[misc]
        except ValueError:
            return self.construct_scalar(node)  # type: ignore[attr-defined]


class ProfileLoader(_Guards, yaml.SafeLoader):
    """The pure-Python safe loader with the guards (its error messages name the offending character)."""


_CSafe = getattr(yaml, "CSafeLoader", None)


class FastProfileLoader(_Guards, _CSafe or yaml.SafeLoader):  # type: ignore[misc]
    """The libyaml safe loader with the guards (about five times faster; used first)."""


for _loader in (ProfileLoader, FastProfileLoader):  # the guard mixin is not a BaseConstructor to mypy
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _loader.construct_yaml_timestamp)  # type: ignore[type-var]


def _expanded_size(node: Node, sizes: dict[int, int], active: set[int]) -> int:
    """How many values ``node`` stands for with every alias expanded (memoised per node)."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        raise _Refused(f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}: an alias refers to "
                       "the value that contains it; write the value out instead")
    if isinstance(node, ScalarNode):
        return 1
    active.add(key)
    children: list[Node] = []
    if isinstance(node, SequenceNode):
        children = list(node.value)
    elif isinstance(node, MappingNode):
        children = [n for pair in node.value for n in pair]
    total = 1 + sum(_expanded_size(c, sizes, active) for c in children)
    active.discard(key)
    if total > MAX_YAML_VALUES:
        raise _Refused(f"line {node.start_mark.line + 1}: aliases expand to more than {MAX_YAML_VALUES:,} values "
                       "(an alias bomb?); write the values out or use fewer aliases")
    sizes[key] = total
    return total


def _yaml_problem(e: yaml.YAMLError) -> str:
    """One line saying where a YAML error is and what it is."""
    if isinstance(e, yaml.reader.ReaderError):
        return (f"character #x{ord(e.character) if isinstance(e.character, str) else e.character:04x} at offset "
                f"{e.position} is not allowed in YAML; remove it")
    mark = getattr(e, "problem_mark", None)
    ctx = getattr(e, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    if problem.endswith("; keep one"):
        return f"{where}{problem}"
    opened = ""
    context = getattr(e, "context", None)
    if ctx is not None and context:
        opened = f" ({context} at line {ctx.line + 1}, column {ctx.column + 1})"
    return f"not valid YAML: {where}{problem}{opened}; fix the syntax there"


def _decode(path: Path, data: bytes) -> str:
    """The file's text; refuses anything that is not UTF-8 (a UTF-8 byte-order mark is dropped)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ProfileError([(str(path), "", f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}, "
                             f"line {line}); save the file as UTF-8")]) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_bytes_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, refusing a file over ``limit`` bytes before reading it.

    Args:
        path: the file.
        limit: the largest size accepted.
        what: what the file is, for the message ("a profile", "a reference table").

    Raises:
        ProfileError: when the file cannot be read or is too large.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            raise ProfileError([(str(path), "", f"file is {size / 2**20:.1f} MB, over the {limit / 2**20:g} MB "
                                 f"limit for {what}; shorten it (large tables belong in reference CSVs)")])
        with path.open("rb") as f:
            return f.read(limit + 1)
    except OSError as e:
        raise ProfileError([(str(path), "", f"cannot read file: {e.strerror or e}; check it exists and is "
                             "readable")]) from None


def _parse(text: str) -> Any:
    """Parse with libyaml; on a YAML error parse again in pure Python for its clearer message."""
    try:
        return yaml.load(text, Loader=FastProfileLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as e:
        if "nesting depth" in str(e):
            raise  # libyaml's own limit; the pure-Python parser would recurse until it fails
        return yaml.load(text, Loader=ProfileLoader)  # noqa: S506 - a SafeLoader


def read_yaml(path: Path) -> dict[str, Any]:
    """Read one profile file into a mapping (``extends`` not yet applied).

    Args:
        path: the YAML file.

    Returns:
        The file's top-level mapping.

    Raises:
        ProfileError: one problem naming the file, where and the fix.
    """
    text = _decode(path, read_bytes_limited(path, MAX_PROFILE_BYTES, "a profile"))
    try:
        data = _parse(text)
    except yaml.YAMLError as e:
        raise ProfileError([(str(path), "", _yaml_problem(e))]) from None
    except _Refused as e:
        raise ProfileError([(str(path), "", str(e))]) from None
    except RecursionError:
        raise ProfileError([(str(path), "", "values are nested too deeply; flatten the structure")]) from None
    if data is None:
        raise ProfileError([(str(path), "", "holds no profile (empty, or comments only); write one, e.g. "
                             "'extends: england_wales' and the keys to change")])
    if not isinstance(data, dict):
        raise ProfileError([(str(path), "", "a profile must be a YAML mapping of keys to values")])
    return data
