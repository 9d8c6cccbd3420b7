#!/usr/bin/env bash
# Usage: build-base.sh SUITE TAG
# Make a Debian base image TAG (e.g. sandpit-base:bookworm): pulled from a registry when one
# answers, otherwise made locally with debootstrap (no registry is needed). Skipped when TAG exists.
set -euo pipefail
suite=$1
tag=$2

if docker image inspect "$tag" >/dev/null 2>&1; then
  exit 0
fi
if docker pull -q "debian:${suite}-slim" >/dev/null 2>&1; then
  docker tag "debian:${suite}-slim" "$tag"
  exit 0
fi
echo "No registry answers: building $tag with debootstrap (about a minute)..." >&2
dir=$(mktemp -d /var/tmp/sandpit-base.XXXXXX)
trap 'rm -rf "$dir"' EXIT
debootstrap --variant=minbase "$suite" "$dir" http://deb.debian.org/debian >"$dir.log" 2>&1 || {
  tail -20 "$dir.log" >&2
  exit 1
}
rm -f "$dir.log"
# Smaller and more like debian:*-slim: no apt lists or caches in the base.
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin
tar -C "$dir" -c . | docker import -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
