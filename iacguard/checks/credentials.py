"""IAM1xx: credentials - embedded access keys, long-lived user keys and leaked secrets."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from typing import Final

from iacguard.graph import Graph, outside_target
from iacguard.hookspecs import hookimpl
from iacguard.model import AccessKey, ConfigBlock, Pointer, Severity, SourceKind, Unknown
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit

#: what :func:`find_credentials` reports, in message order
KEY_ID: Final = "AWS access key ID"
SECRET_KEY: Final = "AWS secret access key"

#: AKIA (long-lived) and ASIA (temporary) key IDs, not part of a longer word
_KEY_ID: Final = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
#: exactly 40 characters of the secret key alphabet, not part of a longer token
_TOKEN: Final = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])")
_SECRET_NAME: Final = r"(?:secret.?(?:access.?)?key|aws.?secret)"
#: a name that says "secret access key": attribute, map key, variable, env var
_SECRET_NAMED: Final = re.compile(_SECRET_NAME, re.IGNORECASE)
#: ``AWS_SECRET_ACCESS_KEY=...``, ``"SecretKey": "..."``,
#: ``"name":"AWS_SECRET_ACCESS_KEY","value":"..."`` in free text
_SECRET_IN_TEXT: Final = re.compile(
    _SECRET_NAME + r"[\w-]*[\"']?\s*(?:[:=]|,\s*[\"']value[\"']\s*:)\s*[\"']?"
    r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])",
    re.IGNORECASE,
)
#: a random-looking token mixes upper case, lower case and digits
_MIXED: Final = re.compile(r"(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])")
_BASE64: Final = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
#: how deep base64 and JSON embedded in strings are unwrapped
_MAX_DEPTH: Final = 3
#: with a key ID and an escape (JSON may hide anything), a superset of what
#: :func:`find_credentials` reports on: a 24+ run of the token/base64 alphabet, a JSON
#: string or a whole string of base64 split by whitespace (strings joined with ``\0``)
_SUSPECT: Final = re.compile(
    r"[A-Za-z0-9/+]{24}|\"[A-Za-z0-9+/=\s]{24,}\"|(?<![^\0])[A-Za-z0-9+/=\s]{24,}(?![^\0])"
)
#: what every match of :data:`_SUSPECT` contains (a cheaper first test)
_RUN: Final = re.compile(r"[A-Za-z0-9+/=\s]{24}")


def _suspect(text: str) -> bool:
    """False when :func:`find_credentials` surely finds nothing in *text* (one string, or
    several joined with ``\\0``), whatever its name and neighbours."""
    if "AKIA" in text or "ASIA" in text or "\\" in text:
        return True
    return _RUN.search(text) is not None and _SUSPECT.search(text) is not None


def find_credentials(
    text: str, name: str | None = None, *, beside_key_id: bool = False, _depth: int = 0
) -> set[str]:
    """The kinds of AWS credential (:data:`KEY_ID`, :data:`SECRET_KEY`) written in *text*.

    A secret key is a 40-character token that is named like one (*name*, or a name right
    before it in the text), or that stands next to a key ID: in the same text, or, with
    *beside_key_id*, in the same block (it must then mix upper case, lower case and
    digits, which hex digests and words do not). JSON and base64 text is unwrapped.
    """
    has_key_id = _KEY_ID.search(text) is not None
    found = {KEY_ID} if has_key_id else set()
    whole = text.strip()
    named = name is not None and _SECRET_NAMED.search(name) is not None
    if _TOKEN.fullmatch(whole) and (named or (beside_key_id and _MIXED.match(whole))):
        found.add(SECRET_KEY)
    if _SECRET_IN_TEXT.search(text) or (
        has_key_id and any(_MIXED.match(m.group()) for m in _TOKEN.finditer(text))
    ):
        found.add(SECRET_KEY)
    if _depth < _MAX_DEPTH:
        for inner, inner_name in _embedded(whole):
            found |= find_credentials(
                inner, inner_name or name, beside_key_id=beside_key_id, _depth=_depth + 1
            )
    return found


def _embedded(text: str) -> Iterator[tuple[str, str | None]]:
    """The strings inside *text* when it is JSON, or its decoded text when it is base64."""
    if text[:1] in {"{", "["}:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return
        yield from ((s, n) for _, n, s in _strings(data, (), None))
        return
    compact = "".join(text.split())
    if len(compact) % 4 == 0 and _BASE64.fullmatch(compact):
        try:
            decoded = base64.b64decode(compact, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return
        if all(c.isprintable() or c.isspace() for c in decoded):
            yield decoded, None


def _strings(
    value: object, pointer: Pointer, name: str | None
) -> Iterator[tuple[Pointer, str | None, str]]:
    """Every string under *value* with its pointer and the name it is stored under.

    In a ``{"name": N, "value": V}`` pair (ECS environment, SSM parameter) V is named N.
    """
    if isinstance(value, str):
        yield pointer, name, value
    elif isinstance(value, Mapping):
        label = value.get("name", value.get("Name"))
        for key, item in value.items():
            key = str(key)
            named = label if key.lower() == "value" and isinstance(label, str) else key
            yield from _strings(item, (*pointer, key), named)
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _strings(item, (*pointer, index), name)
    # Unknown, numbers, booleans and None hold no literal text


def _path(pointer: Pointer) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in pointer).lstrip(".")


def _texts(value: object, out: list[str]) -> None:
    """Append every string under *value* to *out* (what :func:`_strings` yields, cheaply)."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _texts(item, out)
    elif isinstance(value, tuple | list):
        for item in value:
            _texts(item, out)


