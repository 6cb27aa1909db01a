"""Input discovery and parsing: every supported format becomes a :class:`ParsedInput`.

Formats and how they are recognised (cheaply, without importing a format's parser):

- Terraform plan JSON: a ``.json`` object with ``format_version`` and plan keys;
- CloudFormation: a ``.json``/``.yaml``/``.yml``/``.template`` file with a top-level
  ``Resources`` mapping (``parsers.cloudformation.looks_like_template``);
- Terraform HCL: a directory holding ``.tf`` or ``.tf.json`` files that is a root
  module, i.e. not only a local module called by another root
  (``parsers.terraform.hcl.terraform_roots``); its ``.tfvars.json`` files are read with
  it. A plan JSON inside such a root is scanned with the root as its source, and the
  root is then not scanned again as HCL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from iacguard._repository import repository_root
from iacguard.budget import WorkBudget
from iacguard.coverage import NotEvaluated
from iacguard.errors import ParseError, UnsupportedInputError
from iacguard.graph import Graph
from iacguard.model import SourceKind
from iacguard.parsers._source import load_json, read_text
from iacguard.parsers.terraform._hcl_files import has_config_files, is_config_file
from iacguard.results import Diagnostic, Suppression

#: directories never searched for inputs
_SKIPPED_DIRS: Final = frozenset(
    {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
)
#: file suffixes that may hold a plan or a template
_DATA_SUFFIXES: Final = frozenset({".json", ".yaml", ".yml", ".template", ".csv"})


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file (or, for HCL, a directory) to scan, and how reports name it."""

    path: Path
    #: relative to the working directory when below it, POSIX separators
    display: PurePosixPath
    #: named by the user (an error if unsupported) rather than found in a directory
    #: (skipped with a note if unsupported)
    explicit: bool = True
    #: for a plan: the Terraform root directory it was made from, when known
    source: Path | None = None
    #: for a Terraform root: ``--var-file`` files, read after its own ``*.tfvars``
    var_files: tuple[Path, ...] = ()
    #: what discovery says about how it takes this input (a module scanned as a root)
    note: str | None = None
    #: why this input is not read at all (a symbolic link that leaves the scanned
    #: directory), for a WARNING; :func:`parse` refuses it
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedInput:
    """What a parser makes of one input."""

    kind: SourceKind
    graph: Graph
    #: accepted risks written in the input itself (comments, metadata)
    suppressions: tuple[Suppression, ...] = ()
    #: remarks about the input that do not stop the scan (NOTE or WARNING level), or
    #: parts of it that could not be read (ERROR level: the scan is incomplete)
    notes: tuple[Diagnostic, ...] = ()
    #: what the parser could not evaluate and the graph does not show as Unknown
    #: (modules not followed, unknown ``count``, SAM policy templates); see
    #: ``coverage.of_graph`` for the rest
    not_evaluated: tuple[NotEvaluated, ...] = ()


def display_path(path: Path) -> PurePosixPath:
    """*path* as every report, baseline and fingerprint names it: relative to the root of
    the git repository holding it (the same from any working directory, as code scanning
    and baselines need), else relative to the working directory when below it, else
    absolute."""
    resolved = path.resolve()
    for base in (repository_root(resolved), Path.cwd().resolve()):
        if base is not None and resolved.is_relative_to(base):
            return PurePosixPath(resolved.relative_to(base).as_posix())
    return PurePosixPath(resolved.as_posix())


def discover(paths: Iterable[Path]) -> Iterator[InputFile]:
    """The inputs under *paths*, in sorted order, each once.

    A file is taken as given (a ``.tf`` or ``.tf.json`` file stands for its directory).
    A directory is searched for plan and template files and for Terraform root modules.
    A Terraform root whose plan is among the inputs is read as that plan's source only,
    so a plan committed beside its ``.tf`` files (both named, as pre-commit does) is
    reported once.

    :raises UnsupportedInputError: a path does not exist, or a directory holds no
        candidate input.
    """
    found = list(_inputs(paths))
    planned = {s.source.resolve() for s in found if s.source is not None and _is_plan_file(s.path)}
    seen: set[Path] = set()
    for source in found:
        resolved = source.path.resolve()
        if resolved in seen or (source.path.is_dir() and resolved in planned):
            continue
        seen.add(resolved)
        yield source


