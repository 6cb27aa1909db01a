"""The account's authorization details (``aws iam get-account-authorization-details``)
read into the same IAM graph as every other input.

Format facts (IAM API reference, ``GetAccountAuthorizationDetails``): ``UserDetailList``,
``GroupDetailList``, ``RoleDetailList`` and ``Policies``; users name their groups
(``GroupList``); every principal lists its inline policies (``UserPolicyList``,
``GroupPolicyList``, ``RolePolicyList``), its ``AttachedManagedPolicies`` and its
``PermissionsBoundary``; roles carry ``AssumeRolePolicyDocument``; each managed policy
carries every version, the default one marked ``IsDefaultVersion``. The API returns
policy documents URL-encoded; the AWS CLI decodes them: both are read. Paginated output
(``IsTruncated``/``Marker``) is a list of pages, or pages written one after another.

Every node's address is its ARN; the default policy version is the one evaluated; a
managed policy the snapshot does not list is an AWS-managed one (its shipped document)
or, when it is a customer's, an unknown document.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Final, NamedTuple

from iacguard.errors import ParseError
from iacguard.managed_policies import is_aws_managed_arn
from iacguard.model import (
    Location,
    Origin,
    Policy,
    PolicyKind,
    Principal,
    PrincipalKind,
    SourceKind,
    Unknown,
)
from iacguard.parsers import ParsedInput
from iacguard.parsers._graph_builder import IamGraphBuilder
from iacguard.parsers._source import JSONValue


class _DetailList(NamedTuple):
    """What the entries of one principal list are, and the keys of their name and
    inline policies."""

    kind: PrincipalKind
    name_key: str
    inline_key: str


#: the lists a page holds, by the kind of principal in them
_DETAIL_LISTS: Final = {
    "UserDetailList": _DetailList(PrincipalKind.USER, "UserName", "UserPolicyList"),
    "GroupDetailList": _DetailList(PrincipalKind.GROUP, "GroupName", "GroupPolicyList"),
    "RoleDetailList": _DetailList(PrincipalKind.ROLE, "RoleName", "RolePolicyList"),
}
#: text every authorization-details document holds, even when it is not one JSON value
MARKER: Final = '"UserDetailList"'


def looks_like_authorization_details(data: JSONValue) -> bool:
    """True for one page (an object with a ``...DetailList``) or a list of pages."""
    pages = data if isinstance(data, list) else [data]
    return bool(pages) and all(
        isinstance(page, dict) and any(key in page for key in _DETAIL_LISTS) for page in pages
    )


def split_pages(text: str, path: Path) -> list[JSONValue]:
    """Pages written one after another (``{...}{...}``), each decoded.

    :raises ParseError: a page is not valid JSON.
    """
    decoder = json.JSONDecoder()
    pages: list[JSONValue] = []
    at = 0
    while (at := _skip_blanks(text, at)) < len(text):
        try:
            page, at = decoder.raw_decode(text, at)
        except (ValueError, RecursionError) as err:
            raise ParseError(path, "authorization details: a page is not valid JSON") from err
        pages.append(page)
    return pages


def parse_authorization_details(data: JSONValue, display: PurePosixPath) -> ParsedInput:
    """The graph of one snapshot (one page, or a list of pages merged)."""
    pages = [
        page for page in (data if isinstance(data, list) else [data]) if isinstance(page, dict)
    ]
    origin = Origin(SourceKind.AUTHORIZATION_DETAILS, str(display), Location(display))
    builder = IamGraphBuilder()
    managed = _managed_policies(pages, origin, builder)
    for policy in managed.values():
        if policy.kind is PolicyKind.MANAGED:  # AWS's own join the graph when attached
            builder.add_managed_policy(policy)
    groups = {
        str(entry.get("GroupName")): str(entry["Arn"])
        for _, entry in _details(pages, PrincipalKind.GROUP)
    }
    for detail_list, entry in _details(pages, None):
        _add_principal(builder, detail_list, entry, origin, managed, groups)
    return ParsedInput(SourceKind.AUTHORIZATION_DETAILS, builder.build())


def _details(
    pages: list[dict[str, JSONValue]], only: PrincipalKind | None
) -> Iterator[tuple[_DetailList, Mapping[str, JSONValue]]]:
    """Each principal entry with an ARN string, with the list it is in: users, then
    groups, then roles."""
    for key, detail_list in _DETAIL_LISTS.items():
        if only is not None and detail_list.kind is not only:
            continue
        for page in pages:
            entries = page.get(key)
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, dict) and isinstance(entry.get("Arn"), str):
                    yield detail_list, entry


def _add_principal(
    builder: IamGraphBuilder,
    detail_list: _DetailList,
    entry: Mapping[str, JSONValue],
    origin: Origin,
    managed: Mapping[str, Policy],
    groups: Mapping[str, str],
) -> None:
    arn = str(entry["Arn"])
    kind, name_key, inline_key = detail_list
    name = entry.get(name_key)
    path = entry.get("Path")
    here = Origin(SourceKind.AUTHORIZATION_DETAILS, arn, origin.location)
    builder.add_principal(
        Principal(
            kind,
            arn,
            name if isinstance(name, str) else Unknown(f"{arn} name"),
            here,
            arn,
            path if isinstance(path, str) else None,
        )
    )
    for item in _objects(entry.get(inline_key)):
        policy_name = item.get("PolicyName")
        document = builder.read_policy(_decoded(item.get("PolicyDocument")), here.at(inline_key))
        label = policy_name if isinstance(policy_name, str) else None
        builder.embed_inline_policy(
            arn, f"inline/{policy_name}", label, document, here, link_origin=here, reason=inline_key
        )
    for item in _objects(entry.get("AttachedManagedPolicies")):
        policy_arn = item.get("PolicyArn")
        if isinstance(policy_arn, str):
            _ensure_managed(builder, policy_arn, here, managed)
            builder.attach([policy_arn], [arn], here, "AttachedManagedPolicies")
    boundary = entry.get("PermissionsBoundary")
    if isinstance(boundary, dict) and isinstance(boundary.get("PermissionsBoundaryArn"), str):
        boundary_arn = str(boundary["PermissionsBoundaryArn"])
        _ensure_managed(builder, boundary_arn, here, managed)
        builder.set_boundary([boundary_arn], arn, here, "PermissionsBoundary")
    if kind is PrincipalKind.USER:
        for group in entry.get("GroupList") or ():
            if isinstance(group, str) and group in groups:
                builder.add_members([arn], [groups[group]], here, "GroupList")
    if kind is PrincipalKind.ROLE:
        trust_text = _decoded(entry.get("AssumeRolePolicyDocument"))
        trust = builder.read_policy(trust_text, here.at("trust"))
        builder.add_trust_policy(arn, "trust", trust, here, "AssumeRolePolicyDocument")


def _managed_policies(
    pages: list[dict[str, JSONValue]], origin: Origin, builder: IamGraphBuilder
) -> dict[str, Policy]:
    """Each managed policy of the snapshot, by ARN, with its default version's document
    (read by *builder*, which reads each policy text once)."""
    found: dict[str, Policy] = {}
    for page in pages:
        for entry in _objects(page.get("Policies")):
            arn, name = entry.get("Arn"), entry.get("PolicyName")
            if not isinstance(arn, str):
                continue
            here = Origin(SourceKind.AUTHORIZATION_DETAILS, arn, origin.location)
            default = _default_version(entry)
            document = (
                Unknown(f"{arn}: no default version in the snapshot")
                if default is None
                else builder.read_policy(_decoded(default.get("Document")), here.at("Document"))
            )
            kind = PolicyKind.AWS_MANAGED if is_aws_managed_arn(arn) else PolicyKind.MANAGED
            label = name if isinstance(name, str) else None
            found[arn] = Policy(arn, kind, label, document, here, arn)
    return found


def _ensure_managed(
    builder: IamGraphBuilder, arn: str, origin: Origin, managed: Mapping[str, Policy]
) -> None:
    """A policy node for *arn*: the snapshot's own, else AWS's shipped document, else
    an unknown customer policy (the snapshot was filtered)."""
    if builder.is_policy(arn):
        return
    if arn in managed:
        builder.add_policy(managed[arn])  # customer-managed, or AWS's as the snapshot has it
    elif is_aws_managed_arn(arn):
        builder.add_aws_managed_policy(arn, origin)
    else:
        missing = Unknown(f"{arn}: not in the snapshot")
        name = arn.rsplit("/", 1)[-1]
        builder.add_managed_policy(Policy(arn, PolicyKind.MANAGED, name, missing, origin, arn))


def _default_version(entry: Mapping[str, JSONValue]) -> Mapping[str, JSONValue] | None:
    versions = list(_objects(entry.get("PolicyVersionList")))
    default_id = entry.get("DefaultVersionId")
    for version in versions:
        if version.get("IsDefaultVersion") is True or version.get("VersionId") == default_id:
            return version
    return None


def _decoded(document: JSONValue) -> object:
    """A policy document as the API (URL-encoded JSON text) or the CLI (decoded) gives it."""
    if isinstance(document, str) and document.lstrip().startswith("%7B"):
        return urllib.parse.unquote(document)
    return document


def _objects(value: JSONValue) -> Iterator[Mapping[str, JSONValue]]:
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict):
            yield item


def _skip_blanks(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at
