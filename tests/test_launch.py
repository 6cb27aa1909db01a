"""The entry point and the package's public names: cheap to import, complete when used."""

from __future__ import annotations

import pytest

import iacguard
from iacguard import _launch
from tests.conftest import TERRAFORM, run_python_probe


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


def test_checking_a_plan_alone_imports_no_other_format() -> None:
    """Start-up budget (#15): a plan without its sources loads neither the HCL parser nor
    CloudFormation's, nor the libraries only some reports or files need."""
    loaded = run_python_probe(
        "import contextlib, io, json, os, shutil, sys, tempfile\n"
        "os.chdir(tempfile.mkdtemp())  # no configuration file, no .tf beside the plan\n"
        f"shutil.copy({str(TERRAFORM / 'clean' / 'plan.json')!r}, 'plan.json')\n"
        "sys.argv = ['iacguard', 'check', 'plan.json']\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    from iacguard._launch import main; main()\n"
        "heavy = ('lark', 'hcl2', 'cfnlint', 'yaml', 'iacguard.parsers.terraform.hcl',\n"
        "         'iacguard.parsers.cloudformation', 'xml.etree.ElementTree', 'hashlib',\n"
        "         'tomllib', 'iacguard.declarative', 'iacguard.report.junit',\n"
        "         'iacguard.checks.mfa')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))"
    )
    assert loaded == ["iacguard.report.junit", "iacguard.checks.mfa"]