def _inputs(paths: Iterable[Path]) -> Iterator[InputFile]:
    """The inputs of each path in turn (see :func:`discover`), repeats included, but the
    directory of several ``.tf`` files named (a pre-commit hook names each one) is
    searched once."""
    searched: set[Path] = set()
    for path in paths:
        if path.is_file() and is_config_file(path):
            if path.parent.resolve() in searched:
                continue
            searched.add(path.parent.resolve())
            found = list(_terraform_inputs([path.parent], explicit=True))
            yield from found or [_module_as_root(path.parent)]
        elif path.is_file():
            yield InputFile(path, display_path(path), source=_source_dir(path))
        elif path.is_dir():
            found = list(_directory_inputs(path))
            if _called_as_module(path, found):
                found.append(_module_as_root(path))
            if not found:
                raise UnsupportedInputError(path, "directory holds nothing iacguard can scan")
            yield from found
        else:
            raise UnsupportedInputError(path, "no such file or directory")


def _called_as_module(directory: Path, found: list[InputFile]) -> bool:
    """True when *directory* holds ``.tf`` files that discovery dropped as a local module
    called from a parent directory: *found* holds no Terraform root at all, neither
    *directory* nor one below it that may be its caller (``examples/complete`` calling
    ``../..``, which then scans the module through it)."""
    if not has_config_files(directory):
        return False
    return not any(f.path.is_dir() or f.source is not None for f in found)


def _module_as_root(directory: Path) -> InputFile:
    """A module directory named on the command line, taken as a root module (#17): what
    its caller would pass in is not known, so variables without a default are unknown."""
    display = display_path(directory)
    note = (
        f"{display}: scanned as a root module, with its variables unknown unless they have "
        "a default (it is called as a module from a parent directory)"
    )
    return InputFile(directory, display, explicit=True, note=note)


def _source_dir(plan: Path) -> Path | None:
    """The directory of a plan file when it is a Terraform root (holds ``.tf`` or
    ``.tf.json`` files)."""
    directory = plan.parent
    return directory if has_config_files(directory) else None


def _directory_inputs(directory: Path) -> Iterator[InputFile]:
    files: list[Path] = []
    tf_dirs: set[Path] = set()
    root = directory.resolve()
    seen: set[Path] = set()  # a file and a link to it inside the tree are one input
    for entry in sorted(directory.rglob("*")):
        if _SKIPPED_DIRS.intersection(entry.relative_to(directory).parts):
            continue
        resolved = entry.resolve()
        if entry.is_symlink() and not resolved.is_relative_to(root):
            yield _outside_link(entry, directory)
            continue
        if not entry.is_file() or resolved in seen:
            continue
        seen.add(resolved)
        if is_config_file(entry):
            tf_dirs.add(entry.parent)
        elif entry.suffix in _DATA_SUFFIXES:
            files.append(entry)
    # variable files are read with their root, not scanned alone
    files = [f for f in files if not (f.name.endswith(".tfvars.json") and f.parent in tf_dirs)]
    planned_roots = {f.parent for f in files if f.parent in tf_dirs and _is_plan_file(f)}
    for file in files:
        source = file.parent if file.parent in tf_dirs else None
        yield InputFile(file, display_path(file), explicit=False, source=source)
    yield from _terraform_inputs(sorted(tf_dirs - planned_roots), explicit=False)


def _outside_link(link: Path, directory: Path) -> InputFile:
    """A symbolic link found in *directory* whose target is outside it: not followed,
    so that a scanned tree cannot make iacguard read (and report on) files elsewhere."""
    display = display_path(link.parent) / link.name  # the link, not its target
    reason = f"{display}: symbolic link to a path outside {display_path(directory)}, not followed"
    return InputFile(link, display, explicit=False, refused=reason)


#: how much of a file is read to tell a plan from other JSON
_SNIFF_BYTES: Final = 4096


def _is_plan_file(path: Path) -> bool:
    """True when *path* looks like ``terraform show -json`` output (which starts with
    ``format_version`` and ``terraform_version``), not a policy or data file that a
    Terraform root reads with ``file()``."""
    if path.suffix != ".json":
        return False
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError:
        return False
    text = head.decode("utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", "ignore")
    return '"format_version"' in text and '"terraform_version"' in text


