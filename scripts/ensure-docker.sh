#!/usr/bin/env bash
# Make sure a Docker engine answers; on Debian without one, install docker.io (and gVisor's
# runsc, offered as an alternative runtime) and start dockerd in the background.
# Idempotent and quiet when the engine is already up.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "No Docker engine answers and this is not a Debian root shell: install and start Docker, then retry." >&2
    exit 1
  fi
  echo "Installing docker.io and debootstrap from Debian's packages..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null
fi

if [ "$(id -u)" != 0 ]; then
  echo "dockerd is installed but not running; start it as root (scripts/ensure-docker.sh)." >&2
  exit 1
fi

# No init system here: start dockerd ourselves. No default bridge and no iptables rules: task
# containers get no network at all and image builds use the host's network.
runtimes=()
if command -v runsc >/dev/null 2>&1; then
  runtimes+=(--add-runtime "runsc=$(command -v runsc)")
fi
log=/var/log/sandpit-dockerd.log
echo "Starting dockerd (log: $log)..." >&2
nohup dockerd --bridge=none --iptables=false "${runtimes[@]}" >"$log" 2>&1 &
echo $! >/run/sandpit-dockerd.pid
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.5
done
echo "dockerd did not answer within 30 s; see $log" >&2
exit 1
