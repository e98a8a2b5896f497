#!/usr/bin/env bash
# What `npm test` runs: type-check, build the web app, unit tests, then integration and e2e
# tests together inside one network namespace (scripts/with-netns.sh). Stops at the first
# failing step and says which one it was.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step=setup
passed=()

step() {
  step=$1
  printf '\n\033[1m==> %s\033[0m\n' "$1"
}

summary() {
  local rc=$?
  local took=$((SECONDS - started))
  if [ "$rc" = 0 ]; then
    echo "shoal test: PASSED (${passed[*]}) in ${took}s"
  else
    echo "shoal test: FAILED at ${step} (exit ${rc}) after ${took}s; passed before it: ${passed[*]:-none}" >&2
  fi
}
trap summary EXIT

# Playwright must use the system Chromium: browser downloads fail here, so never
# `npx playwright install`. Debian's package is the one way we fetch a browser.
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  step "install chromium"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
    [ -x "$CHROMIUM_PATH" ] || { echo "chromium installed but $CHROMIUM_PATH is missing; set CHROMIUM_PATH" >&2; exit 1; }
  else
    echo "Chromium not found at $CHROMIUM_PATH: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi

step typecheck
npx tsc --noEmit -p .
passed+=(typecheck)

step "build web app"
npx vite build
passed+=(build)

step "unit tests"
npx vitest run test/unit
passed+=(unit)

step "integration + e2e tests (network namespace)"
# The web app was built just above; the e2e global setup need not build it again.
SHOAL_WEB_BUILT=1 bash scripts/with-netns.sh bash scripts/test-in-netns.sh
passed+=(integration e2e)
