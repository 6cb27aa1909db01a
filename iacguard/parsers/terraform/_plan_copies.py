"""Computed copies in a plan made against a state, and the parts of them that separate
resources replace.

An existing ``aws_iam_role`` whose configuration does not set ``inline_policy`` or
``managed_policy_arns`` keeps the state's values of both in the plan (``planned_values``
and ``change.after``), whether the role is unchanged or updated: a copy, read from AWS at
the last refresh, of what ``aws_iam_role_policy`` and the attachments define, and of
whatever was put on the role outside Terraform. ``aws_s3_bucket.policy`` and the other
Optional+Computed policy attributes in :data:`WHOLE_COPIES` behave the same (AWS
provider 5.100.0 schema, and real plans of each type against a state).

The separate resources decide. A part of a copy is dropped when a separate resource of
the plan defines it, through its planned values or its prior ones (``change.before``):
one that is created, updated, replaced, unchanged, or deleted because its block was
removed (then the part goes away on apply). A part no separate resource defines counts:
it is still there after apply. Parts are an inline policy's ``name``, an attached
policy's ARN, or the whole document. Two kinds of resource define more than their own
part: an ``aws_iam_role_policies_exclusive`` or ``aws_iam_role_policy_attachments_exclusive``
(planned values only: deleting one changes nothing) removes from its role every inline
policy it does not list, resp. owns every attachment of the role; an
``aws_iam_policy_attachment`` owns every attachment of its policy, to any role.

An attribute set in the resource's configuration (a key of ``TfResource.literals``) is
what the user wrote, not a copy, and is kept. ``dynamic "inline_policy"`` blocks are not
in a plan's configuration expressions, so they are read as a copy: each block is kept
unless a separate ``aws_iam_role_policy`` of the same role has its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from iacguard.model import RawValue
from iacguard.parsers.terraform._terraform import ResolvedRef, TfResource


@dataclass(frozen=True, slots=True)
class WholeCopy:
    """An attribute holding one document that a separate resource may define instead."""

    #: the attribute of the owner, e.g. ``policy``
    attribute: str
    #: the owner's attributes a separate resource may name it by (``bucket``, ``id`` ...)
    keys: tuple[str, ...]
    #: separate resource type -> its attribute naming the owner
    separate: Mapping[str, str]


_KMS_KEY: Final = WholeCopy("policy", ("key_id", "id", "arn"), {"aws_kms_key_policy": "key_id"})
#: owner type -> its whole-document copy (Optional+Computed in the provider schema, with a
#: separate ``*_policy`` resource)
WHOLE_COPIES: Final[Mapping[str, WholeCopy]] = {
    "aws_s3_bucket": WholeCopy("policy", ("bucket", "id"), {"aws_s3_bucket_policy": "bucket"}),
    "aws_s3_access_point": WholeCopy(
        "policy", ("arn",), {"aws_s3control_access_point_policy": "access_point_arn"}
    ),
    "aws_sqs_queue": WholeCopy("policy", ("id", "url"), {"aws_sqs_queue_policy": "queue_url"}),
    "aws_sns_topic": WholeCopy("policy", ("arn", "id"), {"aws_sns_topic_policy": "arn"}),
    "aws_kms_key": _KMS_KEY,
    "aws_kms_external_key": _KMS_KEY,
    "aws_kms_replica_key": _KMS_KEY,
    "aws_kms_replica_external_key": _KMS_KEY,
    "aws_secretsmanager_secret": WholeCopy(
        "policy", ("arn", "id"), {"aws_secretsmanager_secret_policy": "secret_arn"}
    ),
    "aws_opensearch_domain": WholeCopy(
        "access_policies", ("domain_name",), {"aws_opensearch_domain_policy": "domain_name"}
    ),
    "aws_elasticsearch_domain": WholeCopy(
        "access_policies", ("domain_name",), {"aws_elasticsearch_domain_policy": "domain_name"}
    ),
    "aws_api_gateway_rest_api": WholeCopy(
        "policy", ("id",), {"aws_api_gateway_rest_api_policy": "rest_api_id"}
    ),
}
#: the attributes an ``aws_iam_role`` is named by in the resources below
_ROLE_KEYS: Final = ("name", "id")
#: define ``aws_iam_role.inline_policy`` blocks, by name
_INLINE_POLICY: Final = "aws_iam_role_policy"
_INLINE_EXCLUSIVE: Final = "aws_iam_role_policies_exclusive"
#: define ``aws_iam_role.managed_policy_arns`` items, by ARN
_ROLE_ATTACHMENT: Final = "aws_iam_role_policy_attachment"
_ATTACHMENT_EXCLUSIVE: Final = "aws_iam_role_policy_attachments_exclusive"
#: owns every attachment of its ``policy_arn``, to any role
_POLICY_ATTACHMENT: Final = "aws_iam_policy_attachment"
#: separate resource type -> its attribute naming the resource whose copy it defines
_NAMING: Final[Mapping[str, str]] = {
    **{t: a for copy in WHOLE_COPIES.values() for t, a in copy.separate.items()},
    _INLINE_POLICY: "role",
    _INLINE_EXCLUSIVE: "role_name",
    _ROLE_ATTACHMENT: "role",
    _ATTACHMENT_EXCLUSIVE: "role_name",
}
#: every type that defines a part of some copy
SEPARATE_TYPES: Final = frozenset({*_NAMING, _POLICY_ATTACHMENT})


@dataclass(frozen=True, slots=True)
class Separate:
    """One set of values (planned or prior) of a resource whose type is in
    :data:`SEPARATE_TYPES`."""

    type: str
    values: Mapping[str, RawValue]
    #: attribute -> the resources its expression refers to (planned values only)
    links: Mapping[str, tuple[ResolvedRef, ...]] = field(default_factory=dict)
    #: planned values (False: the prior values of a resource the plan changes or deletes)
    planned: bool = True


def drop_defined_copies(
    resources: Sequence[TfResource], separate: Iterable[Separate]
) -> tuple[TfResource, ...]:
    """*resources* with the parts of their copies that a separate resource defines removed.

    A whole document becomes None (unset); a defined ``inline_policy`` block becomes None
    in place, so that the pointer ``inline_policy[i]`` of the others still indexes the
    plan's list; a defined ARN leaves ``managed_policy_arns``.

    :param separate: the planned and prior values of the plan's separate resources.
    """
    index = _Index(separate)
    if index.empty:
        return tuple(resources)
    return tuple(_without_defined(res, index) for res in resources)


class _Index:
    """Separate resources by the values and references with which they name an owner,
    so that each owner finds its own in constant time (plans have 10,000s of them)."""

    def __init__(self, separate: Iterable[Separate]) -> None:
        #: (type, value of its naming attribute) -> records
        self._by_value: dict[tuple[str, str], list[Separate]] = {}
        #: (type, address its naming attribute refers to) -> records
        self._by_ref: dict[tuple[str, str], list[Separate]] = {}
        #: the ARNs some ``aws_iam_policy_attachment`` owns
        self.owned_arns: set[str] = set()
        for record in separate:
            if record.type == _POLICY_ATTACHMENT:
                arn = record.values.get("policy_arn")
                if isinstance(arn, str):
                    self.owned_arns.add(arn)
                continue
            attribute = _NAMING.get(record.type)
            if attribute is None:
                continue
            value = record.values.get(attribute)
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, str) and item:
                    self._by_value.setdefault((record.type, item), []).append(record)
            for ref in record.links.get(attribute, ()):
                self._by_ref.setdefault((record.type, ref.address), []).append(record)
        self.empty = not self._by_value and not self._by_ref and not self.owned_arns

    def naming(self, rtype: str, owner: TfResource, keys: tuple[str, ...]) -> list[Separate]:
        """The records of type *rtype* that name *owner* by one of its *keys* values or
        refer to it in the configuration."""
        found = {id(r): r for r in self._by_ref.get((rtype, owner.address), ())}
        for key in keys:
            value = owner.values.get(key)
            if isinstance(value, str) and value:
                found.update((id(r), r) for r in self._by_value.get((rtype, value), ()))
        return list(found.values())


def _without_defined(res: TfResource, index: _Index) -> TfResource:
    if res.mode != "managed":
        return res
    values: dict[str, RawValue] = {}
    if res.type == "aws_iam_role":
        blocks = res.values.get("inline_policy")
        if "inline_policy" not in res.literals and isinstance(blocks, tuple) and blocks:
            values["inline_policy"] = _inline_blocks(res, blocks, index)
        arns = res.values.get("managed_policy_arns")
        if "managed_policy_arns" not in res.literals and isinstance(arns, tuple) and arns:
            values["managed_policy_arns"] = _managed_arns(res, arns, index)
    elif (
        (copy := WHOLE_COPIES.get(res.type)) is not None
        and copy.attribute not in res.literals
        and res.values.get(copy.attribute) is not None
        and any(index.naming(separate_type, res, copy.keys) for separate_type in copy.separate)
    ):
        values[copy.attribute] = None
    changed = {k: v for k, v in values.items() if v != res.values.get(k)}
    return replace(res, values={**res.values, **changed}) if changed else res


def _inline_blocks(
    res: TfResource, blocks: tuple[RawValue, ...], index: _Index
) -> tuple[RawValue, ...]:
    defined = {
        name
        for record in index.naming(_INLINE_POLICY, res, _ROLE_KEYS)
        if isinstance(name := record.values.get("name"), str)
    }
    # an exclusive resource removes the inline policies it does not list when applied:
    # its planned values decide (deleting it removes nothing)
    kept: set[str] | None = None
    for record in index.naming(_INLINE_EXCLUSIVE, res, _ROLE_KEYS):
        names = record.values.get("policy_names")
        if record.planned and isinstance(names, tuple) and all(isinstance(n, str) for n in names):
            listed = {n for n in names if isinstance(n, str)}
            kept = listed if kept is None else kept & listed

    def is_defined(block: RawValue) -> bool:
        name = block.get("name") if isinstance(block, Mapping) else None
        if not isinstance(name, str):
            return False
        return name in defined or (kept is not None and name not in kept)

    return tuple(None if is_defined(block) else block for block in blocks)


def _managed_arns(
    res: TfResource, arns: tuple[RawValue, ...], index: _Index
) -> tuple[RawValue, ...]:
    if any(r.planned for r in index.naming(_ATTACHMENT_EXCLUSIVE, res, _ROLE_KEYS)):
        return ()  # it attaches the listed ARNs itself and detaches every other one
    defined = {
        arn
        for record in index.naming(_ROLE_ATTACHMENT, res, _ROLE_KEYS)
        if isinstance(arn := record.values.get("policy_arn"), str)
    }
    defined |= index.owned_arns
    return tuple(arn for arn in arns if not (isinstance(arn, str) and arn in defined))
