"""The two sides of a change, each scanned like ``check`` does: the state a plan starts
from and the plan itself, or a git revision of the sources and the working tree.

Each side is an ordinary :func:`~iacguard.engine.scan` (same checks, suppressions,
severities) that also keeps the analysis of each input's graph (the
:class:`~iacguard.analysis.analyzer.Analyzer` its checks used), for the comparison. A git
revision is read with ``git archive`` into a temporary directory: the user's working
tree, index and branch are never touched. Its inputs are named as the same files of the
working tree are, so that the two sides pair up.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from iacguard.analysis.analyzer import Analyzer
from iacguard.budget import WorkBudget
from iacguard.catalog import default_catalog
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.errors import ConfigError, UnsupportedInputError
from iacguard.graph import Graph
from iacguard.parsers import InputFile, ParsedInput, display_path, parse
from iacguard.registry import CheckRegistry
from iacguard.results import Diagnostic, Finding

#: why ``diff`` without ``--base`` refuses an input
_NOT_A_PLAN: Final = (
    "not a Terraform plan (terraform show -json); compare Terraform sources and "
    "CloudFormation templates with --base REV"
)
#: how long one git command may run
_GIT_TIMEOUT: Final = 120


@dataclass(slots=True)
class Side:
    """One side of the change: its scan and the analysis of each input's graph, by input
    name (the analyzer the scan's checks used, so that the comparison reuses their
    answers)."""

    result: ScanResult | None = None
    analyzers: dict[str, Analyzer] = field(default_factory=dict)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings of the side (none for a side with no input)."""
        return self.result.findings if self.result else ()


def before_side(
    paths: Sequence[Path], registry: CheckRegistry, options: ScanOptions, base: str | None
) -> Side:
    """The side before the change: *paths* at git revision *base* (:func:`base_side`) or,
    without one, the state each plan of *paths* starts from.

    :raises ConfigError: without *base*, a path is not a plan file (sources and templates
        need ``--base``); with it, see :func:`base_side`.
    """
    if base is not None:
        return base_side(base, paths, registry, options)
    for path in paths:
        if not path.is_file():
            raise ConfigError(f"{path}: {_NOT_A_PLAN}")
    return _scan_side(paths, registry, options, parse_before)


def after_side(
    paths: Sequence[Path], registry: CheckRegistry, options: ScanOptions, base: str | None = None
) -> Side:
    """The side after the change: *paths* as they are (the plans, the working tree).

    With a git revision *base*, a path the change deletes (it exists only at *base*) has
    an empty side after.
    """
    existing = [path for path in paths if path.exists()] if base is not None else paths
    return _scan_side(existing, registry, options, parse) if existing else Side()


def parse_before(source: InputFile, budget: WorkBudget | None = None) -> ParsedInput:
    """The graph of the state the plan *source* was made against
    (:mod:`iacguard.parsers.terraform._plan_before`); empty for a first apply.

    :param budget: the scan's work budget (a fresh default one when None).
    """
    from iacguard.parsers._source import load_json, read_text
    from iacguard.parsers.terraform import plan as tfplan
    from iacguard.parsers.terraform._plan_before import before_plan, with_prior_literals

    if source.path.suffix != ".json":
        raise UnsupportedInputError(source.path, _NOT_A_PLAN)
    data = load_json(read_text(source.path), source.path)
    if not isinstance(data, dict) or not tfplan.looks_like_plan(data):
        raise UnsupportedInputError(source.path, _NOT_A_PLAN)
    config = tfplan.read_plan(before_plan(data), source.path, source.display)
    del data
    return tfplan.plan_graph(with_prior_literals(config), source.display, source.source, budget)


def base_side(
    revision: str, paths: Sequence[Path], registry: CheckRegistry, options: ScanOptions
) -> Side:
    """*paths* at git *revision*, named as the same files of the working tree.

    A path that does not exist at *revision*, or holds nothing to scan there, has an
    empty side before.

    :raises ConfigError: not in a git repository, an unknown revision, a path outside
        the repository or in neither the working tree nor the revision.
    """
    if revision.startswith("-"):
        raise ConfigError(f"--base {revision}: a revision cannot start with '-'")
    root = _repository_root(paths[0] if paths else Path.cwd())
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if commit is None:
        raise ConfigError(f"--base {revision}: no such git revision")
    relative = [_inside(root, path) for path in paths]
    with _extracted(root, commit.strip(), relative) as tree:
        present = [tree / rel for rel in relative if (tree / rel).exists()]
        for path, rel in zip(paths, relative, strict=True):
            if not path.exists() and not (tree / rel).exists():
                raise ConfigError(f"{path}: no such file or directory, here or at {revision}")
        if not present:
            return Side()

        def rename(source: InputFile) -> InputFile:
            display = display_path(root / source.path.relative_to(tree))
            return dataclasses.replace(source, display=display)

        try:
            before = _scan_side(present, registry, options, parse, rename)
        except UnsupportedInputError:  # nothing to scan at the revision
            return Side()
    if before.result is not None:
        located = tuple(_relocated(f, tree, root) for f in before.result.findings)
        before.result = dataclasses.replace(before.result, findings=located)
    return before


