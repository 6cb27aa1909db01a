#!/usr/bin/env bash
# The steps of the iacguard GitHub Action (action.yml): `install` and `scan`.
#
# Inputs arrive as INPUT_* environment variables, set by action.yml's `env:` blocks and
# never interpolated into shell code. The runner provides GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, GITHUB_PATH, GITHUB_ACTION_PATH and RUNNER_TEMP. INPUT_* rather
# than IACGUARD_* names: iacguard reads IACGUARD_* variables as configuration.
#
# Run `scan` locally with iacguard on PATH and those variables pointed at files:
#   GITHUB_OUTPUT=out.txt GITHUB_STEP_SUMMARY=summary.md INPUT_PATHS=plan.json \
#     bash .github/scripts/iacguard-action.sh scan
# Exit code: iacguard's own (0 clean, 1 failing findings, 2 error).
set -euo pipefail
set -f # input words are never globbed

die() {
    echo "::error title=iacguard action::$*"
    exit 2
}

# words TEXT [EXTRA_SEPARATORS]: split TEXT on blanks and newlines (and the extra
# separators) into the array WORDS.
words() {
    local IFS=$' \t\n'"${2:-}"
    read -r -d '' -a WORDS <<<"$1" || true
}

install() {
    local python=python3 venv bin requirement plugin
    words "${INPUT_PLUGINS:-}"
    for plugin in "${WORDS[@]}"; do
        if [[ "$plugin" == -* ]]; then die "plugins: '$plugin' is not a package requirement"; fi
    done
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "iacguard needs Python 3.11 or newer on PATH as python3 (add actions/setup-python)"
    venv="${RUNNER_TEMP:?}/iacguard-venv"
    "$python" -m venv "$venv"
    bin="$venv/bin"
    if [[ -d "$venv/Scripts" ]]; then bin="$venv/Scripts"; fi # Windows runners
    if [[ -n "${INPUT_VERSION:-}" ]]; then
        requirement="iacguard-iam==$INPUT_VERSION"
    else
        requirement="${GITHUB_ACTION_PATH:?}" # the action's own checkout: same version
    fi
    "$bin/python" -m pip install --quiet --disable-pip-version-check "$requirement" "${WORDS[@]}"
    echo "$bin" >>"${GITHUB_PATH:?}"
}

scan() {
    command -v iacguard >/dev/null || die "iacguard is not on PATH (did the install step run?)"
    local sarif="${INPUT_OUTPUT:-iacguard.sarif}" work code=0 entry out index
    work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/iacguard.XXXXXX")"
    local report="$work/report.json" summary="$work/summary.md"
    # file formats first: the n-th --output takes the n-th --format
    local file_formats=(sarif json markdown) outputs=("$sarif" "$report" "$summary")
    local log_formats=()
    words "${INPUT_FORMAT:-}" ","
    for entry in "${WORDS[@]}"; do
        if [[ "$entry" == *=* ]]; then
            file_formats+=("${entry%%=*}")
            outputs+=("${entry#*=}")
        else
            log_formats+=("$entry")
        fi
    done
    local args=(check)
    for index in "${!file_formats[@]}"; do
        out="${outputs[$index]}"
        mkdir -p -- "$(dirname -- "$out")"
        rm -f -- "$out" # never upload or count a report left by an earlier run
        args+=(--format "${file_formats[$index]}" --output "$out")
    done
    for entry in "${log_formats[@]}"; do args+=(--format "$entry"); done
    if [[ -n "${INPUT_FAIL_ON:-}" ]]; then args+=(--fail-on "$INPUT_FAIL_ON"); fi
    if [[ -n "${INPUT_CONFIG:-}" ]]; then args+=(--config "$INPUT_CONFIG"); fi
    if [[ -n "${INPUT_BASELINE:-}" ]]; then args+=(--baseline "$INPUT_BASELINE"); fi
    case "${INPUT_SOFT_FAIL:-false}" in
    true) args+=(--soft-fail) ;;
    false | "") ;;
    *) die "soft-fail must be true or false, not '$INPUT_SOFT_FAIL'" ;;
    esac
    # new-only: check reports what the change adds, and `iacguard diff` leads the summary
    local diff_args=(diff --format markdown --output "$work/diff.md") new_only=false
    case "${INPUT_NEW_ONLY:-false}" in
    true) new_only=true ;;
    false | "") ;;
    *) die "new-only must be true or false, not '$INPUT_NEW_ONLY'" ;;
    esac
    if [[ -n "${INPUT_BASE:-}" ]]; then
        new_only=true
        diff_args+=(--base "$INPUT_BASE")
    fi
    if [[ "$new_only" == true ]]; then
        args+=(--new-only)
        if [[ -n "${INPUT_BASE:-}" ]]; then args+=(--base "$INPUT_BASE"); fi
        if [[ -n "${INPUT_CONFIG:-}" ]]; then diff_args+=(--config "$INPUT_CONFIG"); fi
    fi
    words "${INPUT_PATHS:-}"
    if ((${#WORDS[@]} == 0)); then WORDS=(.); fi
    args+=(-- "${WORDS[@]}")
    diff_args+=(-- "${WORDS[@]}")

    echo "iacguard ${args[*]}"
    iacguard "${args[@]}" || code=$?
    if [[ "$new_only" == true ]]; then
        # the diff's exit code is check's verdict again: only the comment is wanted
        echo "iacguard ${diff_args[*]}"
        iacguard "${diff_args[@]}" || true
    fi

    {
        echo "exit-code=$code"
        if [[ -s "$sarif" ]]; then echo "sarif-file=$sarif"; fi
        if [[ -s "$report" ]]; then counts "$report"; fi
    } >>"${GITHUB_OUTPUT:-/dev/null}"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        if [[ -s "$work/diff.md" ]]; then
            cat -- "$work/diff.md" >>"$GITHUB_STEP_SUMMARY"
            echo >>"$GITHUB_STEP_SUMMARY"
        fi
        if [[ -s "$summary" ]]; then
            cat -- "$summary" >>"$GITHUB_STEP_SUMMARY"
        else
            printf '### iacguard\n\niacguard exited with %s before writing a report; see the job log.\n' \
                "$code" >>"$GITHUB_STEP_SUMMARY"
        fi
    fi
    rm -rf -- "$work"
    return "$code"
}

# counts REPORT: `findings=N` and one `SEVERITY=N` line from a JSON report.
counts() {
    python3 - "$1" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as stream:
    summary = json.load(stream)["summary"]
print(f"findings={summary['findings']}")
for severity, count in summary["by_severity"].items():
    print(f"{severity}={count}")
PY
}

case "${1:-}" in
install) install ;;
scan) scan ;;
*) die "usage: iacguard-action.sh install|scan" ;;
esac
