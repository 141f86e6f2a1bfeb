"""The worked-solution notebooks (notebooks/*.ipynb, extra ``.[notebooks]``) run on a fresh run and mark correct."""

from __future__ import annotations

from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="the notebooks extra is not installed: pip install -e '.[notebooks]'")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.parametrize("track", ["sql", "linkage", "cleaning", "analysis"])
def test_notebook_runs_and_its_answers_mark_correct(track, clean_run, clean_pack, dirty_run, dirty_pack,
                                                    monkeypatch, tmp_path):
    run, pack = (dirty_run, dirty_pack) if track == "cleaning" else (clean_run, clean_pack)
    monkeypatch.setenv("SYNTH_RUN", str(run.path))
    monkeypatch.setenv("SYNTH_PACK", str(pack))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    nb = nbformat.read(NOTEBOOKS / f"{track}.ipynb", as_version=4)
    # The last cell asserts every answer of the track is correct; a failing cell raises CellExecutionError.
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                            ).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    assert out.count(f"{track}-") >= 3 and "correct" in out
