"""Validation reports: a JSON file for machines and one self-contained HTML page for people.

``json_report`` renders the JSON document (verdict, meta, results), ``page`` the HTML page,
``svg`` its charts, ``text`` the formatting both share and ``style`` the inline stylesheet;
:func:`write_reports` writes them, each atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from synth.errors import OutputError
from synth.validate.core import CheckResult
from synth.validate.report.json_report import render_json
from synth.validate.report.page import render_html
from synth.validate.report.svg import MAX_BARS, render_chart

__all__ = ["MAX_BARS", "check_report_path", "render_chart", "render_html", "render_json", "write_reports"]


def check_report_path(path: Path, option: str) -> Path:
    """The report destination, checked before validation starts.

    Args:
        path: where a report will be written.
        option: how the user named it (``--json``), for the message.

    Returns:
        The path.

    Raises:
        OutputError: when its folder does not exist or is not a folder, or the path is a folder.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; give a file path such as {path / 'report.json'}")
    parent = path.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise OutputError(f"{option} {path}: folder {parent} {what}; give a path in an existing folder")
    return path


def write_reports(results: list[CheckResult], meta: dict, json_path: Path | None, html_path: Path | None,
                  options: tuple[str, str] = ("--json", "--html")) -> None:
    """Write the JSON and/or HTML report (each to a temporary file renamed into place).

    Args:
        results: every check result of the run.
        meta: facts about the validation (see ``render_json``).
        json_path: where to write the JSON report; None to skip it.
        html_path: where to write the HTML report; None to skip it.
        options: how the user named the two paths, for messages.

    Raises:
        OutputError: when a report cannot be written (one line naming the option and the fix).
    """
    for path, render, option in ((json_path, render_json, options[0]), (html_path, render_html, options[1])):
        if path is None:
            continue
        path = check_report_path(Path(path), option)
        text = render(results, meta)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is an ordinary file
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except OSError as e:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            raise OutputError(f"{option} {path}: cannot be written ({e.strerror or e}); "
                              f"give a writable path") from None
