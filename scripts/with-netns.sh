#!/usr/bin/env bash
# Runs a command inside a throwaway network namespace, so that WebRTC traffic from tests and
# benchmarks never targets this machine's real addresses (see shared ENVIRONMENT.md).
#
#   scripts/with-netns.sh <command...>
#
# Chromium gathers no ICE candidate on loopback alone, so the namespace gets a veth pair with
# both ends inside it (198.18.0.1 and .2, the benchmarking range) and a default route; nothing
# leaves the namespace. Needs root and a working `ip netns`; otherwise (a developer laptop) the
# command runs directly, unless SHOAL_REQUIRE_NETNS=1 (CI) makes that an error.
# Inside, SHOAL_NETNS holds the namespace name. The namespace is always deleted on exit.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command...>" >&2
  exit 2
fi

say() { echo "with-netns: $*" >&2; }

can_use_netns() {
  [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 && ip netns list >/dev/null 2>&1
}

# Already inside a namespace made by this script (e.g. `npm run test:e2e` from test.sh's inner
# script): nesting would only cut the command off from servers started in the outer one.
if [ -n "${SHOAL_NETNS:-}" ] && can_use_netns && [ "$(ip netns identify $$ 2>/dev/null || true)" = "$SHOAL_NETNS" ]; then
  exec "$@"
fi

if ! can_use_netns; then
  if [ "${SHOAL_REQUIRE_NETNS:-}" = 1 ]; then
    say "a network namespace is required (SHOAL_REQUIRE_NETNS=1) but this needs root and iproute2's 'ip netns'"
    exit 1
  fi
  exec "$@"
fi

# A namespace left by a run that was killed outright (no trap runs on SIGKILL) is removed when
# its owner is gone and nothing lives in it any more; anything busy is left alone.
for stale in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^shoal-[0-9]+-[0-9]+$' || true); do
  owner=${stale#shoal-}
  owner=${owner%%-*}
  if ! kill -0 "$owner" 2>/dev/null && [ -z "$(ip netns pids "$stale" 2>/dev/null)" ]; then
    ip netns del "$stale" 2>/dev/null && say "removed stale namespace $stale" || true
  fi
done

ns="shoal-$$-$RANDOM"

cleanup() {
  # Processes the command left behind (a server, a browser) would keep the namespace alive
  # after `ip netns del`; they were started by this run, so end them by pid.
  local pids
  pids=$(ip netns pids "$ns" 2>/dev/null | grep -vx "$$" || true)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      [ -z "$pids" ] && break
      sleep 0.3
    done
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || say "warning: could not delete namespace $ns (see 'ip netns list')"
}

if ! ip netns add "$ns"; then
  say "could not create network namespace $ns"
  exit 1
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

in_ns() { ip netns exec "$ns" "$@"; }
if ! {
  in_ns ip link set lo up &&
    in_ns ip link add va type veth peer name vb &&
    in_ns ip addr add 198.18.0.1/24 dev va &&
    in_ns ip addr add 198.18.0.2/24 dev vb &&
    in_ns ip link set va up &&
    in_ns ip link set vb up &&
    in_ns ip route add default via 198.18.0.2 dev va
}; then
  say "could not set up network namespace $ns"
  exit 1
fi

export SHOAL_NETNS="$ns"
set +e
# `ip netns exec` keeps the environment and the working directory.
ip netns exec "$ns" "$@"
rc=$?
set -e
exit "$rc"
