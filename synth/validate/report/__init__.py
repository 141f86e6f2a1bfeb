"""Validation reports: a JSON file for machines and one self-contained HTML page for people.

``json_report`` renders the JSON document (verdict, meta, results), ``page`` the HTML page,
``svg`` its charts, ``text`` the formatting both share and ``style`` the inline stylesheet;
``synth.cli.report_files.write_reports`` writes them through the staged writer.
"""

from __future__ import annotations

from pathlib import Path

from synth.errors import OutputError
from synth.validate.report.json_report import render_json
from synth.validate.report.page import render_html
from synth.validate.report.svg import MAX_BARS, render_chart

__all__ = ["MAX_BARS", "check_report_path", "render_chart", "render_html", "render_json"]


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