def _block_hits(blocks: list[ConfigBlock]) -> Iterator[Hit]:
    """Findings in the blocks of one address (a parser may give planned and literal values)."""
    texts: list[str] = []
    for block in blocks:
        _texts(block.values, texts)
    if not _suspect("\0".join(texts)):
        return  # nothing that could be a credential: skip the per-value work
    leaves = [
        leaf for block in blocks for leaf in _strings(block.values, (), None) if _suspect(leaf[2])
    ]
    has_key_id = any(KEY_ID in find_credentials(text, name) for _, name, text in leaves)
    kinds: dict[Pointer, set[str]] = {}
    for pointer, name, text in leaves:
        if found := find_credentials(text, name, beside_key_id=has_key_id):
            kinds.setdefault(pointer, set()).update(found)
    for pointer, found in kinds.items():
        what = " and ".join(k for k in (KEY_ID, SECRET_KEY) if k in found)
        what = what.replace(" and AWS ", " and ")
        message = f"{what} written literally in '{blocks[0].address}' at '{_path(pointer)}'"
        yield Hit(blocks[0].origin, message, pointer=pointer)


def _user(target: str, graph: Graph) -> str:
    """How messages name the user an access key or login profile belongs to."""
    outside = outside_target(target)
    if graph.principal(target) is not None or outside is None:
        return f"'{target}'"
    if not outside.name:
        return "a user with an empty name"
    return f"'{outside.name}' (known after apply)" if outside.unknown else f"'{outside.name}'"


@check("IAM101", severity=Severity.CRITICAL, tags={"credentials", "secrets"})
def embedded_access_key(ctx: CheckContext) -> Iterator[Hit]:
    """An AWS access key is written literally in the configuration.

    Access keys in code end up in version control, plan files, state, CI logs and
    container images, where anyone who can read them can act as the key's user. A
    leaked key stays valid until someone notices and rotates it. iacguard looks for key
    IDs (``AKIA...``, ``ASIA...``) and 40-character secret keys in every literal value:
    provider blocks, variables, Lambda/ECS/Batch environment variables, EC2 user data
    and launch templates (also base64-encoded), SSM parameters, data sources. The
    secret itself is never printed, only where it is.

    Example::

        provider "aws" {
          access_key = "AKIA..."
          secret_key = "..."
        }

    Fix: delete the key and rotate it (it must be treated as leaked). Give workloads
    an IAM role (instance profile, Lambda or ECS task role, IRSA), use SSO or
    ``aws configure`` profiles for people, and keep any unavoidable secret in Secrets
    Manager or an SSM SecureString that the workload reads at run time.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html ,
    https://docs.aws.amazon.com/sdkref/latest/guide/access-iam-users.html
    """
    keys = {key.address for key in ctx.graph.access_keys}
    by_address: dict[str, list[ConfigBlock]] = {}
    for block in ctx.graph.config_blocks:
        # an access key resource's own id and secret are generated by AWS, not written
        if block.address not in keys:
            by_address.setdefault(block.address, []).append(block)
    for blocks in by_address.values():
        yield from _block_hits(blocks)


