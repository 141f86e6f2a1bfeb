"""Writing the validation reports through the staged writer (synth.export.staging).

Rendering lives in :mod:`synth.validate.report`; the write is here, above both validate and export,
so it uses the one staged writer like every other output.
"""

from __future__ import annotations

from pathlib import Path

from synth.errors import OutputError
from synth.export.staging import staged_files
from synth.validate.core import CheckResult
from synth.validate.report import check_report_path, render_html, render_json


def write_reports(results: list[CheckResult], meta: dict, json_path: Path | None, html_path: Path | None,
                  options: tuple[str, str] = ("--json", "--html")) -> None:
    """Write the JSON and/or HTML report, each staged and renamed into place (an older one is replaced).

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
        try:
            with staged_files([path], force=True) as staging:
                (staging / path.name).write_text(text, encoding="utf-8")
        except (OSError, OutputError) as e:
            why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise OutputError(f"{option} {path}: cannot be written ({why}); give a writable path") from None
