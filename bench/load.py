"""The served emulator under load: small `generateContent` calls from many keep-alive clients.

`python -m bench.load [--requests N] [--clients C] [--processes P] [--workers W]` starts
`python -m gemini_sdk.testing` on a free loopback port, then P client processes that share C
connections and N requests between them, and prints the rate and the server's resident set
(VmRSS, sampled every 0.2 s while the load runs: at the start, at the end and the most).

The client is an asyncio Protocol that writes one prepared request and reads the answer by
its Content-Length, about 20 µs of CPU a request, so that on a small machine the clients
take little of the time the emulator needs (an httpx AsyncClient costs ten times as much
and would measure itself). Each connection checks that every answer is a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

MODEL = "gemini-2.5-flash"
_HEADER_END = b"\r\n\r\n"


def request_bytes(port: int) -> bytes:
    body = orjson.dumps({"contents": [{"role": "user", "parts": [{"text": "Say hello."}]}]})
    head = (
        f"POST /v1beta/models/{MODEL}:generateContent HTTP/1.1\r\n"
        f"host: 127.0.0.1:{port}\r\n"
        "x-goog-api-key: load-test\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class _Connection(asyncio.Protocol):
    """One keep-alive connection sending `count` requests one after another."""

    def __init__(self, request: bytes, count: int, done: asyncio.Future[int]) -> None:
        self._request, self._left, self._done = request, count, done
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._failed = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while True:
            end = buffer.find(_HEADER_END)
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            start = head.find(b"content-length:")
            length = int(head[start + 15 : head.find(b"\r\n", start)]) if start >= 0 else 0
            total = end + 4 + length
            if len(buffer) < total:
                return
            if not head.startswith(b"http/1.1 200"):
                self._failed += 1
            del buffer[:total]
            self._left -= 1
            assert self._transport is not None
            if self._left:
                self._transport.write(self._request)
            else:
                self._transport.close()
                if not self._done.done():
                    self._done.set_result(self._failed)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._done.done():
            self._done.set_exception(exc or ConnectionError(f"closed with {self._left} left"))


async def _drive(port: int, connections: int, requests: int) -> int:
    loop = asyncio.get_running_loop()
    request = request_bytes(port)
    share, extra = divmod(requests, connections)
    waits = []
    for index in range(connections):
        count = share + (index < extra)
        if not count:
            continue
        done: asyncio.Future[int] = loop.create_future()
        await loop.create_connection(
            functools.partial(_Connection, request, count, done), "127.0.0.1", port
        )
        waits.append(done)
    return sum(await asyncio.gather(*waits))


def _client(
    port: int, connections: int, requests: int, start: float, out: multiprocessing.Queue[int]
) -> None:
    time.sleep(max(0.0, start - time.time()))
    out.put(asyncio.run(_drive(port, connections, requests)))


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: what a request costs, whatever the load."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(workers: int = 1) -> Iterator[tuple[int, list[int]]]:
    """The emulator on a free port: (port, the pids whose RSS counts)."""
    port = _free_port()
    command = [sys.executable, "-m", "gemini_sdk.testing", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert server.stdout is not None
        server.stdout.readline()  # the banner, printed before uvicorn starts
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.05)
        yield port, _server_pids(server.pid)
    finally:
        server.terminate()
        server.wait(10)


def _server_pids(pid: int) -> list[int]:
    """The server and, with workers, its worker processes (they serve; the parent waits)."""
    children = f"/proc/{pid}/task/{pid}/children"
    with contextlib.suppress(OSError), open(children, encoding="ascii") as listing:
        found = [int(child) for child in listing.read().split()]
        if found:
            return found
    return [pid]


@dataclass
class Load:
    requests: int
    seconds: float
    failed: int
    rss_start_kib: int
    rss_end_kib: int
    rss_max_kib: int
    cpu_seconds: float  # the emulator's, over the timed requests

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_per_request_us(self) -> float:
        return self.cpu_seconds / self.requests * 1e6


def run(
    port: int, pids: list[int], requests: int, clients: int, processes: int, warmup: int = 2_000
) -> Load:
    """`requests` calls over `clients` connections from `processes` processes, after a warm-up
    (the emulator's first calls build its converters and caches)."""
    asyncio.run(_drive(port, min(clients, warmup), warmup))
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start = time.time() + 1.0  # every process connected and waiting
    shares = [requests // processes + (i < requests % processes) for i in range(processes)]
    conns = [clients // processes + (i < clients % processes) for i in range(processes)]
    children = [
        context.Process(target=_client, args=(port, conns[i], shares[i], start, out))
        for i in range(processes)
    ]
    for child in children:
        child.start()
    rss_start = sum(_rss_kib(pid) for pid in pids)
    rss_max = rss_start
    cpu_start = sum(_cpu_seconds(pid) for pid in pids)
    while time.time() < start:
        time.sleep(0.01)
    failed = 0
    finished = 0
    while finished < processes:
        try:
            failed += out.get(timeout=0.2)
            finished += 1
        except Exception:  # noqa: BLE001 - queue.Empty: sample and wait again
            pass
        rss_max = max(rss_max, sum(_rss_kib(pid) for pid in pids))
    seconds = time.time() - start
    cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_start
    for child in children:
        child.join(10)
    rss_end = sum(_rss_kib(pid) for pid in pids)
    return Load(requests, seconds, failed, rss_start, rss_end, max(rss_max, rss_end), cpu)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--processes", type=int, default=1, help="client processes")
    parser.add_argument("--workers", type=int, default=1, help="emulator worker processes")
    args = parser.parse_args(argv)
    with serve(args.workers) as (port, pids):
        load = run(port, pids, args.requests, args.clients, args.processes)
    print(
        f"{load.requests} requests, {args.clients} clients: {load.rate:.0f} req/s "
        f"({load.failed} not 200), emulator CPU {load.cpu_per_request_us:.0f} µs/request; RSS start {load.rss_start_kib / 1024:.1f} MiB, "
        f"end {load.rss_end_kib / 1024:.1f} MiB, max {load.rss_max_kib / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
