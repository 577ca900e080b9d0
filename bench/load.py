"""A small HTTP load generator: many client threads, plain http.client, loopback only.

Every request opens its own connection (gunicorn's sync workers close after each response,
as a browser behind a school proxy often does). Each run stops after a number of requests or a
number of seconds, whichever comes first, then waits for the requests still in flight.
"""

from __future__ import annotations

import http.client
import itertools
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Result:
    name: str
    clients: int
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    errors: int
    # Percentile -> milliseconds, from a client that gives these rather than each latency (wrk)
    quantiles: dict[float, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency in milliseconds at percentile p (nearest rank)."""
        if not self.latencies and p in self.quantiles:
            return self.quantiles[p]
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    @property
    def p50(self) -> float:
        if not self.latencies:
            return self.quantiles.get(50, float("nan"))
        return statistics.median(self.latencies) * 1000

    @property
    def p99(self) -> float:
        return self.percentile(99)


def send(
    port: int, request: Request, timeout: float = 120
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One request on a fresh connection; (status, body, response)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(request.method, request.path, body=request.body, headers=request.headers)
        response = conn.getresponse()
        return response.status, response.read(), response
    finally:
        conn.close()


def run(
    name: str,
    port: int,
    make: Callable[[int], Request],
    clients: int,
    max_requests: int,
    max_seconds: float,
    ok: frozenset[int] = frozenset({200, 201}),
) -> Result:
    """Drive `clients` threads at the server; `make(n)` builds the n-th request."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    start_gate = threading.Barrier(clients + 1)
    deadline = 0.0

    def client() -> None:
        nonlocal errors
        start_gate.wait()
        while time.monotonic() < deadline:
            n = next(counter)
            if n >= max_requests:
                return
            request = make(n)
            began = time.perf_counter()
            try:
                status, _body, _response = send(port, request)
            except OSError:
                with lock:
                    errors += 1
                continue
            took = time.perf_counter() - began
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status in ok:
                    latencies.append(took)
                else:
                    errors += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = time.monotonic() + max_seconds
    start_gate.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return Result(name, clients, len(latencies), seconds, latencies, statuses, errors)


def merged(results: list[Result]) -> Result:
    """Several windows of one page as one result: requests, time and latencies added up.

    Windows that give percentiles only (wrk) give the median of their medians, and the highest
    of their 99th percentiles (never lower than the pooled one would be).
    """
    statuses: dict[int, int] = {}
    for result in results:
        for status, n in result.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return Result(
        results[0].name,
        results[0].clients,
        sum(r.requests for r in results),
        sum(r.seconds for r in results),
        [latency for r in results for latency in r.latencies],
        statuses,
        sum(r.errors for r in results),
        quantiles={
            50: statistics.median(r.p50 for r in results),
            99: max(r.p99 for r in results),
        }
        if any(r.quantiles for r in results)
        else {},
    )
