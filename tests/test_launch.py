"""The entry point and the package's public names: cheap to import, complete when used."""

from __future__ import annotations

import pytest

import iacguard
from iacguard import _launch
from tests.conftest import run_python_probe


def test_version_answers_without_loading_the_command_line() -> None:
    loaded = run_python_probe(
        "import io, json, sys, contextlib\n"
        "sys.argv = ['iacguard', '--version']\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    from iacguard._launch import main; main()\n"
        "heavy = ('typer', 'pluggy', 'iacguard.cli', 'iacguard.graph', 'iacguard.model')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "print(json.dumps({'out': out.getvalue(), 'loaded': loaded}))"
    )
    assert loaded == {"out": f"iacguard {iacguard.__version__}\n", "loaded": []}


def test_other_arguments_go_to_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["iacguard", "--version", "--help"])
    with pytest.raises(SystemExit) as ended:
        _launch.main()
    assert ended.value.code == 0


@pytest.mark.parametrize("name", iacguard.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(iacguard, name) is not None
    assert name in dir(iacguard)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        iacguard.no_such_name  # noqa: B018
