#!/bin/sh
# usage: expect_output.sh STATUS PATTERN COMMAND [ARGS...]
# Runs COMMAND and succeeds if it exits with STATUS (or one of several,
# "0|77") and its output (stdout and stderr together) has a line matching
# the extended regex PATTERN.
# Status 77 (skipped: no GPU) is passed through when STATUS is not 77, so
# that a test with SKIP_RETURN_CODE 77 reports skipped there.
expected=$1
pattern=$2
shift 2
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
case "|$expected|" in
  *"|$status|"*) matched=1 ;;
  *) matched=0 ;;
esac
if [ "$status" -eq 77 ] && [ "$matched" -eq 0 ]; then
  exit 77
fi
if [ "$matched" -eq 0 ]; then
  echo "expect_output.sh: exit status $status, expected $expected" >&2
  exit 1
fi
if ! printf '%s\n' "$output" | grep -Eq -- "$pattern"; then
  echo "expect_output.sh: no line matches: $pattern" >&2
  exit 1
fi
