"""Progress of long phases: a rich bar on a terminal, JSON lines for machines, nothing when quiet.

A :class:`Reporter` is handed down from the CLI (or the Python API) to the code doing the work,
which opens one :meth:`Reporter.phase` per step (shards, each exporter, the DuckDB build, each
validation check group...) and advances it. The reporter:

- draws a rich progress bar per phase on stderr when stderr is a terminal and it is not quiet;
- writes one JSON line per event to ``log_json`` when given
  (``{"phase": ..., "event": "start" | "advance" | "end", "done": ..., "total": ..., "elapsed_s": ...}``);
- keeps each phase's wall-clock duration in :attr:`Reporter.durations`, for the closing summary.

Timing is display only: nothing here is ever written into a run's data files, so the output stays
byte-identical whatever the machine's speed. :data:`SILENT` is the do-nothing default.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from synth.errors import OutputError


class Phase:
    """One running phase: call :meth:`advance` or :meth:`update` as work is done."""

    def __init__(self, reporter: Reporter, name: str, total: int | None) -> None:
        self.reporter, self.name, self.total = reporter, name, total
        self.done = 0
        self.t0 = time.perf_counter()
        self.task: Any = None

    @property
    def elapsed_s(self) -> float:
        """Seconds since the phase started."""
        return time.perf_counter() - self.t0

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units done."""
        self.update(self.done + n)

    def update(self, done: int, total: int | None = None) -> None:
        """Set how many units are done (and the total, when it becomes known)."""
        self.done = int(done)
        if total is not None:
            self.total = int(total)
        self.reporter.emit(self, "advance")


class Reporter:
    """Where progress goes: a terminal bar, a JSON-lines log, both or neither.

    Args:
        quiet: draw nothing (the JSON log is still written).
        log_json: write one JSON line per event to this file (replaced).
        terminal: draw bars; default: when stderr is a terminal.

    Raises:
        OutputError: when ``log_json`` cannot be opened for writing.
    """

    def __init__(self, *, quiet: bool = False, log_json: Path | str | None = None,
                 terminal: bool | None = None) -> None:
        self.durations: dict[str, float] = {}
        self.t0 = time.perf_counter()
        self._log: IO[str] | None = None
        if log_json is not None:
            try:
                self._log = open(log_json, "w", encoding="utf-8", buffering=1)  # noqa: SIM115 - closed by close()
            except OSError as e:
                raise OutputError(f"--log-json {log_json}: cannot be written ({e.strerror or e}); "
                                  f"give a writable file path") from None
        show = (sys.stderr.isatty() if terminal is None else terminal) and not quiet
        self._bar: Any = None
        if show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)

    @property
    def elapsed_s(self) -> float:
        """Seconds since the reporter was made (the command's wall time so far)."""
        return time.perf_counter() - self.t0

    @contextmanager
    def phase(self, name: str, total: int | None = None) -> Iterator[Phase]:
        """Time and show one phase; its ``end`` event is written even when it raises.

        Args:
            name: short, stable name (``shards``, ``duckdb``, ``validate:integrity``...).
            total: units of work, when known (None: an indeterminate bar).

        Yields:
            The :class:`Phase`, to advance.
        """
        p = Phase(self, name, total)
        if self._bar is not None:
            if not self._bar.live.is_started:
                self._bar.start()
            p.task = self._bar.add_task(name, total=total)
        self.emit(p, "start")
        try:
            yield p
        finally:
            if p.total is not None and p.done < p.total and sys.exc_info()[0] is None:
                p.done = p.total
            self.durations[name] = self.durations.get(name, 0.0) + p.elapsed_s
            self.emit(p, "end")

    def emit(self, p: Phase, event: str) -> None:
        """Show and log one event of phase ``p``."""
        if self._bar is not None and p.task is not None:
            self._bar.update(p.task, completed=p.done, total=p.total)
            if event == "end" and p.total is None:
                self._bar.update(p.task, total=max(p.done, 1), completed=max(p.done, 1))
        if self._log is not None:
            self._log.write(json.dumps({"phase": p.name, "event": event, "done": p.done, "total": p.total,
                                        "elapsed_s": round(p.elapsed_s, 3)}) + "\n")

    def close(self) -> None:
        """Stop the bar and close the log (safe to call twice)."""
        if self._bar is not None and self._bar.live.is_started:
            self._bar.stop()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: The do-nothing reporter: the default everywhere a reporter is optional.
SILENT = Reporter(quiet=True, terminal=False)
