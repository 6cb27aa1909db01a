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

# die MESSAGE: one error annotation and exit 2. The message may quote an input: it is
# escaped as the runner unescapes a command's data (% CR LF; actions/runner
# ActionCommand.cs), so it stays on its one line.
die() {
    local message="$*"
    message="${message//'%'/'%25'}"
    message="${message//$'\r'/'%0D'}"
    message="${message//$'\n'/'%0A'}"
    echo "::error title=iacguard action::$message"
    exit 2
}

# one_line NAME VALUE: exit 2 unless VALUE is one line. A path with a line break could
# add lines of its own to GITHUB_OUTPUT (a forged output) or to the job log.
one_line() {
    if [[ "$2" == *[$'\r\n']* ]]; then die "$1 must not contain a line break"; fi
}

# boolean NAME VALUE: the --flag/--no-flag pair of iacguard option NAME for a true/false
# input, always explicit so that no configuration file in the scanned tree decides.
boolean() {
    case "$2" in
    true) FLAG="--$1" ;;
    false | "") FLAG="--no-$1" ;;
    *) die "$1 must be true or false, not '$2'" ;;
    esac
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
    one_line output "$sarif"
    work="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/iacguard.XXXXXX")"
    local report="$work/report.json" summary="$work/summary.md"
    # file formats first: the n-th --output takes the n-th --format
    local file_formats=(sarif json markdown) outputs=("$sarif" "$report" "$summary")
    local log_formats=()
    words "${INPUT_FORMAT:-}" ","
    for entry in "${WORDS[@]}"; do
        if [[ "$entry" == *=* ]]; then
            one_line format "$entry"
            file_formats+=("${entry%%=*}")
            outputs+=("${entry#*=}")
        else
            log_formats+=("$entry")
        fi
    done
    local args=(check)
    # Reports are written over, never deleted first: an output that is an input (a typo,
    # or `output: main.tf`) makes iacguard exit 2 before writing anything. A report
    # left by an earlier run is never counted or uploaded: only files newer than this
    # marker are.
    local started="$work/started"
    : >"$started"
    for index in "${!file_formats[@]}"; do
        out="${outputs[$index]}"
        mkdir -p -- "$(dirname -- "$out")"
        args+=(--format "${file_formats[$index]}" --output "$out")
    done
    for entry in "${log_formats[@]}"; do args+=(--format "$entry"); done
    if [[ -n "${INPUT_FAIL_ON:-}" ]]; then args+=(--fail-on "$INPUT_FAIL_ON"); fi
    if [[ -n "${INPUT_MIN_SEVERITY:-}" ]]; then args+=(--min-severity "$INPUT_MIN_SEVERITY"); fi
    words "${INPUT_SELECT:-}"
    for prefix in "${WORDS[@]}"; do args+=(--select "$prefix"); done
    words "${INPUT_IGNORE:-}"
    for prefix in "${WORDS[@]}"; do args+=(--ignore "$prefix"); done
    if [[ -n "${INPUT_ACCOUNT:-}" ]]; then args+=(--account "$INPUT_ACCOUNT"); fi
    if [[ -n "${INPUT_CONFIG:-}" ]]; then args+=(--config "$INPUT_CONFIG"); fi
    if [[ -n "${INPUT_BASELINE:-}" ]]; then args+=(--baseline "$INPUT_BASELINE"); fi
    boolean soft-fail "${INPUT_SOFT_FAIL:-}"
    args+=("$FLAG")
    # new-only: check reports what the change adds, and `iacguard diff` leads the summary
    local diff_args=(diff --format markdown --output "$work/diff.md") new_only=false
    boolean allow-config-plugins "${INPUT_ALLOW_CONFIG_PLUGINS:-}"
    if [[ "$FLAG" == --allow-config-plugins ]]; then
        args+=("$FLAG")
        diff_args+=("$FLAG")
    fi
    boolean new-only "${INPUT_NEW_ONLY:-}"
    if [[ "$FLAG" == --new-only ]]; then new_only=true; fi
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

    # shell-quoted: an input cannot start a line or hold "##[" in the log
    echo "iacguard $(printf '%q ' "${args[@]}")"
    iacguard "${args[@]}" || code=$?
    if [[ "$new_only" == true ]]; then
        # the diff's exit code is check's verdict again: only the comment is wanted
        echo "iacguard $(printf '%q ' "${diff_args[@]}")"
        iacguard "${diff_args[@]}" || true
    fi

    {
        echo "exit-code=$code"
        if written "$sarif" "$started"; then echo "sarif-file=$sarif"; fi
        if written "$report" "$started"; then counts "$report"; fi
    } >>"${GITHUB_OUTPUT:-/dev/null}"
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        if written "$work/diff.md" "$started"; then
            cat -- "$work/diff.md" >>"$GITHUB_STEP_SUMMARY"
            echo >>"$GITHUB_STEP_SUMMARY"
        fi
        if written "$summary" "$started"; then
            cat -- "$summary" >>"$GITHUB_STEP_SUMMARY"
        else
            printf '### iacguard\n\niacguard exited with %s before writing a report; see the job log.\n' \
                "$code" >>"$GITHUB_STEP_SUMMARY"
        fi
    fi
    rm -rf -- "$work"
    return "$code"
}

# written FILE MARKER: FILE is a non-empty regular file written after MARKER.
written() {
    [[ -f "$1" && -s "$1" && "$1" -nt "$2" ]]
}

# counts REPORT: `findings=N` and one `SEVERITY=N` line from a JSON report.
counts() {
    python3 - "$1" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as stream:
    summary = json.load(stream)["summary"]
print(f"findings={int(summary['findings'])}")
for severity in ("critical", "high", "medium", "low", "info"):
    print(f"{severity}={int(summary['by_severity'][severity])}")
PY
}

case "${1:-}" in
install) install ;;
scan) scan ;;
*) die "usage: iacguard-action.sh install|scan" ;;
esac