def _relocated(finding: Finding, tree: Path, root: Path) -> Finding:
    """*finding* of the extracted revision, located at the working tree's file (a plan's
    source files are named from the temporary tree)."""
    file = Path(finding.location.file)
    if not file.is_absolute() or not file.is_relative_to(tree):
        return finding
    location = dataclasses.replace(
        finding.location, file=display_path(root / file.relative_to(tree))
    )
    return dataclasses.replace(finding, location=location)


def _scan_side(
    paths: Sequence[Path],
    registry: CheckRegistry,
    options: ScanOptions,
    parser: Callable[[InputFile, WorkBudget], ParsedInput],
    rename: Callable[[InputFile], InputFile] | None = None,
) -> Side:
    side = Side()
    catalog = default_catalog()
    graphs: dict[str, Graph] = {}
    analyzed: dict[int, Analyzer] = {}  # id of a graph -> the analyzer the checks used

    def keep(source: InputFile, budget: WorkBudget) -> ParsedInput:
        if rename is not None:
            source = rename(source)
        parsed = parser(source, budget)
        graphs[str(source.display)] = parsed.graph
        return parsed

    def remember(analyzer: Analyzer) -> None:
        analyzed[id(analyzer.graph)] = analyzer
        if options.analyzed is not None:
            options.analyzed(analyzer)

    side.result = scan(
        paths,
        registry,
        dataclasses.replace(options, parser=keep, analyzed=remember),
        catalog=catalog,
    )
    for name, graph in graphs.items():
        # the checks of an input in an account's context ran on the merged graph
        found = analyzed.get(id(graph))
        side.analyzers[name] = (
            found if found is not None and found.graph is graph else Analyzer(graph, catalog)
        )
    return side


def _repository_root(path: Path) -> Path:
    where = path if path.is_dir() else path.parent
    found = _git(where if where.exists() else Path.cwd(), "rev-parse", "--show-toplevel")
    if found is None:
        raise ConfigError(f"--base: {path} is not in a git repository")
    return Path(found.strip()).resolve()


def _inside(root: Path, path: Path) -> Path:
    try:
        return path.resolve().relative_to(root)
    except ValueError:
        raise ConfigError(f"--base: {path} is outside the git repository {root}") from None


def _git(where: Path, *args: str) -> str | None:
    """The output of a git command in *where*; None when it fails."""
    git = shutil.which("git")
    if git is None:
        raise ConfigError("--base needs git, which is not on PATH")
    try:
        done = subprocess.run(
            [git, "-C", str(where), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


@contextmanager
def _extracted(root: Path, commit: str, paths: Sequence[Path]) -> Iterator[Path]:
    """A temporary directory holding *paths* of *commit*, removed afterwards; a path
    that does not exist at the commit is left out."""
    with tempfile.TemporaryDirectory(prefix="iacguard-base-") as workdir:
        tree = Path(workdir) / "tree"
        tree.mkdir()
        archive = Path(workdir) / "base.tar"
        for rel in paths:
            spec = rel.as_posix() if rel.parts else "."
            if rel.parts and _git(root, "cat-file", "-e", f"{commit}:{spec}") is None:
                continue
            _archive(root, commit, spec, archive)
            with tarfile.open(archive) as tar:
                _extract(tar, tree)
        yield tree.resolve()


def _extract(tar: tarfile.TarFile, tree: Path) -> None:
    """Extract *tar* into *tree*, refusing members that would land outside it (links,
    absolute names, ``..``): the ``data`` filter where Python has it (3.11.4+), else
    the same refusal by hand, with links skipped."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(tree, filter="data")
        return
    for member in tar.getmembers():
        target = (tree / member.name).resolve()
        if (member.isfile() or member.isdir()) and target.is_relative_to(tree.resolve()):
            tar.extract(member, tree)


def _archive(root: Path, commit: str, spec: str, target: Path) -> None:
    git = shutil.which("git") or "git"
    done = subprocess.run(
        [git, "-C", str(root), "archive", "--format=tar", f"--output={target}", commit, "--", spec],
        capture_output=True,
        text=True,
        timeout=_GIT_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1:] or ["git archive failed"]
        raise ConfigError(f"--base: cannot read {spec} at {commit[:12]}: {message[0]}")


def side_diagnostics(*sides: Side) -> Iterator[Diagnostic]:
    """The diagnostics of the sides' scans, each once."""
    seen: set[Diagnostic] = set()
    for side in sides:
        for diagnostic in side.result.diagnostics if side.result else ():
            if diagnostic not in seen:
                seen.add(diagnostic)
                yield diagnostic
