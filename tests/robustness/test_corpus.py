"""Bad inputs through the CLI: one clear error (exit 2) or a clean scan, never a traceback
or a hang.

Small cases are files under ``corpus/`` (see ``corpus/README.md``); big ones (deep
nesting, 10 MB strings, evaluation bombs, symlink loops) are generated at run time. All
cases run as subprocesses, concurrently, each with a timeout, so a hang fails its case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
#: seconds a case may take; a hang fails the case instead of blocking the suite
TIMEOUT = 20
#: expected outcomes: exit 2 with one error line naming the input, or a scan that
#: completes with exit 0 (no findings) or 1 (findings)
ERROR, CLEAN, FINDINGS = 2, 0, 1

ADMIN_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
HUGE = 10 * 1024 * 1024


def _plan(values: str) -> str:
    """A plan with one admin policy whose ``values`` hold *values* (JSON text) too."""
    policy = json.dumps(ADMIN_POLICY)
    return (
        '{"format_version": "1.2", "planned_values": {"root_module": {"resources": ['
        '{"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", '
        f'"name": "p", "values": {{"policy": {policy}, "description": {values}}}}}]}}}}}}'
    )


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _tf(directory: Path, text: str) -> Path:
    _write(directory / "main.tf", text)
    return directory


_TF_ADMIN = (
    'resource "aws_iam_policy" "admin" {\n  policy = jsonencode({ Statement = [{ '
    'Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n'
)


def _hcl_bomb_strings(d: Path) -> Path:
    doubled = [f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, 41)]
    lists = [f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})" for i in range(1, 41)]
    body = ["locals {", '  s0 = "0123456789"', '  l0 = ["a", "b"]', *doubled, *lists, "}"]
    policy = 'resource "aws_iam_user" "u" {\n  name = local.s40\n  tags = { a = local.l40 }\n}\n'
    return _tf(d, "\n".join(body) + "\n" + policy + _TF_ADMIN)


def _hcl_bomb_maps(d: Path) -> Path:
    maps = [f"  m{i} = {{ x = local.m{i - 1}, y = local.m{i - 1} }}" for i in range(1, 41)]
    body = ["locals {", "  m0 = { a = 1 }", *maps, "}"]
    policy = 'resource "aws_iam_policy" "p" {\n  policy = jsonencode(local.m40)\n}\n'
    return _tf(d, "\n".join(body) + "\n" + policy + _TF_ADMIN)


def _hcl_bomb_loops(d: Path) -> Path:
    loops = (
        '[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : "${a}${b}${c}"]]]'
    )
    return _tf(d, f"locals {{\n  n = {loops}\n}}\n" + _TF_ADMIN)


def _symlink_loop(d: Path) -> Path:
    _tf(d / "root", _TF_ADMIN)
    (d / "root" / "loop").symlink_to(d / "root", target_is_directory=True)
    (d / "root" / "sub").mkdir()
    (d / "root" / "sub" / "up").symlink_to(d, target_is_directory=True)
    (d / "root" / "dangling.json").symlink_to(d / "missing.json")
    return d / "root"


def _mixed_directory(d: Path) -> Path:
    _write(d / "good" / "plan.json", _plan('"fine"'))
    _write(d / "bad" / "template.yaml", "Resources:\n  A: [\n")
    return d


def _empty_directory(d: Path) -> Path:
    d.mkdir()
    return d


GENERATED: dict[str, tuple[Callable[[Path], Path], int]] = {
    "tfplan/nesting_100000": (
        lambda d: _write(d / "plan.json", _plan("[" * 100_000 + "]" * 100_000)),
        ERROR,
    ),
    "tfplan/nesting_600": (lambda d: _write(d / "plan.json", _plan("[" * 600 + "]" * 600)), ERROR),
    "tfplan/string_10mb": (
        lambda d: _write(d / "plan.json", _plan(json.dumps("AKIA" + "x" * HUGE))),
        FINDINGS,
    ),
    "tfplan/policy_10mb": (
        lambda d: _write(
            d / "plan.json",
            _plan('"x"').replace('\\"*\\"', json.dumps(json.dumps("s3:" + "G" * HUGE))[1:-1], 1),
        ),
        FINDINGS,
    ),
    "cloudformation/nesting_100000": (
        lambda d: _write(d / "t.yaml", "Resources:\n  A: " + "[" * 100_000 + "]" * 100_000),
        ERROR,
    ),
    "cloudformation/nesting_100000.json": (
        lambda d: _write(
            d / "t.json", '{"Resources": {"A": ' + "[" * 100_000 + "]" * 100_000 + "}}"
        ),
        ERROR,
    ),
    "cloudformation/string_10mb": (
        lambda d: _write(
            d / "t.yaml",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            f"      Description: {'y' * HUGE}\n      PolicyDocument: {ADMIN_POLICY}\n",
        ),
        FINDINGS,
    ),
    "hcl/nesting_100000": (
        lambda d: _tf(d, "locals {\n  x = " + "[" * 100_000 + "]" * 100_000 + "\n}\n"),
        CLEAN,
    ),
    "hcl/nesting_300": (
        lambda d: _tf(d, "locals {\n  x = " + "[" * 300 + "]" * 300 + "\n}\n" + _TF_ADMIN),
        FINDINGS,
    ),
    "hcl/string_10mb": (
        lambda d: _tf(
            d, f'resource "aws_iam_user" "u" {{\n  name = "{"z" * HUGE}"\n}}\n' + _TF_ADMIN
        ),
        FINDINGS,
    ),
    # the doubled strings spend the work budget (IAM006) before they reach the size limit
    "hcl/bomb_doubling_strings_and_lists": (_hcl_bomb_strings, ERROR),
    "hcl/bomb_doubling_maps": (_hcl_bomb_maps, FINDINGS),
    "hcl/bomb_nested_for": (_hcl_bomb_loops, FINDINGS),
    "directory/empty": (_empty_directory, ERROR),
    "directory/symlink_loops": (_symlink_loop, FINDINGS),
    "directory/one_bad_file_among_good": (_mixed_directory, ERROR),
}

CASES = [
    pytest.param(
        "tfplan/addresses_wrong_types.json", FINDINGS, id="tfplan/addresses_wrong_types.json"
    ),
    pytest.param("tfplan/binary_garbage.json", ERROR, id="tfplan/binary_garbage.json"),
    pytest.param("tfplan/bom_then_garbage.json", ERROR, id="tfplan/bom_then_garbage.json"),
    pytest.param(
        "tfplan/child_modules_wrong_types.json",
        FINDINGS,
        id="tfplan/child_modules_wrong_types.json",
    ),
    pytest.param(
        "tfplan/configuration_wrong_types.json",
        FINDINGS,
        id="tfplan/configuration_wrong_types.json",
    ),
    pytest.param("tfplan/control_characters.json", FINDINGS, id="tfplan/control_characters.json"),
    pytest.param("tfplan/duplicate_keys.json", FINDINGS, id="tfplan/duplicate_keys.json"),
    pytest.param("tfplan/empty.json", ERROR, id="tfplan/empty.json"),
    pytest.param("tfplan/format_version_2.json", ERROR, id="tfplan/format_version_2.json"),
    pytest.param("tfplan/format_version_null.json", ERROR, id="tfplan/format_version_null.json"),
    pytest.param(
        "tfplan/format_version_number.json", ERROR, id="tfplan/format_version_number.json"
    ),
    pytest.param(
        "tfplan/format_version_object.json", ERROR, id="tfplan/format_version_object.json"
    ),
    pytest.param("tfplan/huge_numbers.json", ERROR, id="tfplan/huge_numbers.json"),
    pytest.param(
        "tfplan/invalid_trailing_comma.json", ERROR, id="tfplan/invalid_trailing_comma.json"
    ),
    pytest.param("tfplan/json_array.json", ERROR, id="tfplan/json_array.json"),
    pytest.param("tfplan/json_null.json", ERROR, id="tfplan/json_null.json"),
    pytest.param("tfplan/json_string.json", ERROR, id="tfplan/json_string.json"),
    pytest.param("tfplan/latin1.json", ERROR, id="tfplan/latin1.json"),
    pytest.param("tfplan/lone_surrogates.json", FINDINGS, id="tfplan/lone_surrogates.json"),
    pytest.param("tfplan/nan_infinity.json", FINDINGS, id="tfplan/nan_infinity.json"),
    pytest.param("tfplan/nul_bytes.json", ERROR, id="tfplan/nul_bytes.json"),
    pytest.param("tfplan/nulls_everywhere.json", FINDINGS, id="tfplan/nulls_everywhere.json"),
    pytest.param(
        "tfplan/outputs_variables_wrong_types.json",
        FINDINGS,
        id="tfplan/outputs_variables_wrong_types.json",
    ),
    pytest.param("tfplan/plan_keys_null.json", CLEAN, id="tfplan/plan_keys_null.json"),
    pytest.param("tfplan/plan_keys_numbers.json", CLEAN, id="tfplan/plan_keys_numbers.json"),
    pytest.param("tfplan/plan_keys_strings.json", CLEAN, id="tfplan/plan_keys_strings.json"),
    pytest.param(
        "tfplan/policies_wrong_types.json", FINDINGS, id="tfplan/policies_wrong_types.json"
    ),
    pytest.param("tfplan/policy_not_json.json", FINDINGS, id="tfplan/policy_not_json.json"),
    pytest.param(
        "tfplan/prior_state_wrong_types.json", FINDINGS, id="tfplan/prior_state_wrong_types.json"
    ),
    pytest.param(
        "tfplan/resource_changes_wrong_types.json",
        FINDINGS,
        id="tfplan/resource_changes_wrong_types.json",
    ),
    pytest.param(
        "tfplan/resource_entries_wrong_types.json",
        CLEAN,
        id="tfplan/resource_entries_wrong_types.json",
    ),
    pytest.param("tfplan/resources_object.json", CLEAN, id="tfplan/resources_object.json"),
    pytest.param("tfplan/root_module_list.json", CLEAN, id="tfplan/root_module_list.json"),
    pytest.param("tfplan/truncated.json", ERROR, id="tfplan/truncated.json"),
    pytest.param("tfplan/utf16be_bom.json", FINDINGS, id="tfplan/utf16be_bom.json"),
    pytest.param("tfplan/utf16le_bom.json", FINDINGS, id="tfplan/utf16le_bom.json"),
    pytest.param("tfplan/utf16le_no_bom.json", FINDINGS, id="tfplan/utf16le_no_bom.json"),
    pytest.param("tfplan/utf32_bom.json", FINDINGS, id="tfplan/utf32_bom.json"),
    pytest.param("tfplan/utf32be_no_bom.json", FINDINGS, id="tfplan/utf32be_no_bom.json"),
    pytest.param("tfplan/utf8_bom.json", FINDINGS, id="tfplan/utf8_bom.json"),
    pytest.param("tfplan/values_wrong_types.json", FINDINGS, id="tfplan/values_wrong_types.json"),
    pytest.param("tfplan/whitespace.json", ERROR, id="tfplan/whitespace.json"),
    pytest.param("cloudformation/alias_bomb.yaml", ERROR, id="cloudformation/alias_bomb.yaml"),
    pytest.param(
        "cloudformation/binary_garbage.yaml", ERROR, id="cloudformation/binary_garbage.yaml"
    ),
    pytest.param(
        "cloudformation/control_characters.yaml",
        FINDINGS,
        id="cloudformation/control_characters.yaml",
    ),
    pytest.param(
        "cloudformation/duplicate_keys.json", ERROR, id="cloudformation/duplicate_keys.json"
    ),
    pytest.param(
        "cloudformation/duplicate_keys.yaml", ERROR, id="cloudformation/duplicate_keys.yaml"
    ),
    pytest.param("cloudformation/empty_object.json", ERROR, id="cloudformation/empty_object.json"),
    pytest.param(
        "cloudformation/empty_resources.json", ERROR, id="cloudformation/empty_resources.json"
    ),
    pytest.param(
        "cloudformation/empty_template.yaml", ERROR, id="cloudformation/empty_template.yaml"
    ),
    pytest.param(
        "cloudformation/intrinsics_wrong_shapes.yaml",
        ERROR,  # its Fn::Transform is not expanded (#13)
        id="cloudformation/intrinsics_wrong_shapes.yaml",
    ),
    pytest.param("cloudformation/invalid_json.json", ERROR, id="cloudformation/invalid_json.json"),
    pytest.param(
        "cloudformation/lone_surrogates.json", ERROR, id="cloudformation/lone_surrogates.json"
    ),
    pytest.param(
        "cloudformation/lone_surrogates.yaml", ERROR, id="cloudformation/lone_surrogates.yaml"
    ),
    pytest.param(
        "cloudformation/merge_keys_and_anchors.yaml",
        FINDINGS,
        id="cloudformation/merge_keys_and_anchors.yaml",
    ),
    pytest.param(
        "cloudformation/non_string_keys_and_values.yaml",
        FINDINGS,
        id="cloudformation/non_string_keys_and_values.yaml",
    ),
    pytest.param("cloudformation/nul_in_yaml.yaml", ERROR, id="cloudformation/nul_in_yaml.yaml"),
    pytest.param("cloudformation/null_key.yaml", ERROR, id="cloudformation/null_key.yaml"),
    pytest.param(
        "cloudformation/only_comments.yaml", ERROR, id="cloudformation/only_comments.yaml"
    ),
    pytest.param(
        "cloudformation/parameter_and_mapping_cycles.yaml",
        FINDINGS,
        id="cloudformation/parameter_and_mapping_cycles.yaml",
    ),
    pytest.param(
        "cloudformation/policies_wrong_types.yaml",
        FINDINGS,
        id="cloudformation/policies_wrong_types.yaml",
    ),
    pytest.param(
        "cloudformation/policy_string_surrogates.yaml",
        FINDINGS,
        id="cloudformation/policy_string_surrogates.yaml",
    ),
    pytest.param(
        "cloudformation/python_object_tag.yaml", ERROR, id="cloudformation/python_object_tag.yaml"
    ),
    pytest.param("cloudformation/ref_cycle.yaml", CLEAN, id="cloudformation/ref_cycle.yaml"),
    pytest.param(
        "cloudformation/resource_entries_wrong_types.yaml",
        FINDINGS,
        id="cloudformation/resource_entries_wrong_types.yaml",
    ),
    pytest.param(
        "cloudformation/resources_list.yaml", ERROR, id="cloudformation/resources_list.yaml"
    ),
    pytest.param(
        "cloudformation/resources_null.yaml", ERROR, id="cloudformation/resources_null.yaml"
    ),
    pytest.param(
        "cloudformation/resources_string.json", ERROR, id="cloudformation/resources_string.json"
    ),
    pytest.param(
        "cloudformation/suppression_wrong_types.yaml",
        ERROR,
        id="cloudformation/suppression_wrong_types.yaml",
    ),
    pytest.param(
        "cloudformation/tabs_indentation.yaml", ERROR, id="cloudformation/tabs_indentation.yaml"
    ),
    pytest.param(
        "cloudformation/top_level_list.yaml", ERROR, id="cloudformation/top_level_list.yaml"
    ),
    pytest.param("cloudformation/truncated.json", ERROR, id="cloudformation/truncated.json"),
    pytest.param("cloudformation/truncated.yaml", FINDINGS, id="cloudformation/truncated.yaml"),
    pytest.param(
        "cloudformation/truncated_flow.yaml", ERROR, id="cloudformation/truncated_flow.yaml"
    ),
    pytest.param(
        "cloudformation/unhashable_key.yaml", ERROR, id="cloudformation/unhashable_key.yaml"
    ),
    pytest.param(
        "cloudformation/unknown_intrinsic.json", ERROR, id="cloudformation/unknown_intrinsic.json"
    ),
    pytest.param(
        "cloudformation/unknown_intrinsic.yaml", ERROR, id="cloudformation/unknown_intrinsic.yaml"
    ),
    pytest.param("cloudformation/unknown_tag.yaml", ERROR, id="cloudformation/unknown_tag.yaml"),
    pytest.param(
        "cloudformation/utf16be_no_bom.yaml", FINDINGS, id="cloudformation/utf16be_no_bom.yaml"
    ),
    pytest.param("cloudformation/utf16le_bom.yaml", FINDINGS, id="cloudformation/utf16le_bom.yaml"),
    pytest.param("cloudformation/utf32le_bom.json", FINDINGS, id="cloudformation/utf32le_bom.json"),
    pytest.param("cloudformation/utf8_bom.yaml", FINDINGS, id="cloudformation/utf8_bom.yaml"),
    pytest.param(
        "cloudformation/yaml_syntax_error.yaml", ERROR, id="cloudformation/yaml_syntax_error.yaml"
    ),
    pytest.param("hcl/binary_tf", ERROR, id="hcl/binary_tf"),
    pytest.param("hcl/binary_tf_valid_utf8", ERROR, id="hcl/binary_tf_valid_utf8"),
    pytest.param("hcl/comments_only_tf", CLEAN, id="hcl/comments_only_tf"),
    pytest.param(
        "hcl/duplicate_blocks_and_attributes", FINDINGS, id="hcl/duplicate_blocks_and_attributes"
    ),
    pytest.param(
        "hcl/dynamic_and_heredoc_edge_cases", FINDINGS, id="hcl/dynamic_and_heredoc_edge_cases"
    ),
    pytest.param("hcl/empty_tf", CLEAN, id="hcl/empty_tf"),
    pytest.param("hcl/functions_bad_arguments", FINDINGS, id="hcl/functions_bad_arguments"),
    pytest.param("hcl/huge_range_and_count", FINDINGS, id="hcl/huge_range_and_count"),
    pytest.param("hcl/locals_cycle", FINDINGS, id="hcl/locals_cycle"),
    pytest.param("hcl/lone_surrogates_tf", FINDINGS, id="hcl/lone_surrogates_tf"),
    # a module call that is not followed makes the scan incomplete (#13)
    pytest.param("hcl/module_cycle", ERROR, id="hcl/module_cycle"),
    pytest.param("hcl/module_outputs_cycle", FINDINGS, id="hcl/module_outputs_cycle"),
    pytest.param("hcl/module_self_reference", ERROR, id="hcl/module_self_reference"),
    pytest.param("hcl/syntax_error", ERROR, id="hcl/syntax_error"),
    pytest.param("hcl/syntax_error_garbage_token", ERROR, id="hcl/syntax_error_garbage_token"),
    pytest.param("hcl/tfvars_references", FINDINGS, id="hcl/tfvars_references"),
    pytest.param("hcl/tfvars_wrong", ERROR, id="hcl/tfvars_wrong"),
    pytest.param("hcl/unknown_blocks_and_labels", ERROR, id="hcl/unknown_blocks_and_labels"),
    pytest.param("hcl/unterminated_heredoc", ERROR, id="hcl/unterminated_heredoc"),
    pytest.param("hcl/unterminated_string", ERROR, id="hcl/unterminated_string"),
    pytest.param("hcl/utf16_bom_tf", FINDINGS, id="hcl/utf16_bom_tf"),
    pytest.param("hcl/utf8_bom_tf", FINDINGS, id="hcl/utf8_bom_tf"),
    pytest.param("hcl/variable_and_resource_cycle", FINDINGS, id="hcl/variable_and_resource_cycle"),
    pytest.param("hcl/wrong_types", FINDINGS, id="hcl/wrong_types"),
    *(pytest.param(name, outcome, id=name) for name, (_, outcome) in GENERATED.items()),
]


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "iacguard", "check", "-f", "json", str(path)]
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, -1, "", f"HANG: over {TIMEOUT} s")


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """Every case run once, concurrently: case name -> (input path, completed process)."""
    root = tmp_path_factory.mktemp("generated")
    paths = {str(p.values[0]): CORPUS / str(p.values[0]) for p in CASES}
    for index, (name, (build, _)) in enumerate(GENERATED.items()):
        paths[name] = build(root / f"case{index}")
    with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 1) * 2)) as pool:
        done = dict(zip(paths, pool.map(_run, paths.values()), strict=True))
    return {name: (paths[name], done[name]) for name in paths}


#: cases with more than one problem, each its own error line: module calls not followed
SEVERAL_ERRORS: dict[str, int] = {
    "hcl/module_self_reference": 2,  # calls itself; a registry module not installed
    "hcl/unknown_blocks_and_labels": 2,  # a call without source; one not installed
}


def test_the_corpus_is_big_enough() -> None:
    formats = {str(p.values[0]).split("/")[0] for p in CASES}
    assert len(CASES) >= 40
    assert {"tfplan", "cloudformation", "hcl", "directory"} <= formats


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_bad_input(
    outcomes: dict[str, tuple[Path, subprocess.CompletedProcess[str]]], name: str, expected: int
) -> None:
    path, done = outcomes[name]
    output = done.stdout + done.stderr
    assert "HANG" not in done.stderr
    assert "Traceback" not in output
    assert "internal error" not in output  # a parser crash turned into a diagnostic
    assert "crashed" not in output  # a check crash turned into a diagnostic
    errors = [line for line in done.stderr.splitlines() if line.startswith("iacguard: error:")]
    assert done.returncode == expected, done.stderr[-2000:]
    if expected == ERROR:
        assert len(errors) == SEVERAL_ERRORS.get(name, 1), done.stderr[-2000:]
        assert all(path.name in error for error in errors)
    else:
        assert errors == []
        report = json.loads(done.stdout)
        assert report["complete"] is True
        assert bool(report["findings"]) == (expected == FINDINGS)
