"""The only exception types raised by synth.

Every error a user can cause is a :class:`SynthError`; the CLI turns it into one line on stderr
and exit code 2. Anything else escaping is a bug.
"""

from __future__ import annotations


class SynthError(Exception):
    """Base class for every error a user can cause."""


class ProfileError(SynthError):
    """One or more problems in a profile file, each with its file and YAML path.

    Attributes:
        problems: ``(file, path, message)`` triples, in the order found.
    """

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = list(problems)
        super().__init__(self.format())

    def format(self) -> str:
        """Return one line per problem: ``file: path: message``."""
        return "\n".join(f"{f}: {p}: {m}" if p else f"{f}: {m}" for f, p, m in self.problems)


class OutputError(SynthError):
    """The output destination cannot be written (exists without --force, not writable, ...)."""


class InputError(SynthError):
    """A command-line value is impossible (negative size, unknown format, ...)."""