def _terraform_inputs(directories: list[Path], *, explicit: bool) -> Iterator[InputFile]:
    if not directories:
        return
    from iacguard.parsers.terraform import hcl

    for root in hcl.terraform_roots(directories):
        yield InputFile(root, display_path(root), explicit=explicit)


def parse(source: InputFile, budget: WorkBudget | None = None) -> ParsedInput:
    """Parse one input into its IAM graph.

    :param budget: the scan's work budget (a fresh default one when None).
    :raises ParseError: the input is not valid for its format, or nested deeper than
        the parsers follow.
    :raises UnsupportedInputError: the input is in no supported format, or is
        :attr:`InputFile.refused`.
    :raises WorkBudgetExhausted: evaluating or resolving the input spent the budget.
    """
    if source.refused:
        raise UnsupportedInputError(source.path, source.refused)
    try:
        return _parse(source, budget or WorkBudget())
    except RecursionError as err:
        raise ParseError(source.path, "input nested too deeply") from err


def _parse(source: InputFile, budget: WorkBudget) -> ParsedInput:
    if source.path.is_dir():
        from iacguard.parsers.terraform import hcl

        return hcl.parse_directory(source.path, source.display, budget, source.var_files)
    from iacguard.parsers.terraform import _binary_plan

    if source.explicit and _binary_plan.is_binary_plan(source.path):
        from iacguard.parsers.terraform import plan as tfplan

        data = load_json(_binary_plan.show_json(source.path), source.path)
        if not tfplan.looks_like_plan(data):
            raise ParseError(source.path, "terraform show -json gave no plan")
        config = tfplan.read_plan(data, source.path, source.display)
        return tfplan.plan_graph(config, source.display, source.source, budget)
    text = read_text(source.path)
    if source.path.suffix == ".csv":
        from iacguard.parsers.account import _credential_report as credentials

        if not credentials.looks_like_csv_report(text):
            raise UnsupportedInputError(source.path, _NOT_IAC)
        report = credentials.read_csv_report(text, source.path, source.display)
        return credentials.parsed_report(report)
    is_template = False
    if source.path.suffix == ".json":
        try:
            data = load_json(text, source.path)
        except ParseError as err:
            from iacguard.parsers.account import _authorization_details as snapshot

            if snapshot.MARKER in text:  # paginated output: pages one after another
                pages = snapshot.split_pages(text, source.path)
                if snapshot.looks_like_authorization_details(pages):
                    return snapshot.parse_authorization_details(pages, source.display)
            # a broken plan or template is an error; tsconfig.json (JSON with comments),
            # an empty file or other data found in a directory is skipped (#17)
            if source.explicit or _looks_like_iac(text):
                raise
            raise UnsupportedInputError(source.path, f"{_NOT_IAC} ({err.message})") from err
        from iacguard.parsers.account import _authorization_details as snapshot
        from iacguard.parsers.account import _credential_report as credentials
        from iacguard.parsers.terraform import plan as tfplan

        if snapshot.looks_like_authorization_details(data):
            return snapshot.parse_authorization_details(data, source.display)
        if credentials.looks_like_api_report(data):
            report = credentials.read_api_report(data, source.path, source.display)
            return credentials.parsed_report(report)
        if tfplan.looks_like_plan(data):
            del text  # only the decoded plan is needed now; free both as early as possible
            config = tfplan.read_plan(data, source.path, source.display)
            del data
            return tfplan.plan_graph(config, source.display, source.source, budget)
        is_template = isinstance(data, dict) and "Resources" in data
    from iacguard.parsers.cloudformation import template as cloudformation

    if is_template or cloudformation.looks_like_template(source.path, text):
        return cloudformation.parse_template(source.path, source.display, text, budget)
    raise UnsupportedInputError(source.path, _NOT_IAC)


#: why a file is not scanned
_NOT_IAC: Final = (
    "not a Terraform plan (terraform show -json), a CloudFormation template or an AWS"
    " credential report"
)
#: text a plan or a template has even when it is not valid JSON
_IAC_MARKERS: Final = re.compile(r'"(?:format_version|AWSTemplateFormatVersion|Resources)"\s*:')


def _looks_like_iac(text: str) -> bool:
    """True when undecodable JSON *text* still looks like a plan or a template, whose
    error must be reported rather than skipped."""
    return _IAC_MARKERS.search(text) is not None