@check("IAM102", severity=Severity.HIGH, tags={"credentials"})
def user_access_key(ctx: CheckContext) -> Iterator[Hit]:
    """An IAM user gets a long-lived access key.

    A user's access key never expires: it works from anywhere until it is deactivated,
    and it tends to be copied into CI settings, laptops and scripts. Roles hand out
    short-lived credentials instead. In Terraform the key's secret is also written to
    the state in plain text unless ``pgp_key`` is set. Inactive keys are not reported.

    Example::

        resource "aws_iam_access_key" "ci" {
          user = aws_iam_user.ci.name
        }

    Fix: use a role: for CI, OIDC federation (GitHub Actions, GitLab) with
    ``AssumeRoleWithWebIdentity``; for workloads, instance profiles or task roles; for
    people, IAM Identity Center. If a key is unavoidable, set ``pgp_key`` and rotate it.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
    """
    for key in ctx.graph.access_keys:
        if key.active is not True:
            continue  # inactive, or unknown until apply
        if key.encrypted:
            secret = "its secret is encrypted with a PGP key"
        elif key.origin.source is SourceKind.CLOUDFORMATION:
            secret = "its secret can be read by anyone who can use Fn::GetAtt in the stack"
        else:
            secret = "its secret will be stored in state in plain text"
        user = _user(key.user, ctx.graph)
        yield Hit(key.origin, f"active access key '{key.address}' for user {user}; {secret}")


_SECRET_LABELS: Final = {
    "secret": "access key secret",
    "ses_smtp_password_v4": "SES SMTP password",
    "password": "console password",
    "SecretAccessKey": "access key secret",
}
#: the plain-text attributes a ``pgp_key`` leaves empty: the AWS provider (4.0 and later)
#: then stores the secret only encrypted (``encrypted_secret``,
#: ``encrypted_ses_smtp_password_v4``, ``encrypted_password``): resource type -> attributes
_EMPTY_WITH_PGP: Final = {
    "aws_iam_access_key": frozenset({"secret", "ses_smtp_password_v4"}),
    "aws_iam_user_login_profile": frozenset({"password"}),
}


@check("IAM103", severity=Severity.HIGH, tags={"credentials", "secrets"})
def exposed_secret(ctx: CheckContext) -> Iterator[Hit]:
    """A generated credential flows into an output or a plain-text attribute.

    The secret of an access key, an SES SMTP password or a console password is then
    readable by anyone who can run ``terraform output``, read the state, or read the
    receiving resource (a ``String`` SSM parameter, a tag, an environment variable).
    Marking an output ``sensitive`` only hides it from the console. The key ID and
    PGP-encrypted values (``encrypted_secret``) are not reported, nor are the plain-text
    attributes of a key or login profile created with ``pgp_key``: the provider then
    leaves ``secret``, ``ses_smtp_password_v4`` and ``password`` empty. A ``pgp_key``
    known only after apply counts as set.

    Example::

        output "secret" {
          value     = aws_iam_access_key.ci.secret
          sensitive = true
        }

    Fix: do not export the secret. Create the key with ``pgp_key`` and export
    ``encrypted_secret``, or store it encrypted (Secrets Manager, SSM ``SecureString``)
    and grant read access to whoever needs it. Better, avoid user keys (IAM102).

    References: https://developer.hashicorp.com/terraform/language/state/sensitive-data
    """
    seen: set[tuple[str, Pointer, str, str]] = set()
    encrypted = _pgp_encrypted(ctx.graph)
    for ref in ctx.graph.references:
        key = (ref.origin.address, ref.origin.pointer, ref.target, ref.attribute)
        if ref.into_encrypted or key in seen:
            continue
        if ref.target in encrypted and ref.attribute in _EMPTY_WITH_PGP.get(ref.target_type, ()):
            continue
        seen.add(key)
        what = f"{_SECRET_LABELS.get(ref.attribute, ref.attribute)} of '{ref.target}'"
        if ref.origin.pointer:
            where = f"plain-text attribute '{_path(ref.origin.pointer)}'"
            yield Hit(ref.origin, f"'{ref.origin.address}' stores the {what} in {where}")
        else:
            yield Hit(ref.origin, f"'{ref.origin.address}' exposes the {what}")


