#!/usr/bin/env bash
# The part of scripts/test.sh that opens WebRTC connections, run inside one network namespace
# (scripts/with-netns.sh) so both suites share it and it is set up only once.
set -euo pipefail
cd "$(dirname "$0")/.."

has_tests() { [ -n "$(find "$1" -type f -name "$2" -print -quit 2>/dev/null)" ]; }

echo "namespace: ${SHOAL_NETNS:-none (running directly)}"

echo "--- integration tests"
# An empty suite is reported, not failed: vitest treats "no test files" as an error.
if has_tests test/integration '*.test.ts'; then
  npx vitest run test/integration
else
  echo "no integration tests yet (test/integration/*.test.ts); skipped"
fi

echo "--- e2e tests"
if has_tests test/e2e '*.spec.ts'; then
  npx playwright test
else
  echo "no e2e tests yet (test/e2e/*.spec.ts); skipped"
fi
