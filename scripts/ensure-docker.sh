#!/usr/bin/env bash
# Make sure a Docker engine answers; on Debian without one, install docker.io, debootstrap
# and runsc (gVisor) and start dockerd in the background.
# Idempotent and quiet when the engine is already up.
set -euo pipefail

# An extra OCI runtime, offered to operators through the `runtime` setting: runsc (gVisor, a
# user-space kernel: the stronger boundary for public playgrounds). Its own --network=none gives
# the sandbox loopback only, as runc's empty network namespace does. (crun is not offered: it
# refuses this machine's hybrid cgroups.)
DAEMON_JSON='{
  "runtimes": {
    "runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"]}
  }
}'

# Writes dockerd's config when it is ours to write (a marker file says so: dockerd refuses
# unknown keys in the file itself). Succeeds only when the file changed.
register_runtimes() {
  local config=/etc/docker/daemon.json
  [ "$(id -u)" = 0 ] && [ -x /usr/bin/runsc ] || return 1
  if [ -e "$config" ] && [ ! -e /etc/docker/.written-by-sandpit ]; then
    echo "note: $config is not sandpit's; register runsc in it yourself to use runtime: runsc" >&2
    return 1
  fi
  [ "$(cat "$config" 2>/dev/null)" = "$DAEMON_JSON" ] && return 1
  mkdir -p /etc/docker
  touch /etc/docker/.written-by-sandpit
  printf '%s\n' "$DAEMON_JSON" >"$config"
}

if docker info >/dev/null 2>&1; then
  if register_runtimes; then
    # dockerd reloads its runtimes on SIGHUP; running containers are not disturbed.
    pid=$(pgrep -x dockerd | head -n 1 || true)
    if [ -n "$pid" ]; then
      kill -HUP "$pid"
      sleep 1
    fi
  fi
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1 || ! command -v runsc >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "No Docker engine answers and this is not a Debian root shell: install and start Docker, then retry." >&2
    exit 1
  fi
  echo "Installing docker.io and debootstrap from Debian's packages..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap runsc >/dev/null
fi

if [ "$(id -u)" != 0 ]; then
  echo "dockerd is installed but not running; start it as root (scripts/ensure-docker.sh)." >&2
  exit 1
fi

# No init system here: start dockerd ourselves. No default bridge and no iptables rules: task
# containers get no network at all and image builds use the host's network.
register_runtimes || true
# A dockerd killed hard leaves its pid file behind, and a new one refuses to start over it.
for stale in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
  [ -e "$stale" ] || continue
  pid=$(cat "$stale" 2>/dev/null || true)
  # Gone, or a zombie its parent has not reaped yet: either way not running.
  if [ -z "$pid" ] || ! grep -Eqs '^State:[[:space:]]+[^Z[:space:]]' "/proc/$pid/status"; then
    rm -f "$stale"
  fi
done
log=/var/log/sandpit-dockerd.log
echo "Starting dockerd (log: $log)..." >&2
nohup dockerd --bridge=none --iptables=false >"$log" 2>&1 &
dockerd_pid=$!
echo "$dockerd_pid" >/run/sandpit-dockerd.pid
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  if ! kill -0 "$dockerd_pid" 2>/dev/null; then
    echo "dockerd exited at start:" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "dockerd did not answer within 30 s; see $log" >&2
exit 1
