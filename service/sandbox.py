"""The sandbox: the only module that talks to Docker.

Every task gets a fresh container of its backend's image, used for that task alone and removed
after it. The container's process 1 is sandpit-runner (service/runner/runner.c), a trusted
program bind-mounted read-only, which waits on its attached stdin for the task's stages. So a
container can be created and started before its task arrives (the ready pool) and the task
pays only for sending its spec and running its program. Each stage's limits are enforced twice:
by the runner (wall clock, output) and by the engine (memory, processes, CPU, file size); a
backstop deadline on the host kills the container if the runner ever fails to.

The task's files live in a per-task directory on the host, a size-limited tmpfs mounted for the
task and bind-mounted as the container's /work; it is unmounted and removed with the container.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import logging
import os
import shutil
import signal
import socket
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types import LogConfig, Ulimit

from service.backends import Backend
from service.errors import EngineUnavailable
from service.metrics import Metrics
from service.settings import Settings

log = logging.getLogger(__name__)

WORK_MOUNT = "/work"
RUNNER_MOUNT = "/.sandpit/runner"
LABEL_OWNER = "sandpit.owner"
DOCKER_API_VERSION = "1.41"  # Docker 20.10, Debian bookworm's engine; newer engines speak it too
BACKSTOP_SLACK_S = 5.0  # beyond the stages' own limits before the host kills a silent container
# gVisor's own host threads (its kernel and ptrace stubs) count against the container's pids
# limit, and each of the program's processes costs a stub process and threads on the host
# (ptrace platform): under runsc the pids limit is sized for that, and bounds the program loosely.
RUNSC_THREADS = 192
RUNSC_PANIC = 2  # the exit code of a container whose gVisor kernel gave up
SWEEP_INTERVAL_S = 30.0  # how often exited containers of ours are looked for
REMOVE_ATTEMPTS = 5  # dockerd's transient refusals to remove a container that is exiting
ENGINE_SLOW_PINGS = 3  # pings of over a second in a row before a busy engine counts as down
IDLE_CONTAINER_MIB = 4  # what an idle ready container costs the host (measured about 3.5 MiB)

FRAME_STDOUT, FRAME_STDERR, FRAME_RESULT, FRAME_DONE, FRAME_ERROR = 1, 2, 3, 4, 5
RESULT = struct.Struct("<iiIQBBBB")
FRAME_HEADER = struct.Struct("<BBI")
DOCKER_HEADER = struct.Struct(">BxxxI")

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
MS_NOSUID, MS_NODEV = 2, 4
MNT_DETACH = 2

ENGINE_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException, OSError)


@dataclass(frozen=True)
class StageSpec:
    """One stage to run: its argv, environment, standard input and wall-clock limit."""

    name: str
    argv: list[str]
    env: dict[str, str]
    stdin: bytes
    time_limit_ms: int


@dataclass(frozen=True)
class Job:
    """Everything the sandbox needs to run one task."""

    backend: Backend
    files: dict[str, tuple[bytes, bool]]
    stages: list[StageSpec]
    memory_mib: int
    processes: int
    output_bytes: int


@dataclass
class StageOutcome:
    """How one stage ended, as the runner (or the host, if the runner could not) saw it."""

    code: int = 0
    signal: int = 0
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    duration_ms: int = 0
    memory_peak: int | None = None
    oom: bool = False
    timeout: bool = False
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    internal: bool = False

    @property
    def status(self) -> str:
        """ok, error, timeout, memory, signal or internal."""
        if self.internal:
            return "internal"
        if self.timeout:
            return "timeout"
        if self.oom and (self.signal == signal.SIGKILL or self.code != 0):
            return "memory"
        if self.signal:
            return "signal"
        return "ok" if self.code == 0 else "error"

    @property
    def signal_name(self) -> str | None:
        """The terminating signal's name, e.g. SIGKILL."""
        if not self.signal:
            return None
        try:
            return signal.Signals(self.signal).name
        except ValueError:
            return f"SIG{self.signal}"


@dataclass
class Outcome:
    """The stages that ran, in order, and why the task stopped if not by itself."""

    stages: dict[str, StageOutcome] = field(default_factory=dict)
    error_type: str | None = None
    error: str | None = None
    killed: bool = False

    @property
    def terminated(self) -> bool:
        """True when a limit or a kill ended the task."""
        return self.killed or any(stage.timeout or stage.status == "memory" for stage in self.stages.values())


