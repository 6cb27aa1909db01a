"""Resource (ARN) matching for IAM statements: which resources an action can act on, and
whether a statement's ``Resource`` or ``NotResource`` globs name them.

Pure functions over strings; they know nothing of the graph.  An action's *usable* resources
are globs built from the catalog's ARN formats by :func:`format_glob`; a statement's resources
are the globs written in its ``Resource`` (or ``NotResource``) element.  Every comparison is
case-sensitive and uses :mod:`iacguard._glob`, where ``*`` spans ``:`` and ``/`` and only
``*`` and ``?`` are special.  Policy variables (``${aws:username}``) are literal text here;
callers that want them to stand for any value substitute ``*`` first.

Fields: the wildcards of a usable glob stand for a partition, region, account, name or ID,
none of which holds a colon, so they match no colon; without that,
``arn:aws:ec2:us-east-1:123456789012:instance/*`` would meet
``arn:aws*:ec2:*:????????????:security-group/*`` through a "region" spanning
``us-east-1:123456789012:instance/...``, and ``arn:aws:iam::*:role/*`` would meet the
policies' glob through a policy name holding ``:role/``.  The statement's own globs keep
IAM's meaning, where ``*`` spans colons (``arn:*`` names everything).

Partitions: a usable glob allows any partition (``arn:aws*:``), but a policy is evaluated in
one partition, and a statement that writes ``arn:aws:`` speaks of every resource of the
``aws`` partition.  So :func:`covers_every` asks the
question one partition at a time, for each of :data:`PARTITIONS`, and answer for the partition
in which the statement's globs cover the most: ``arn:aws:iam::*:role/*`` covers every role, as
``arn:aws-cn:iam::*:role/*`` does for a policy deployed in China.  :func:`reaches` needs no
such care: some partition sharing an ARN is all it asks.

Reserved resources: an ARN format can name resources that no customer can act on with a
given action, whatever a policy grants.  Service-linked roles (path ``/aws-service-role/``)
are roles, yet their trust and permissions policies are set by their service alone: IAM
answers ``UnmodifiableEntity`` to ``iam:PutRolePolicy`` on them.  :func:`reserved_resources`
lists such globs per action and :func:`reaches_unreserved` asks whether a ``Resource``
element names a usable resource outside them.

Nothing is remembered here: the functions take the glob comparisons to use
(:class:`GlobRelations`, exact ones by default), and a scan passes memoised ones and keeps
its answers in its :class:`~iacguard.analysis.matching.Matching`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from iacguard._glob import glob_contains, glob_match, globs_intersect
from iacguard.catalog import ActionCatalog
from iacguard.managed_policies import PARTITIONS

__all__ = [
    "EXACT",
    "PARTITIONS",
    "GlobRelations",
    "covers_every",
    "format_glob",
    "meets_usable",
    "reaches",
    "reaches_unreserved",
    "reserved_resources",
    "usable_resources",
]


#: What ``${Partition}`` becomes: every partition's name starts with ``aws``.
PARTITION_GLOB: Final = "aws*"
#: What ``${Account}`` becomes: a twelve-digit account ID, never the ``aws`` of AWS-owned
#: resources such as ``arn:aws:iam::aws:policy/AdministratorAccess``.
ACCOUNT_GLOB: Final = "?" * 12
#: The resource a request names when the action supports no resource-level permissions.
ANY_RESOURCE: Final = "*"

_PLACEHOLDER: Final = re.compile(r"\$\{([^{}]*)\}")
_BY_PLACEHOLDER: Final = {"Partition": PARTITION_GLOB, "Account": ACCOUNT_GLOB, "Region": "*"}
_PARTITION_PREFIX: Final = f"arn:{PARTITION_GLOB}:"
#: a usable glob's wildcards stand for names and IDs, which hold no colon: bound them in
#: every field (more fields than any ARN format has)
_ARN_BOUNDED_FIELDS: Final = 64
_ARN_SEPARATOR: Final = ":"
#: the index of the account among an ARN's fields
_ACCOUNT_FIELD: Final = 4
#: Service-linked roles, in any partition and account: the role ARN's path starts with
#: ``/aws-service-role/`` (IAM User Guide, "Using service-linked roles").
SERVICE_LINKED_ROLES: Final = "arn:aws*:iam::*:role/aws-service-role/*"
#: The actions that change a role's permissions or trust, which IAM refuses on a
#: service-linked role (``UnmodifiableEntity``): lower-cased action -> reserved globs.
_RESERVED: Final = {
    action: (SERVICE_LINKED_ROLES,)
    for action in (
        "iam:putrolepolicy",
        "iam:deleterolepolicy",
        "iam:attachrolepolicy",
        "iam:detachrolepolicy",
        "iam:updateassumerolepolicy",
        "iam:putrolepermissionsboundary",
        "iam:deleterolepermissionsboundary",
    )
}


def account_of(arn: object) -> str:
    """The account field of an ARN (``111122223333`` in
    ``arn:aws:iam::111122223333:role/x``); empty when it has none or is not a string."""
    if not isinstance(arn, str):
        return ""
    fields = arn.split(_ARN_SEPARATOR)
    return fields[_ACCOUNT_FIELD] if len(fields) > _ACCOUNT_FIELD else ""


def meets_usable(resource: str, usable: str) -> bool:
    """Tell whether a statement's resource glob and an action's usable glob share an ARN in
    which the usable glob's wildcards match no colon (see the module docstring).

    :param resource: A ``Resource`` glob.
    :param usable: A usable glob (:func:`usable_resources`).
    :returns: The verdict (past the work cap of :func:`iacguard._glob.globs_intersect`, True).
    """
    return globs_intersect(
        resource, usable, bounded_fields=_ARN_BOUNDED_FIELDS, separator=_ARN_SEPARATOR
    )


@dataclass(frozen=True, slots=True)
class GlobRelations:
    """The two comparisons of ARN globs the questions here ask: exact by default; a scan's
    :class:`~iacguard.analysis.matching.Matching` gives memoised ones with the same
    answers."""

    #: :func:`meets_usable`: whether a resource glob and a usable glob share an ARN
    meets: Callable[[str, str], bool] = meets_usable
    #: :func:`iacguard._glob.glob_contains`: whether every ARN of the second glob matches
    #: the first
    contains: Callable[[str, str], bool] = glob_contains


#: the comparisons, computed every time they are asked
EXACT: Final = GlobRelations()


def format_glob(arn_format: str) -> str:
    """Turn a catalog ARN format into a glob of the ARNs it describes.

    ``${Partition}`` becomes ``aws*``, ``${Account}`` exactly twelve ``?`` (so AWS-owned
    resources, whose account is ``aws``, never match it), ``${Region}`` and every other
    ``${...}`` placeholder ``*``.  The rest is kept as written, including the literal ``aws``
    account of formats that describe AWS-owned resources and any ``*`` the format already has.

    :param arn_format: A format such as
        ``"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"``.
    :returns: The glob, e.g. ``"arn:aws*:iam::????????????:role/*"``.
    """
    return _PLACEHOLDER.sub(_placeholder_glob, arn_format)


def usable_resources(catalog: ActionCatalog, action: str) -> tuple[str, ...] | None:
    """List the globs of the resources an action can act on.

    :param catalog: The action catalog.
    :param action: A concrete ``"service:Name"``, in any case; wildcards are not expanded.
    :returns: One glob per distinct ARN format of the action's resource types (see
        :func:`format_glob`), in catalog order; ``()`` when the action accepts only
        ``"Resource": "*"``; None when the catalog does not list the action.
    :raises CatalogDataError: When the installed catalog data is missing or malformed.
    """
    info = catalog.lookup(action.lower())
    if info is None:
        return None
    return tuple(
        dict.fromkeys(format_glob(arn_format) for arn_format in catalog.resource_arn_formats(info))
    )


def reserved_resources(action: str) -> tuple[str, ...]:
    """List the globs of the resources an action's ARN formats name but that no customer can
    act on with it (see the module docstring).

    :param action: A concrete ``"service:Name"``, in any case.
    :returns: The reserved globs, ``()`` for most actions; for the actions that change a
        role's policies or trust, :data:`SERVICE_LINKED_ROLES`.
    """
    return _RESERVED.get(action.lower(), ())


def reaches_unreserved(
    resources: Sequence[str],
    usable: Sequence[str],
    reserved: Sequence[str],
    relations: GlobRelations = EXACT,
) -> bool:
    """Tell whether a ``Resource`` element names a usable resource that is not reserved.

    :param resources: The statement's ``Resource`` globs.
    :param usable: The action's usable globs (:func:`usable_resources`).
    :param reserved: The action's reserved globs (:func:`reserved_resources`).
    :param relations: The glob comparisons to use.
    :returns: True when some resource glob names a usable resource (:func:`reaches`) and is
        not contained in a reserved glob: ``arn:aws:iam::*:role/*`` names customer roles
        too, ``arn:aws:iam::*:role/aws-service-role/*`` only service-linked ones.
        Containment is sound (:func:`iacguard._glob.glob_contains`), so a doubtful case
        answers True.
    """
    return any(
        reaches((resource,), usable, relations)
        and not any(relations.contains(r, resource) for r in reserved)
        for resource in resources
    )


def reaches(
    resources: Sequence[str], usable: Sequence[str], relations: GlobRelations = EXACT
) -> bool:
    """Tell whether a ``Resource`` element names at least one resource the action can use.

    :param resources: The statement's ``Resource`` globs.
    :param usable: The action's usable globs (:func:`usable_resources`).  ``()`` means the
        action supports no resource-level permissions: the request's resource is then the
        literal ``*``, which only a glob matching the text ``*`` names (``*``, ``?``, ``**``;
        not ``arn:aws:s3:::*``).
    :returns: True when some resource glob and some usable glob share an ARN in which the
        usable glob's wildcards match no colon: they stand for names and IDs, which hold
        none, so ``arn:aws:iam::*:role/*`` (whose ``*`` spans colons, as IAM's does) names
        no policy (exact, over any partition; see
        :func:`iacguard._glob.globs_intersect` for its work cap, which errs towards True).
    :param relations: The glob comparisons to use.
    """
    if not usable:
        return _names_any_resource(resources)
    meets = relations.meets
    return any(meets(resource, glob) for resource in resources for glob in usable)


def covers_every(
    resources: Sequence[str], usable: Sequence[str], relations: GlobRelations = EXACT
) -> bool:
    """Tell whether a ``Resource`` element names every resource the action can use.

    Such a statement is as broad as ``"Resource": "*"`` for that action:
    ``arn:aws:iam::*:role/*`` for ``iam:PassRole``, but not ``arn:aws:iam::123456789012:role/*``
    (one account's roles).  Each usable glob must be contained in one resource glob, in a
    partition where that holds for all of them (see the module docstring); a union of
    resource globs that covers a usable glob only together does not count.

    :param resources: The statement's ``Resource`` globs.
    :param usable: The action's usable globs (:func:`usable_resources`); for ``()`` a glob
        matching the text ``*`` is needed.
    :param relations: The glob comparisons to use.
    :returns: True only when the globs cover every usable resource (containment is sound:
        see :func:`iacguard._glob.glob_contains`).
    """
    if not usable:
        return _names_any_resource(resources)
    contains = relations.contains
    return any(
        all(
            any(contains(resource, glob) for resource in resources)
            for glob in _in_partition(usable, partition)
        )
        for partition in _partitions(usable)
    )


# -- helpers ------------------------------------------------------------------------------------


def _placeholder_glob(match: re.Match[str]) -> str:
    """The glob for one ``${...}`` placeholder of an ARN format.

    :param match: The placeholder; group 1 is its name.
    :returns: Its replacement.
    """
    return _BY_PLACEHOLDER.get(match.group(1), "*")


def _names_any_resource(resources: Sequence[str]) -> bool:
    """Whether a glob list names the request resource ``*`` of an action without resource
    types.

    :param resources: Globs.
    :returns: True when one matches the literal text ``*``.
    """
    return any(glob_match(resource, ANY_RESOURCE) for resource in resources)


def _partitions(usable: Sequence[str]) -> tuple[str, ...]:
    """The partitions to ask a containment question in.

    :param usable: Usable globs.
    :returns: :data:`PARTITIONS` when some glob allows any partition, else one placeholder
        (the globs are then asked as they are).
    """
    if any(glob.startswith(_PARTITION_PREFIX) for glob in usable):
        return PARTITIONS
    return (PARTITION_GLOB,)


def _in_partition(usable: Sequence[str], partition: str) -> tuple[str, ...]:
    """Restrict the usable globs that allow any partition to one partition.

    :param usable: Usable globs.
    :param partition: A partition name, or :data:`PARTITION_GLOB` to keep them as they are.
    :returns: The globs, ``arn:aws*:`` replaced by ``arn:<partition>:``.
    """
    prefix = f"arn:{partition}:"
    return tuple(
        prefix + glob[len(_PARTITION_PREFIX) :] if glob.startswith(_PARTITION_PREFIX) else glob
        for glob in usable
    )
