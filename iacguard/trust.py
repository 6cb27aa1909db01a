"""What a scanned tree may not do through iacguard (#13): have a report written over
one of its files, or choose code to run through a configuration file it brings.

The tree may come from a stranger's pull request, and so may the ``.iacguard.toml`` in
it: :mod:`iacguard.config` leaves the plugin settings of a file out unless the command
line allows them, and :func:`blocked_settings` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from iacguard.errors import ConfigError
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel

if TYPE_CHECKING:
    from iacguard.config import Config


def refuse_input_outputs(outputs: Iterable[Path], inputs: Iterable[Path]) -> None:
    """Refuse an output file that is one of *inputs* (the same file, also through a
    link; for a Terraform directory, one of its ``.tf`` files): a report never
    overwrites what it reports on.

    :raises ConfigError: naming the first such output.
    """
    taken: set[tuple[int, int]] = set()
    for path in inputs:
        files = [*path.glob("*.tf"), *path.glob("*.tf.json")] if path.is_dir() else [path]
        taken.update(filter(None, map(_file_id, files)))
    for output in outputs:
        if _file_id(output) in taken:
            raise ConfigError(f"{output}: is an input of this scan, not overwritten with a report")


def _file_id(path: Path) -> tuple[int, int] | None:
    """Device and inode of an existing file (the same for every name of it)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def blocked_settings(settings: Config) -> Iterator[Diagnostic]:
    """One WARNING (``IAM004``) for the plugin settings of a configuration file that
    were not applied (:attr:`Config.blocked`)."""
    from iacguard.parsers import display_path

    if settings.blocked and settings.source:
        keys = "; ".join(f"{key} = {list(values)}" for key, values in settings.blocked.items())
        message = (
            f"{display_path(settings.source)}: not applied without --allow-config-plugins "
            f"(a configuration file may come from the scanned tree): {keys}"
        )
        yield Diagnostic(DiagnosticLevel.WARNING, DiagnosticCode.PLUGIN_PROBLEM, message)