@dataclass
class Box:
    """A started container waiting for its task, with its working directory and attach socket."""

    id: str
    key: tuple[str, int, int]
    workdir: Path
    sock: socket.socket
    raw: Any  # the SDK's socket wrapper; kept so it is closed with the socket


class Execution:
    """One task's run in the sandbox; `kill()` may be called from any thread or coroutine."""

    def __init__(self, sandbox: Sandbox, job: Job) -> None:
        self.sandbox = sandbox
        self.job = job
        self.container_id: str | None = None
        self.killed = False
        self._lock = threading.Lock()

    def attach(self, container_id: str) -> None:
        with self._lock:
            self.container_id = container_id
            killed = self.killed
        if killed:
            self.sandbox.kill_container(container_id)

    def kill(self) -> None:
        """Stop the task now: its container is killed (removal follows as usual)."""
        with self._lock:
            self.killed = True
            container_id = self.container_id
        if container_id:
            self.sandbox.submit(self.sandbox.kill_container, container_id)

    async def run(self) -> Outcome:
        """Run the job to its end in a worker thread; cancelling this kills the container."""
        try:
            return await self.sandbox.run_blocking(self)
        except asyncio.CancelledError:
            self.kill()
            raise


def _mount_tmpfs(path: Path, size_mib: int, inodes: int, uid: int, gid: int) -> bool:
    options = f"size={size_mib}m,nr_inodes={inodes},mode=0755,uid={uid},gid={gid}".encode()
    if _libc.mount(b"tmpfs", str(path).encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) == 0:
        return True
    log.warning(
        "cannot mount a tmpfs on %s (%s): the working directory's size is not bounded",
        path,
        os.strerror(ctypes.get_errno()),
    )
    return False


def owner_label(work_dir: Path) -> str:
    """The LABEL_OWNER value of one instance's containers: instances with other work dirs differ."""
    return hashlib.sha256(str(work_dir.resolve()).encode()).hexdigest()[:12]


def _time_unreported(outcome: Outcome, sent_at: float) -> None:
    """Give a stage the runner never reported on the host's view of its time."""
    unfinished = [stage for stage in outcome.stages.values() if not stage.duration_ms]
    if unfinished:
        before = sum(stage.duration_ms for stage in outcome.stages.values())
        unfinished[-1].duration_ms = max(0, int((time.monotonic() - sent_at) * 1000) - before)


def remove_workdir(path: Path) -> None:
    """Unmount and delete a task directory, whatever the program did to its contents."""
    if _libc.umount2(str(path).encode(), MNT_DETACH) != 0 and ctypes.get_errno() not in (errno.EINVAL, errno.ENOENT):
        log.warning("cannot unmount %s: %s", path, os.strerror(ctypes.get_errno()))
    # Root ignores permission bits, so a chmod 000 subfolder does not stop this; symlinks are
    # removed, never followed.
    shutil.rmtree(path, ignore_errors=True)