def _pgp_encrypted(graph: Graph) -> frozenset[str]:
    """The addresses of the keys and login profiles whose secrets a ``pgp_key`` encrypts:
    the model's flag for access keys, the configured ``pgp_key`` for login profiles (a
    known value decides; one known only after apply counts as set)."""
    values: dict[str, list[object]] = {}
    for block in graph.config_blocks:
        if block.kind == "resource" and block.type in _EMPTY_WITH_PGP:
            values.setdefault(block.address, []).append(block.values.get("pgp_key"))
    profiles = {address for address, found in values.items() if _pgp_set(found)}
    return frozenset({key.address for key in graph.access_keys if key.encrypted} | profiles)


def _pgp_set(values: list[object]) -> bool:
    """Whether the ``pgp_key`` values a resource's blocks hold (planned and literal) set
    it: a known non-empty string, or only values known after apply."""
    texts = [value.strip() for value in values if isinstance(value, str)]
    if texts:
        return any(texts)
    return any(isinstance(value, Unknown) for value in values)


@check("IAM104", severity=Severity.LOW, tags={"credentials"})
def several_active_keys(ctx: CheckContext) -> Iterator[Hit]:
    """A user has more than one active access key.

    A second active key is only needed for the moment of a rotation. Kept longer, it
    doubles what can leak, and usually one of the two is forgotten and never rotated.

    Keys are grouped by user name, so keys of a user defined elsewhere (``user =
    "legacy-ci"``) count too; the finding is then reported at the second key.

    Example: two ``aws_iam_access_key`` resources for the same user, neither with
    ``status = "Inactive"``.

    Fix: keep one active key per user; during a rotation, deactivate the old key as
    soon as the new one is in use, then delete it.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
    """
    graph = ctx.graph
    active_keys: dict[str, list[AccessKey]] = {}
    for key in graph.access_keys:
        name = _user_name(graph, key.user)
        if key.active is True and name is not None:
            active_keys.setdefault(name, []).append(key)
    for name, active in active_keys.items():
        if len(active) < 2:
            continue
        keys = ", ".join(f"'{k.address}'" for k in active)
        defined = [u for k in active if (u := graph.principal(k.user)) is not None]
        if defined:
            message = f"{defined[0].display} has {len(active)} active access keys ({keys})"
            yield Hit(defined[0].origin, message)
        else:
            second = sorted(active, key=lambda k: k.address)[1]
            message = (
                f"user '{name}' (defined elsewhere) has {len(active)} active access keys ({keys})"
            )
            yield Hit(second.origin, message)


def _user_name(graph: Graph, user: str) -> str | None:
    """The IAM user name an access key's user id stands for: the name of a user of the
    configuration (its address when the name is unknown), or the name of a user defined
    elsewhere; None when the user is only known after apply."""
    principal = graph.principal(user)
    if principal is not None:
        return principal.name if isinstance(principal.name, str) else principal.address
    outside = outside_target(user)
    return None if outside is None or outside.unknown else outside.name


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    register(embedded_access_key)
    register(user_access_key)
    register(exposed_secret)
    register(several_active_keys)
