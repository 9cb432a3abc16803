#!/usr/bin/env bash
# Builds attn and runs every test (lit suite, unit tests, GPU tests, which
# report "skipped" where no GPU is present).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
echo "== attn: running the tests"
cd "$ATTN_BUILD"
ctest --output-on-failure -j"$(nproc)"
