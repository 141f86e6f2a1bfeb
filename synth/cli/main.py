"""The ``synth`` command: a thin click layer over the library.

Every :class:`~synth.errors.SynthError` becomes one line per problem on stderr and exit code 2;
anything else is a bug and keeps its traceback. SIGINT and SIGTERM unwind the command (so its
staging folder is removed) and exit 130 and 143.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import click

from synth.cli.exercises import exercises
from synth.cli.fit import fit_cmd, sample_cmd
from synth.cli.generate import generate_cmd
from synth.cli.learn import learn_cmd
from synth.cli.linkage import linkage
from synth.cli.profiles import profiles
from synth.cli.returns import returns_cmd
from synth.cli.sql import sql_cmd
from synth.cli.validate import validate_cmd
from synth.errors import SynthError


class Terminated(BaseException):
    """Raised in the main thread by SIGTERM, so ``finally`` blocks and staging clean-up run."""


def _on_signal(signum: int, frame: object) -> None:
    # Further signals are ignored while the command cleans up (a second Ctrl-C must not leave a
    # half-removed staging folder).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt if signum == signal.SIGINT else Terminated


def install_signal_handlers() -> None:
    """Make SIGINT and SIGTERM raise in the main thread (exit 130 and 143 after clean-up)."""
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)


class SynthGroup(click.Group):
    """A group that turns user errors into a clean message and exit code 2, and signals into 130/143."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SynthError as e:
            for line in str(e).splitlines() or [type(e).__name__]:
                click.echo(f"error: {line}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("error: interrupted (SIGINT); unfinished output removed", err=True)
            sys.exit(130)
        except Terminated:
            click.echo("error: terminated (SIGTERM); unfinished output removed", err=True)
            sys.exit(143)


@click.group(cls=SynthGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="family-justice-synth", prog_name="synth")
def cli() -> None:
    """Synthetic, linked family-justice data for England and Wales."""


cli.add_command(generate_cmd)
cli.add_command(learn_cmd)
cli.add_command(fit_cmd)
cli.add_command(sample_cmd)
cli.add_command(profiles)
cli.add_command(validate_cmd)
cli.add_command(linkage)
cli.add_command(returns_cmd)
cli.add_command(sql_cmd)
cli.add_command(exercises)


def main() -> None:
    """Console-script entry point."""
    install_signal_handlers()
    cli()
