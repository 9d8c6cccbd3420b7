"""Build the backends' images: `python -m service.images [NAME ...] [--jobs N]`.

Each image is built from images/<name>/ on a local Debian base (pulled when a registry answers,
made with debootstrap otherwise), then labelled with a digest of its sources and the toolchain
version read from the built image. An image whose digest label matches its sources is skipped.
This is build tooling run by `make images`; the service itself talks to Docker in sandbox.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from service.backends import Backend, load_backends, source_hash
from service.settings import PROJECT_ROOT, load_settings

BASE_SCRIPT = PROJECT_ROOT / "scripts" / "build-base.sh"


def _docker(*args: str, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], input=input_text, capture_output=True, text=True, check=False)


def _label(image: str, label: str) -> str | None:
    found = _docker("image", "inspect", "--format", f'{{{{index .Config.Labels "{label}"}}}}', image)
    return found.stdout.strip() if found.returncode == 0 else None


def _build(backend: Backend, folder: Path, prefix: str) -> str:
    base = f"sandpit-base:{backend.base}"
    digest = f"{source_hash(folder)}-{_docker('image', 'inspect', '--format', '{{.Id}}', base).stdout.strip()[7:19]}"
    image = backend.image(prefix)
    if _label(image, "sandpit.source") == digest:
        return f"{backend.name}: up to date"
    staging = f"{prefix}/{backend.name}:build"
    built = subprocess.run(
        ["docker", "build", "--network", "host", "--build-arg", f"BASE={base}", "-t", staging, str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        raise RuntimeError(f"{backend.name}: docker build failed:\n{built.stdout[-3000:]}{built.stderr[-3000:]}")
    probe = _docker("run", "--rm", "--network", "none", "--user", "1000:1000", staging, *backend.version_command)
    lines = [line.strip() for line in (probe.stdout + probe.stderr).splitlines() if line.strip()]
    if probe.returncode != 0 or not lines:
        raise RuntimeError(f"{backend.name}: version command failed: {probe.stdout}{probe.stderr}")
    version = lines[0]
    labelled = _docker(
        "build",
        "-q",
        "--label",
        f"sandpit.source={digest}",
        "--label",
        f"sandpit.version={version}",
        "-t",
        image,
        "-",
        input_text=f"FROM {staging}\n",
    )
    if labelled.returncode != 0:
        raise RuntimeError(f"{backend.name}: labelling failed: {labelled.stderr}")
    _docker("rmi", staging)
    return f"{backend.name}: built ({version})"


def main(argv: list[str] | None = None) -> int:
    """Build the named backends' images (all by default), skipping those up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("names", nargs="*")
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args(argv)
    settings = load_settings()
    backends = load_backends(settings.images_dir)
    names = args.names or sorted(backends)
    unknown = [name for name in names if name not in backends]
    if unknown:
        print(f"unknown backends: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for base in sorted({backends[name].base for name in names}):
        subprocess.run([str(BASE_SCRIPT), base, f"sandpit-base:{base}"], check=True)
    failed = False
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            name: pool.submit(_build, backends[name], settings.images_dir / name, settings.image_prefix)
            for name in names
        }
        for future in futures.values():
            try:
                print(future.result(), flush=True)
            except (RuntimeError, OSError) as error:
                failed = True
                print(error, file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
