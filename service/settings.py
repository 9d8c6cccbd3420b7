"""Settings: settings.yaml validated by pydantic, every field overridable by SANDPIT_<NAME>."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "settings.yaml"


class SettingsError(Exception):
    """The settings file or an override is invalid; the message names the culprit."""


class Limit(BaseModel):
    """One request limit: what a request gets by default and the range it may ask for."""

    model_config = ConfigDict(extra="forbid")

    default: int = Field(gt=0)
    minimum: int = Field(gt=0)
    maximum: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Limit:
        if not self.minimum <= self.default <= self.maximum:
            raise ValueError("needs minimum <= default <= maximum")
        return self


class Limits(BaseModel):
    """The per-request limits of API.md's `options`, in the units a request uses."""

    model_config = ConfigDict(extra="forbid")

    # Seconds of wall clock for the run stage: long enough for any exercise, short enough that
    # one stuck program cannot hold a worker for long.
    timeLimit: Limit = Limit(default=10, minimum=1, maximum=60)
    # Compilers (ghc, scalac) are slow on a cold cache; 30 s fits them with room.
    compileTimeLimit: Limit = Limit(default=30, minimum=1, maximum=120)
    # MiB, swap excluded: fits a JVM hello world and any exercise; 2 GiB caps one task's share.
    memoryLimit: Limit = Limit(default=256, minimum=16, maximum=2048)
    # Processes and threads at once: room for a JVM's threads, far below a fork bomb's reach.
    processLimit: Limit = Limit(default=64, minimum=8, maximum=512)
    # Bytes kept per stream per stage: 1 MiB is more than a person reads, 16 MiB caps the JSON.
    outputLimit: Limit = Limit(default=1 << 20, minimum=1024, maximum=16 << 20)


class Pool(BaseModel):
    """Containers started ahead of their tasks, so a task does not wait for the engine."""

    model_config = ConfigDict(extra="forbid")

    # Ready containers kept per backend when it is idle; 0 turns the pool off.
    minimum: int = Field(default=1, ge=0, le=64)
    # At most this many per backend however high the demand.
    maximum: int = Field(default=8, ge=0, le=256)
    # Total memory the idle containers may reserve, in MiB (an idle one costs about 3.5 MiB).
    budget_mib: int = Field(default=256, ge=0)


class Settings(BaseSettings):
    """Everything an operator can change; see settings.yaml for the reasons behind each value."""

    model_config = SettingsConfigDict(
        env_prefix="SANDPIT_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    host: str = "127.0.0.1"
    port: int = Field(default=9900, ge=0, le=65535)
    bypass_task_queue: bool = False
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    queue_size: int = Field(default=256, ge=1)
    task_ttl: float = Field(default=3600, gt=0)
    max_tasks: int = Field(default=10000, ge=1)
    max_body_bytes: int = Field(default=10 << 20, ge=1024)
    shutdown_grace: float = Field(default=10, ge=0)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    images_dir: Path = PROJECT_ROOT / "images"
    image_prefix: str = "sandpit"
    runner_path: Path = PROJECT_ROOT / "build" / "sandpit-runner"
    work_dir: Path = Path("/var/lib/sandpit/tasks")
    docker_url: str = "unix:///var/run/docker.sock"
    runtime: Literal["runc", "runsc"] = "runc"

    limits: Limits = Limits()
    pool: Pool = Pool()

    work_size_mib: int = Field(default=64, ge=1, le=4096)
    work_inodes: int = Field(default=4096, ge=16)
    tmp_size_mib: int = Field(default=64, ge=1, le=4096)
    tmp_inodes: int = Field(default=4096, ge=16)
    file_size_mib: int = Field(default=64, ge=1)
    open_files: int = Field(default=256, ge=16)
    cpus: float = Field(default=1.0, gt=0)
    sandbox_user: str = "1000:1000"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file (passed as init values); nothing else is read.
        return env_settings, init_settings


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Read and validate the settings file (if any), apply SANDPIT_* and keyword overrides."""
    values: dict[str, Any] = {}
    path = path or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            raise SettingsError(f"cannot read {path}: {error}") from error
        if not isinstance(loaded, dict):
            raise SettingsError(f"{path}: the top level must be a mapping")
        values.update(loaded)
    values.update(overrides)
    try:
        settings = Settings(**values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}" for issue in error.errors()
        )
        raise SettingsError(f"invalid settings ({path or 'defaults'}): {problems}") from error
    if overrides:
        # Explicit overrides (tests, scripts) win over the environment too.
        settings = settings.model_copy(update=overrides)
    return settings
