"""`--engine ray`: Ray actors, one `Worker` (one `Checker`, one model) each, created once per run.

Without an address a private Ray instance starts on this machine, on loopback only (127.0.0.1),
with no dashboard, no usage reporting and quiet logs, and stops with the run. With an address
(`auto`, or the head's `HOST:PORT`) the run joins that cluster: actors are placed on any node,
which needs the same Python, Ray and mtqa installed (see README, "Corpus mode").

The cluster's C cores are shared by the N actors: each asks Ray for C / N CPUs and runs C // N
torch threads (at least one). Each actor has up to two articles queued, so it starts the next
one as soon as it hands back a record; the records come back here and are put in input order.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import time

from mtqa.corpus.engines import Settings, Worker, cores, threads_per_worker
from mtqa.corpus.sources import Article
from mtqa.errors import MtqaError

QUEUED_PER_ACTOR = 2
LOCAL_OBJECT_STORE_BYTES = 200 * 1024**2  # records and articles are small; Ray's default takes 30 % of memory
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def on_loopback(address: str | None) -> bool:
    """No address (a private local instance), or a cluster on this machine's loopback ("127.0.0.1:6379")."""
    if address is None:
        return True
    host = address.rsplit(":", 1)[0].strip("[]")
    return host in LOOPBACK or host.startswith("127.")


def reachable(address: str, timeout: float = 5.0) -> None:
    """A HOST:PORT that nothing answers on is an error now: Ray would retry it for minutes."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or "://" in address:
        return  # "auto" and ray:// addresses are Ray's to resolve
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as error:
        raise MtqaError(f"cannot reach the Ray cluster at {address}: {error.strerror or error}") from None


def import_ray(loopback: bool):
    """Ray, imported so that it stays on loopback when asked to: otherwise Ray swaps 127.0.0.1 for the
    machine's address, both to serve a local instance and to reach a cluster. Ray reads this setting
    once, when first imported: with a Ray imported earlier, `RayEngine.start` refuses a local instance
    that is not on loopback."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # Ray would otherwise report usage over the network
    if loopback:
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    import ray

    return ray


class RayEngine:
    def __init__(self, settings: Settings, jobs: int | None, address: str | None) -> None:
        if importlib.util.find_spec("ray") is None:  # said before any output is opened
            raise MtqaError("--engine ray needs Ray: pip install 'mtqa[ray]'")
        self.settings = settings
        self.jobs = jobs
        self.address = address
        self.startup_seconds = 0.0
        self.capacity = 0
        self._running: dict = {}  # ObjectRef → (index, actor number)

    def start(self) -> None:
        ray = self.ray = import_ray(on_loopback(self.address))
        began = time.perf_counter()
        quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
        try:
            if self.address is None:
                info = ray.init(
                    address="local", num_cpus=cores(), include_dashboard=False, object_store_memory=LOCAL_OBJECT_STORE_BYTES, **quiet
                )
                if info.address_info["node_ip_address"] not in LOOPBACK:
                    ray.shutdown()
                    raise MtqaError("Ray was imported before mtqa could keep its local instance on loopback; run mtqa in its own process")
            else:
                reachable(self.address)
                ray.init(address=self.address, **quiet)
        except (ConnectionError, RuntimeError, ValueError) as error:
            where = f"the Ray cluster at {self.address}" if self.address else "a local Ray instance"
            raise MtqaError(f"cannot start or join {where}: {str(error).splitlines()[0]}") from None
        self.startup_seconds = time.perf_counter() - began
        total = int(ray.cluster_resources().get("CPU", 1))
        workers = self.jobs or max(1, total // 2)
        actor = ray.remote(num_cpus=total / workers)(Worker)
        self.actors = [actor.remote(self.settings, threads_per_worker(total, workers)) for _ in range(workers)]
        self._load = [0] * workers
        self.capacity = QUEUED_PER_ACTOR * workers

    def submit(self, index: int, article: Article) -> None:
        number = min(range(len(self.actors)), key=self._load.__getitem__)
        self._load[number] += 1
        self._running[self.actors[number].check.remote(article)] = (index, number)

    def results(self) -> list[tuple[int, str]]:
        ready, _ = self.ray.wait(list(self._running), num_returns=1)
        done = []
        for ref in ready:
            index, number = self._running.pop(ref)
            self._load[number] -= 1
            done.append((index, self._get(ref)))
        return done

    def _get(self, ref) -> str:
        from ray.exceptions import RayActorError, RayTaskError

        try:
            return self.ray.get(ref)
        except RayTaskError as error:
            if isinstance(error.cause, MtqaError):
                raise MtqaError(str(error.cause)) from None
            raise MtqaError(f"a Ray worker failed: {type(error.cause).__name__}: {error.cause}") from None
        except RayActorError as error:
            raise MtqaError(
                f"a Ray worker died ({str(error).splitlines()[0]}); --resume continues from the last record written"
            ) from None

    def stop(self) -> None:
        if not self.ray.is_initialized():
            return
        for actor in getattr(self, "actors", []):  # on a shared cluster, free the CPUs now
            self.ray.kill(actor)
        self.ray.shutdown()  # stops the local instance, or leaves the cluster