def _cut_utf8(data: bytes) -> bytes:
    """Drop an incomplete UTF-8 sequence at the end of output cut at the limit."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: look further back for the lead
        needed = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
        return data[:-back] if needed > back else data
    return data


def decode_output(data: bytes, truncated: bool) -> str:
    """Output as text: cut on a UTF-8 boundary if truncated, invalid bytes replaced."""
    return (_cut_utf8(data) if truncated else data).decode("utf-8", errors="replace")


def _pack_strings(values: Iterable[str]) -> bytes:
    encoded = [value.encode() for value in values]
    return struct.pack("<I", len(encoded)) + b"".join(struct.pack("<I", len(item)) + item for item in encoded)


def build_spec(job: Job) -> bytes:
    """The runner's input: every stage's limits, argv, environment and standard input."""
    parts = [b"SPT1", struct.pack("<I", len(job.stages))]
    for stage in job.stages:
        env = {**job.backend.env, **stage.env}
        parts += [
            struct.pack("<II", stage.time_limit_ms, job.output_bytes),
            _pack_strings(stage.argv),
            _pack_strings(f"{name}={value}" for name, value in env.items()),
            struct.pack("<I", len(stage.stdin)),
            stage.stdin,
        ]
    return b"".join(parts)


def write_files(workdir: Path, files: dict[str, tuple[bytes, bool]], uid: int, gid: int) -> None:
    """Write the task's files into its fresh directory, owned by the sandbox user."""
    for relative, (data, executable) in files.items():
        target = workdir
        for part in relative.split("/")[:-1]:
            target = target / part
            if not target.is_dir():
                target.mkdir(mode=0o755)
                os.chown(target, uid, gid)
        path = target / relative.rsplit("/", 1)[-1]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o755 if executable else 0o644)
        try:
            os.fchown(fd, uid, gid)
            os.fchmod(fd, 0o755 if executable else 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


class _FrameReader:
    """Reads the runner's frames out of Docker's multiplexed attach stream."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline
        self.raw = bytearray()
        self.payload = bytearray()

    def _fill(self) -> bool:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            return False
        self.raw += chunk
        while len(self.raw) >= DOCKER_HEADER.size:
            stream, size = DOCKER_HEADER.unpack_from(self.raw)
            if len(self.raw) < DOCKER_HEADER.size + size:
                break
            body = self.raw[DOCKER_HEADER.size : DOCKER_HEADER.size + size]
            del self.raw[: DOCKER_HEADER.size + size]
            if stream == 1:
                self.payload += body
            else:
                log.warning("runner stderr: %s", bytes(body[:500]))
        return True

    def frames(self) -> Iterable[tuple[int, int, bytes]]:
        """Yield (type, stage, payload) until the stream ends; TimeoutError past the deadline."""
        while True:
            while len(self.payload) >= FRAME_HEADER.size:
                kind, stage, size = FRAME_HEADER.unpack_from(self.payload)
                if len(self.payload) < FRAME_HEADER.size + size:
                    break
                body = bytes(self.payload[FRAME_HEADER.size : FRAME_HEADER.size + size])
                del self.payload[: FRAME_HEADER.size + size]
                yield kind, stage, body
            if not self._fill():
                return


class Sandbox:
    """Runs jobs in fresh containers and keeps a pool of started ones ready."""

    def __init__(self, settings: Settings, backends: dict[str, Backend], metrics: Metrics) -> None:
        self.settings = settings
        self.backends = backends
        self.metrics = metrics
        self.available: set[str] = set()
        uid, _, gid = settings.sandbox_user.partition(":")
        self.uid, self.gid = int(uid), int(gid or uid)
        self.owner = owner_label(settings.work_dir)
        threads = 2 * settings.workers + 8  # running tasks, plus the pool's starts and removals
        # One engine connection per thread (and the pinger), so none waits for another's.
        self.client = docker.APIClient(
            base_url=settings.docker_url, version=DOCKER_API_VERSION, timeout=60, max_pool_size=threads + 2
        )
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sandbox")
        self.engine_up = False
        self.ready: dict[tuple[str, int, int], deque[Box]] = {}
        self.demand: dict[str, deque[float]] = {}
        self.preparing: dict[tuple[str, int, int], int] = {}
        self._refill = asyncio.Event()
        self._background: list[asyncio.Task[None]] = []
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()
        self._preparing_tasks: set[asyncio.Task[None]] = set()
        self._closing = False
        self._exited: set[str] = set()
        metrics.ready.set_function(lambda: sum(len(boxes) for boxes in self.ready.values()))

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Remove what an earlier run left, read the images, start the pool and the watcher."""
        self.settings.work_dir.mkdir(parents=True, exist_ok=True)
        if not self.settings.runner_path.is_file():
            raise RuntimeError(f"{self.settings.runner_path} is missing: run `make runner`")
        try:
            await self.call(self.remove_leftovers)
            await self.call(self._read_images)
            self.engine_up = True
        except EngineUnavailable as error:
            log.error("the container engine is unavailable at start: %s", error)
        self._refill.set()  # fill the pool now, not at the first task
        self._background = [
            asyncio.create_task(self._watch_engine(), name="engine-watch"),
            asyncio.create_task(self._fill_pool(), name="pool-fill"),
        ]

    async def close(self) -> None:
        """Stop the pool and remove every container and task directory of ours."""
        self._closing = True
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, *self._preparing_tasks, return_exceptions=True)
        with self._pending_lock:
            pending = list(self._pending)
        if pending:
            await asyncio.get_running_loop().run_in_executor(None, wait_futures, pending, 15)
        try:
            await self.call(self.remove_leftovers)
        except EngineUnavailable as error:
            log.warning("could not remove containers at shutdown: %s", error)
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.client.close()

    def remove_leftovers(self) -> None:
        """Remove every container labelled as ours and every task directory (blocking)."""
        for box in [box for boxes in self.ready.values() for box in boxes]:
            box.sock.close()
        self.ready.clear()
        leftovers = self._our_containers()
        for container_id in leftovers:
            self.kill_container(container_id)
        for path in self.settings.work_dir.iterdir():
            remove_workdir(path)
        if leftovers:
            log.info("removed %d containers left by an earlier run", len(leftovers))

    def sweep_exited(self) -> None:
        """Remove containers of ours that stayed exited since the last sweep (blocking).

        A second line behind destroy(): a container of ours that has exited is never needed
        again (ready ones are running), so one whose removal failed does not live on. Waiting a
        sweep leaves destroy() time to do it first.
        """
        found = self._our_containers("exited") | self._our_containers("dead")
        for container_id in found & self._exited:
            log.warning("removing container %s, which outlived its task", container_id[:12])
            self.kill_container(container_id)
        self._exited = found - self._exited

    def _our_containers(self, status: str | None = None) -> set[str]:
        """Ids of this instance's containers, in one state or in any (blocking)."""
        filters = {"label": f"{LABEL_OWNER}={self.owner}", **({"status": status} if status else {})}
        try:
            return {container["Id"] for container in self.client.containers(all=True, filters=filters)}
        except ENGINE_ERRORS as error:
            raise EngineUnavailable(str(error)) from error

    def _read_images(self) -> None:
        for name, backend in self.backends.items():
            try:
                labels = (
                    self.client.inspect_image(  # type: ignore[no-untyped-call]
                        backend.image(self.settings.image_prefix)
                    )["Config"]["Labels"]
                    or {}
                )
            except docker.errors.ImageNotFound:
                log.warning(
                    "backend %s has no image %s: run `make images`", name, backend.image(self.settings.image_prefix)
                )
                continue
            except ENGINE_ERRORS as error:
                raise EngineUnavailable(str(error)) from error
            backend.version = labels.get("sandpit.version")
            self.available.add(name)

    async def call(self, function: Any, *args: Any) -> Any:
        """Run a blocking function on the sandbox's threads."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    def submit(self, function: Any, *args: Any) -> None:
        """Run a blocking function in the background (from any thread); close() waits for it."""
        future = self.executor.submit(function, *args)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    async def _watch_engine(self) -> None:
        """Keep `engine_up` current; after an outage, drop the pool (its containers are gone).

        A refused connection marks the engine down at once; a slow answer only after several in
        a row, since a busy engine is not a dead one. Pings have a thread of their own so that
        busy task threads never delay them.
        """
        loop = asyncio.get_running_loop()
        slow = 0
        last_sweep = time.monotonic()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-ping") as pinger:
            while True:
                try:
                    await asyncio.wait_for(loop.run_in_executor(pinger, self.client.ping), timeout=1.0)
                    slow = 0
                    if not self.engine_up:
                        log.info("the container engine answers again")
                        await self.call(self.remove_leftovers)
                        await self.call(self._read_images)
                        self._refill.set()
                    self.engine_up = True
                    if time.monotonic() - last_sweep > SWEEP_INTERVAL_S:
                        last_sweep = time.monotonic()
                        await self.call(self.sweep_exited)
                except TimeoutError:
                    slow += 1
                    if slow >= ENGINE_SLOW_PINGS:
                        self._engine_down("no answer to several pings")
                except (EngineUnavailable, *ENGINE_ERRORS) as error:
                    self._engine_down(str(error))
                await asyncio.sleep(1.0 if self.engine_up else 0.25)

    def _engine_down(self, reason: str) -> None:
        if self.engine_up:
            log.error("the container engine does not answer: %s", reason)
            self.metrics.engine_errors.inc()
        self.engine_up = False
        self.drop_pool()

    # -- containers -------------------------------------------------------------------------

    def key(self, job: Job) -> tuple[str, int, int]:
        """What a ready container must match to take this job: backend and engine limits."""
        return (job.backend.name, job.memory_mib, job.processes)

    def prepare(self, key: tuple[str, int, int]) -> Box:
        """Create, attach and start a container that waits for its task (blocking)."""
        name, memory_mib, processes = key
        backend = self.backends[name]
        started = time.monotonic()
        workdir = self.settings.work_dir / uuid.uuid4().hex
        workdir.mkdir(mode=0o755)
        if not _mount_tmpfs(workdir, self.settings.work_size_mib, self.settings.work_inodes, self.uid, self.gid):
            os.chown(workdir, self.uid, self.gid)
        container_id = None
        try:
            host_config = self.client.create_host_config(
                binds={
                    str(workdir): {"bind": WORK_MOUNT, "mode": "rw"},
                    str(self.settings.runner_path.resolve()): {"bind": RUNNER_MOUNT, "mode": "ro"},
                },
                read_only=True,
                tmpfs={
                    "/tmp": f"rw,exec,nosuid,nodev,size={self.settings.tmp_size_mib}m,"
                    f"nr_inodes={self.settings.tmp_inodes},mode=1777"
                },
                mem_limit=f"{memory_mib}m",
                memswap_limit=f"{memory_mib}m",  # equal: no swap
                pids_limit=processes * 4 + RUNSC_THREADS if self.settings.runtime == "runsc" else processes,
                nano_cpus=int(self.settings.cpus * 1e9),
                cap_drop=["ALL"],
                security_opt=["no-new-privileges"],
                ulimits=[
                    Ulimit(name="nofile", soft=self.settings.open_files, hard=self.settings.open_files),
                    Ulimit(
                        name="fsize", soft=self.settings.file_size_mib << 20, hard=self.settings.file_size_mib << 20
                    ),
                    Ulimit(name="core", soft=0, hard=0),
                ],
                ipc_mode="private",
                log_config=LogConfig(type="none"),
                runtime=self.settings.runtime,
                privileged=False,
                # runc: network_disabled below already gives an empty network namespace (only lo)
                # without the engine's costly "none" network set-up. gVisor needs the "none"
                # network to start at all; it then also has only its own loopback.
                network_mode="none" if self.settings.runtime == "runsc" else None,
            )
            config = self.client.create_container_config(
                backend.image(self.settings.image_prefix),
                entrypoint=[RUNNER_MOUNT],
                command=[],
                user=self.settings.sandbox_user,
                working_dir=WORK_MOUNT,
                environment={"HOME": "/tmp", "LANG": "C.UTF-8", "TMPDIR": "/tmp"},
                hostname="sandbox",
                stdin_open=True,
                network_disabled=self.settings.runtime != "runsc",
                labels={LABEL_OWNER: self.owner, "sandpit.backend": name},
                host_config=host_config,
            )
            # Our attach closing ends the runner's stdin: a ready container we drop exits at once.
            config["StdinOnce"] = True
            container_id = self.client.create_container_from_config(config, None)["Id"]  # type: ignore[no-untyped-call]
            raw = self.client.attach_socket(container_id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            sock = getattr(raw, "_sock", raw)
            self.client.start(container_id)
            self.metrics.container_start.observe(time.monotonic() - started)
            return Box(container_id, key, workdir, sock, raw)
        except BaseException as error:
            if container_id:
                self.kill_container(container_id)
            remove_workdir(workdir)
            if isinstance(error, docker.errors.ImageNotFound):
                raise EngineUnavailable(f"the image of backend {name} is missing; run `make images`") from error
            if isinstance(error, ENGINE_ERRORS):
                self.metrics.engine_errors.inc()
                raise EngineUnavailable(str(error)) from error
            raise

    def kill_container(self, container_id: str) -> None:
        """Kill and remove a container (blocking); quiet if it is already gone."""
        for attempt in range(REMOVE_ATTEMPTS):
            try:
                self.client.remove_container(container_id, force=True)
                return
            except docker.errors.NotFound:
                return
            except docker.errors.APIError as error:
                if error.status_code == 409 and "already in progress" in str(error):
                    return  # another removal (a kill racing the clean-up) does the job
                # dockerd refuses to remove a container caught between running and exited
                # ("Could not kill running container ... is not running"): ask again.
                if attempt + 1 == REMOVE_ATTEMPTS:
                    log.warning("cannot remove container %s: %s", container_id[:12], error)
                time.sleep(0.1 * (attempt + 1))
            except ENGINE_ERRORS as error:
                log.warning("cannot remove container %s: %s", container_id[:12], error)
                return

    def destroy(self, box: Box) -> None:
        """Remove a box's container and its working directory (blocking)."""
        with contextlib.suppress(OSError):
            box.sock.close()
        self.kill_container(box.id)
        remove_workdir(box.workdir)

    # -- running ------------------------------------------------------------------------------

    def execution(self, job: Job) -> Execution:
        """A handle to run `job` once and to kill it."""
        return Execution(self, job)

    async def run_blocking(self, execution: Execution) -> Outcome:
        """Take a ready container (or make one) and run the job in it."""
        if not self.engine_up:
            raise EngineUnavailable("the container engine does not answer")
        key = self.key(execution.job)
        self.demand.setdefault(key[0], deque(maxlen=256)).append(time.monotonic())
        box = self._take(key)
        self.metrics.pool_hits.labels(ready="yes" if box else "no").inc()
        self._refill.set()
        outcome: Outcome = await self.call(self._run_in_box, execution, box)
        return outcome

    def _take(self, key: tuple[str, int, int]) -> Box | None:
        boxes = self.ready.get(key)
        return boxes.popleft() if boxes else None

    def _run_in_box(self, execution: Execution, box: Box | None) -> Outcome:
        pooled = box is not None
        if box is None:
            box = self.prepare(self.key(execution.job))
        try:
            outcome = self._exchange(execution, box)
            if pooled and outcome.error_type == "EngineError" and not outcome.stages:
                # A ready container that died while it waited (an engine restart): use a fresh one.
                self.destroy(box)
                box = self.prepare(self.key(execution.job))
                outcome = self._exchange(execution, box)
            return outcome
        finally:
            self.submit(self.destroy, box)

    def _exchange(self, execution: Execution, box: Box) -> Outcome:
        job = execution.job
        execution.attach(box.id)
        outcome = Outcome()
        write_files(box.workdir, job.files, self.uid, self.gid)
        deadline = time.monotonic() + sum(stage.time_limit_ms for stage in job.stages) / 1000 + BACKSTOP_SLACK_S
        current: StageOutcome | None = None
        done = False
        sent_at = time.monotonic()
        try:
            box.sock.sendall(build_spec(job))
            for kind, index, payload in _FrameReader(box.sock, deadline).frames():
                if index >= len(job.stages):
                    continue
                if current is None or job.stages[index].name not in outcome.stages:
                    current = outcome.stages.setdefault(job.stages[index].name, StageOutcome())
                if kind == FRAME_STDOUT:
                    current.stdout += payload
                elif kind == FRAME_STDERR:
                    current.stderr += payload
                elif kind == FRAME_RESULT:
                    self._apply_result(current, payload)
                    current = None
                elif kind == FRAME_DONE:
                    done = True
                    break
                elif kind == FRAME_ERROR:
                    outcome.error_type, outcome.error = "RunnerError", payload.decode(errors="replace")
                    break
        except TimeoutError:
            # The runner enforces the limits itself; reaching this means it could not.
            self.kill_container(box.id)
            stage = current or outcome.stages.setdefault(job.stages[len(outcome.stages)].name, StageOutcome())
            stage.timeout, stage.code, stage.signal = True, 128 + signal.SIGKILL, signal.SIGKILL
            _time_unreported(outcome, sent_at)
            return outcome
        except OSError as error:
            log.warning("container %s: attach stream failed: %s", box.id[:12], error)
        if not done and outcome.error_type is None:
            self._explain_lost(execution, box, outcome, current)
            _time_unreported(outcome, sent_at)
        outcome.killed = execution.killed
        return outcome

    @staticmethod
    def _apply_result(stage: StageOutcome, payload: bytes) -> None:
        code, sig, duration, maxrss, oom, timeout, out_cut, err_cut = RESULT.unpack(payload)
        stage.code, stage.signal, stage.duration_ms = code, sig, duration
        stage.memory_peak = maxrss or None
        stage.oom, stage.timeout = bool(oom), bool(timeout)
        stage.stdout_truncated, stage.stderr_truncated = bool(out_cut), bool(err_cut)

    def _explain_lost(self, execution: Execution, box: Box, outcome: Outcome, current: StageOutcome | None) -> None:
        """The stream ended before the runner said it was done: find out why."""
        job = execution.job
        if current is None and len(outcome.stages) < len(job.stages):
            # The stage under way had not written anything yet.
            current = outcome.stages.setdefault(job.stages[len(outcome.stages)].name, StageOutcome())
        if execution.killed:
            if current is not None:
                current.code, current.signal = 128 + signal.SIGKILL, signal.SIGKILL
            return
        try:
            state = self.client.inspect_container(box.id)["State"]
        except ENGINE_ERRORS as error:
            state = {}
            outcome.error = f"the container was lost: {error}"
        if state.get("OOMKilled") and current is not None:
            # The whole container was killed for memory (under gVisor the memory limit does that).
            current.oom, current.code, current.signal = True, 128 + signal.SIGKILL, signal.SIGKILL
            return
        if current is not None and self.settings.runtime == "runsc" and state.get("ExitCode") == RUNSC_PANIC:
            # gVisor's kernel needs host processes of its own: a program that uses up the pids
            # limit takes the whole sandbox down (exit code 2). The program did it: say so.
            current.code, current.signal = 128 + signal.SIGKILL, signal.SIGKILL
            current.stderr += (
                b"\nsandpit: the sandbox was ended (under gVisor, this is what reaching the process limit does)\n"
            )
            log.warning("container %s: the gVisor sandbox ended abruptly", box.id[:12])
            return
        outcome.error_type = "EngineError"
        outcome.error = outcome.error or f"the container stopped unexpectedly (exit code {state.get('ExitCode')})"
        if current is not None:
            current.internal = True
        if not any(stage.stdout or stage.stderr or stage.duration_ms for stage in outcome.stages.values()):
            outcome.stages.clear()  # nothing ran: the error object alone says what happened

    # -- the ready pool -----------------------------------------------------------------------

    def drop_pool(self) -> None:
        """Forget ready containers (their removal runs in the background)."""
        boxes = [box for queue in self.ready.values() for box in queue]
        self.ready.clear()
        for box in boxes:
            self.submit(self.destroy, box)

    def _targets(self) -> dict[tuple[str, int, int], int]:
        pool = self.settings.pool
        now = time.monotonic()
        targets: dict[tuple[str, int, int], int] = {}
        budget = pool.budget_mib // IDLE_CONTAINER_MIB
        for name in sorted(self.available):
            backend = self.backends[name]
            memory = backend.limit("memoryLimit", self.settings.limits).default
            processes = backend.limit("processLimit", self.settings.limits).default
            recent = sum(1 for at in self.demand.get(name, ()) if now - at < 10.0)
            # As many ready as tasks came in the last 10 s: a burst finds its containers waiting.
            want = max(pool.minimum, min(pool.maximum, recent))
            want = min(want, budget)
            budget -= want
            targets[(name, memory, processes)] = want
        return targets

    async def _fill_pool(self) -> None:
        """Keep each backend's ready containers at its target, started off the request path."""
        while True:
            # Woken by a task taking a container, or every 2 s: demand falls as well as rises.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._refill.wait(), timeout=2.0)
            self._refill.clear()
            if not self.engine_up:
                continue
            for key, want in self._targets().items():
                have = len(self.ready.get(key, ())) + self.preparing.get(key, 0)
                for _ in range(want - have):
                    self.preparing[key] = self.preparing.get(key, 0) + 1
                    task = asyncio.create_task(self._prepare_one(key))
                    self._preparing_tasks.add(task)
                    task.add_done_callback(self._preparing_tasks.discard)

    async def _prepare_one(self, key: tuple[str, int, int]) -> None:
        try:
            box = await self.call(self.prepare, key)
        except (EngineUnavailable, OSError) as error:
            log.warning("could not prepare a %s container: %s", key[0], error)
            await asyncio.sleep(1.0)
            return
        finally:
            self.preparing[key] -= 1
        if self._closing or not self.engine_up:
            await self.call(self.destroy, box)
        else:
            self.ready.setdefault(key, deque()).append(box)
