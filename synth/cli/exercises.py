"""``synth exercises``: a teaching pack from a run, and the checker of learners' answers.

``synth exercises RUN --out DIR`` (also ``synth exercises make RUN ...``) writes the pack;
``synth exercises check PACK ANSWERS`` marks a folder of answers: exit 0 when all are right, 1 when
some are wrong or missing, 2 for bad input (one line on stderr).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from synth.exercises import TRACKS


class ExercisesGroup(click.Group):
    """A group whose first argument is a run unless it names a subcommand (``check``, ``make``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Route ``synth exercises RUN ...`` to ``make``."""
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["make", *args]
        return super().parse_args(ctx, args)


@click.group("exercises", cls=ExercisesGroup)
def exercises() -> None:
    """Exercises with exact answer keys from a run (SQL, linkage, cleaning, analysis), and a checker.

    \b
    synth exercises RUN --out DIR [--track sql|linkage|cleaning|analysis] [--level 1-3] [--force]
    synth exercises check PACK ANSWERS
    """


@exercises.command("make")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(path_type=Path), help="The pack folder to write.")
@click.option("--track", type=click.Choice(TRACKS), default=None, help="Only this track (default: all four).")
@click.option("--level", type=click.IntRange(1, 3), default=None,
              help="Only exercises of difficulty up to this; hints: 3 at level 1, 2 at level 2, 1 at level 3 "
                   "(default: every exercise, every hint).")
@click.option("--force", is_flag=True, help="Replace an existing pack.")
def make_cmd(run_dir: Path, out: Path, track: str | None, level: int | None, force: bool) -> None:
    """Write the exercises of RUN_DIR (Markdown) and their answer key (answers/*.csv) into --out."""
    from synth.exercises.pack import write_pack

    start = time.perf_counter()
    doc = write_pack(run_dir, out, track, level, force)
    for e in doc["exercises"]:
        click.echo(f"{e['id']:<12} {e['track']:<9} level {e['level']}  {e['rows']:>4} key rows  {e['title']}")
    for s in doc["skipped"]:
        click.echo(f"{s['id']:<12} skipped: {s['why']}")
    click.echo(f"wrote {len(doc['exercises'])} exercises to {out} in {time.perf_counter() - start:.1f} s "
               f"(answer key in {out}/answers; check answers with: synth exercises check {out} ANSWERS)")


@exercises.command("check")
@click.argument("pack", type=click.Path(path_type=Path))
@click.argument("answers", type=click.Path(path_type=Path))
def check_cmd(pack: Path, answers: Path) -> None:
    """Mark ANSWERS (a folder of <id>.csv or <id>.sql files) against PACK's key.

    Exit 0 when every exercise is right, 1 when some are wrong or unanswered, 2 for bad input.
    """
    from synth.exercises.check import check_answers

    marks, _ = check_answers(pack, answers)
    for m in marks:
        click.echo(f"{m.id:<12} {m.status.upper():<8} {'; '.join(m.feedback)}")
    right = sum(m.status == "correct" for m in marks)
    click.echo(f"score {right}/{len(marks)}")
    sys.exit(0 if right == len(marks) else 1)
