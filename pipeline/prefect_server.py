"""The Prefect server a run reports to, and the settings of one run: Prefect's own plumbing,
kept out of ``flows.py`` (which only wires the stages together as flows and tasks).

Imported only by ``flows.py`` (and tests): nothing else of juesuan needs Prefect.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.settings import (
    PREFECT_API_URL,
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    PREFECT_SERVER_EPHEMERAL_ENABLED,
    PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
    temporary_settings,
)

EPHEMERAL_STARTUP_SECONDS = 180
EVENT_FLUSH_SECONDS = 10.0  # longest wait for the run's last events at its end (they take milliseconds locally)
EVENT_FLUSH_POLL_SECONDS = 0.02


@contextmanager
def run_settings(share_temporary_server: bool = True) -> Iterator[None]:
    """Prefect settings for one run, unless set in the environment:

    - without a Prefect server, Prefect starts a temporary one; the very first start creates its
      database, which takes longer than Prefect's default 20 s on a small machine;
    - no flow-run heartbeats: their thread wakes once a second and the run waits for it at the end
      (up to a second, most of a run with nothing new); a served nightly deployment keeps the
      heartbeats of its own flow run, which this run is part of;
    - without a Prefect server, the temporary one is started here and its address given to the
      run, so that worker processes (and the workers of a Dask cluster on this machine) report to
      it. Left to Prefect, each worker process would start a temporary server of its own, on the
      same database file, and its task runs would not show in the run's server. Not for a cluster
      on other machines (``share_temporary_server=False``): the temporary server listens on
      loopback only, so there each worker keeps starting its own.
    """
    updates: dict[Any, Any] = {}
    if "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" not in os.environ:
        updates[PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS] = EPHEMERAL_STARTUP_SECONDS
    if not {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "PREFECT_RUNNER_HEARTBEAT_FREQUENCY"} & set(os.environ):
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    with temporary_settings(updates):
        if not share_temporary_server or PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            yield
            return
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()  # the one Prefect's own client would start; stopped at exit
        server.start()
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            yield


def flush_events(timeout: float = EVENT_FLUSH_SECONDS) -> bool:
    """Wait (bounded) until the run's last events have left the queue, while its server is still up.

    Otherwise Prefect drains them at interpreter exit and, finding one not yet taken, warns "Still
    processing items: 1 items remaining..." (the count includes its own stop marker): seen at the end
    of every ``juesuan run --workers 2`` that had nothing to do, whose flow ends right after its last
    events. Polls the queue length: ``Queue.join`` can wait forever, Prefect's task accounting leaks
    when a worker serves several runs. Returns whether the queues emptied in time."""
    from prefect.events.worker import EventsWorker

    with EventsWorker._instance_lock:  # as Prefect's ProcessPoolTaskRunner does: never start a new worker here
        # Prefect declares _instances on the generic class without ClassVar (it is one): mypy cannot tell
        queues = [w._queue for w in EventsWorker._instances.values() if not w._stopped]  # type: ignore[misc]
    deadline = time.monotonic() + timeout
    while any(q.qsize() for q in queues):
        if time.monotonic() > deadline:
            return False
        time.sleep(EVENT_FLUSH_POLL_SECONDS)
    return True


def on_this_machine(address: str) -> bool:
    """Whether a Dask scheduler address (``tcp://host:port`` or ``host:port``) is a loopback one."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
