"""Bad input to synth.generate raises the typed SynthError whose message the CLI prints after 'error: '."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import synth
from synth.cli.main import cli
from synth.errors import InputError, OutputError, ProfileError

CASES = [
    # (API keyword arguments, CLI arguments after `generate`, exception type)
    ({"profile": "training_small", "families": 0}, ["training_small", "-n", "0"], InputError),
    ({"profile": "training_small", "seed": -1}, ["training_small", "-s", "-1"], InputError),
    ({"profile": "training_small", "workers": 0}, ["training_small", "-w", "0"], InputError),
    ({"profile": "no_such_profile"}, ["no_such_profile"], ProfileError),
    ({"profile": "training_small", "agencies": ["familymen"]}, ["training_small", "--agencies", "familymen"],
     InputError),
    ({"profile": "training_small", "errors": -0.5}, ["training_small", "--errors", "-0.5"], InputError),
]


def cli_stderr(args: list[str]) -> str:
    res = CliRunner().invoke(cli, ["generate", *args])
    assert res.exit_code == 2, res.output
    return res.stderr.strip()


@pytest.mark.parametrize(("kwargs", "args", "kind"), CASES, ids=[c[1][-1] for c in CASES])
def test_the_api_raises_the_message_the_cli_prints(kwargs, args, kind, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(kind) as e:
        synth.generate(**kwargs, out=out)
    assert f"error: {e.value}" == cli_stderr([*args, "-o", str(out)])
    assert not out.exists()


def test_an_existing_out_folder_is_refused_as_by_the_cli(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(OutputError) as e:
        synth.generate("training_small", families=10, out=out)
    assert f"error: {e.value}" == cli_stderr(["training_small", "-n", "10", "-o", str(out)])
    assert (out / "mine.txt").read_text() == "keep me"


def test_a_failed_temporary_run_leaves_no_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(InputError):
        synth.generate("training_small", agencies=["nope"])
    assert list(tmp_path.iterdir()) == []


def test_a_non_integer_size_is_refused():
    with pytest.raises(InputError, match="--families 2.5 is not a whole number"):
        synth.generate("training_small", families=2.5)
