# Step helpers shared by the referee scripts (sourced): each prints "ok - STEP", or
# "FAIL - STEP" with the command's output and exits 1. $out holds the last output.

# run STEP CMD...: runs the command, keeps its combined output in $out, fails on non-zero exit.
run() {
    local step="$1"; shift
    out="$("$@" 2>&1)"
    local rc=$?
    if [ $rc -ne 0 ]; then
        printf 'FAIL - %s (exit %d)\n$ %s\n%s\n' "$step" "$rc" "$*" "$out"
        exit 1
    fi
}

# fails_with STEP PATTERN CMD...: the command must fail and print PATTERN.
fails_with() {
    local step="$1" pattern="$2"; shift 2
    out="$("$@" 2>&1)"
    local rc=$?
    if [ $rc -eq 0 ] || ! grep -qE -- "$pattern" <<<"$out"; then
        printf 'FAIL - %s (exit %d, expected a failure matching /%s/)\n$ %s\n%s\n' "$step" "$rc" "$pattern" "$*" "$out"
        exit 1
    fi
    echo "ok - $step"
}

# expect STEP PATTERN: the last output matches the extended regex.
expect() {
    if ! grep -qE -- "$2" <<<"$out"; then
        printf 'FAIL - %s (expected /%s/ in:)\n%s\n' "$1" "$2" "$out"
        exit 1
    fi
    echo "ok - $1"
}

# expect_not STEP PATTERN
expect_not() {
    if grep -qE -- "$2" <<<"$out"; then
        printf 'FAIL - %s (did not expect /%s/ in:)\n%s\n' "$1" "$2" "$out"
        exit 1
    fi
    echo "ok - $1"
}
