"""Backends: one folder per language under images/, each a Dockerfile and a backend.yaml."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from service.settings import Limit, Limits


class BackendError(Exception):
    """A backend description is invalid."""


class Backend(BaseModel):
    """What images/<name>/backend.yaml declares, plus what the built image reports."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str
    file: str
    run: list[str] = Field(min_length=1)
    compile: list[str] | None = None
    # Command whose first output line is the toolchain's version, run once when the image is built.
    version_command: list[str] = Field(min_length=1)
    # Which Debian release the image is built on (bullseye where bookworm lacks the toolchain).
    base: str = "bookworm"
    # Per-backend defaults where a toolchain cannot fit the server's (e.g. the JVM's memory).
    limits: dict[str, Limit] = {}
    # Environment added to every stage of this backend.
    env: dict[str, str] = {}
    version: str | None = None

    def limit(self, option: str, server: Limits) -> Limit:
        """The range of one option for this backend: its own where it declares one, else the server's."""
        own = self.limits.get(option)
        return own if own is not None else getattr(server, option)

    def image(self, prefix: str) -> str:
        """The image tag of this backend."""
        return f"{prefix}/{self.name}:latest"


def source_hash(folder: Path) -> str:
    """A digest of everything an image is built from, to skip builds that are up to date."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def load_backends(images_dir: Path) -> dict[str, Backend]:
    """Read every images/*/backend.yaml, keyed by backend name (the folder's name)."""
    backends: dict[str, Backend] = {}
    for description in sorted(images_dir.glob("*/backend.yaml")):
        name = description.parent.name
        try:
            raw: dict[str, Any] = yaml.safe_load(description.read_text()) or {}
            backends[name] = Backend(name=name, **raw)
        except (yaml.YAMLError, ValidationError, TypeError) as error:
            raise BackendError(f"{description}: {error}") from error
    return backends
