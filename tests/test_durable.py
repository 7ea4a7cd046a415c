"""The emulator's durable table layer: the same behaviour in memory and on disk, and nothing
lost when an emulator is made again on the same state directory."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from gemini_sdk.testing import Emulator
from gemini_sdk.testing.__main__ import parse_args
from gemini_sdk.testing._durable import DATABASE, Durable


@pytest.fixture(params=["memory", "disk"])
def durable(request: pytest.FixtureRequest, tmp_path: Path) -> Durable:
    return Durable(None if request.param == "memory" else tmp_path)


def test_records_keep_their_first_place_when_replaced(durable: Durable) -> None:
    table = durable.table("things")
    table.put("b", {"n": 1})
    table.put("a", {"n": 2})
    table.put("b", {"n": 3})
    assert table.items() == [("b", {"n": 3}), ("a", {"n": 2})]
    assert table.keys() == ["b", "a"] and list(table) == ["b", "a"]
    assert len(table) == 2 and "a" in table and "c" not in table


def test_reads_are_copies(durable: Durable) -> None:
    table = durable.table("things")
    table.put("k", {"tags": ["x"]})
    got = table.get("k")
    assert got is not None
    got["tags"].append("y")
    assert table.get("k") == {"tags": ["x"]}


def test_tables_are_separate_and_delete_says_whether_there_was_one(durable: Durable) -> None:
    durable.table("a").put("k", {"v": 1})
    durable.table("b").put("k", {"v": 2})
    assert durable.table("a").delete("k") is True
    assert durable.table("a").delete("k") is False
    assert durable.table("a").get("k") is None
    assert durable.table("b").get("k") == {"v": 2}


def test_a_record_that_is_not_json_is_refused_when_put(durable: Durable) -> None:
    table = durable.table("things")
    with pytest.raises(TypeError, match="things record 'k' is not JSON"):
        table.put("k", {"when": datetime.datetime.now()})
    with pytest.raises(TypeError, match="must be a dict"):
        table.put("k", ["not", "a", "dict"])  # type: ignore[arg-type]
    assert "k" not in table


def test_counters_count_from_one(durable: Durable) -> None:
    assert [durable.next("files"), durable.next("files"), durable.next("caches")] == [1, 2, 1]


def test_blobs(durable: Durable) -> None:
    durable.blobs.put("files/a b/../c", b"\x00\x01" * 1000)
    assert durable.blobs.get("files/a b/../c") == b"\x00\x01" * 1000
    durable.blobs.put("files/a b/../c", b"new")
    assert durable.blobs.get("files/a b/../c") == b"new"
    durable.blobs.delete("files/a b/../c")
    assert durable.blobs.get("files/a b/../c") is None
    durable.blobs.delete("never there")


def test_clear_forgets_everything(durable: Durable) -> None:
    durable.table("t").put("k", {})
    durable.blobs.put("k", b"x")
    durable.next("c")
    durable.clear()
    assert durable.table("t").items() == []
    assert durable.blobs.get("k") is None
    assert durable.next("c") == 1


def test_a_directory_outlives_the_object(tmp_path: Path) -> None:
    first = Durable(tmp_path)
    first.table("t").put("k", {"v": [1, 2]})
    first.blobs.put("k", b"bytes")
    first.next("ids")
    first.close()
    assert (tmp_path / DATABASE).is_file()
    again = Durable(tmp_path)
    assert again.table("t").get("k") == {"v": [1, 2]}
    assert again.blobs.get("k") == b"bytes"
    assert again.next("ids") == 2


def test_blobs_on_disk_are_files_named_by_hash(tmp_path: Path) -> None:
    durable = Durable(tmp_path)
    durable.blobs.put("../../escape", b"x")
    written = list((tmp_path / "blobs").iterdir())
    assert len(written) == 1 and written[0].read_bytes() == b"x"
    assert not (tmp_path.parent / "escape").exists()


def test_memory_state_is_not_shared_between_emulators() -> None:
    one, two = Emulator(), Emulator()
    one._state.durable.table("t").put("k", {})
    assert two._state.durable.table("t").get("k") is None


def test_the_cli_takes_a_state_directory() -> None:
    assert parse_args(["--state", "/tmp/somewhere"]).state == "/tmp/somewhere"
    assert parse_args([]).state is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(state: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gemini_sdk.testing", "--port", str(port), "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    assert f"state in {state}" in banner, banner
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1beta/models", timeout=1)
            return process
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the emulator did not start") from None
            time.sleep(0.05)


def test_a_served_emulator_restarted_on_its_state_directory_still_has_its_state(
    tmp_path: Path,
) -> None:
    """The layer under every resource: written through one server process, read back by the
    next one on the same directory (each resource's own tests check its records go here)."""
    port = _free_port()
    server = _serve(tmp_path, port)
    try:
        Durable(tmp_path).table("probe").put("k", {"written": "while serving"})
    finally:
        server.terminate()
        server.wait(timeout=10)
    again = _serve(tmp_path, port)
    try:
        assert Durable(tmp_path).table("probe").get("k") == {"written": "while serving"}
    finally:
        again.terminate()
        again.wait(timeout=10)


def test_threads_share_one_table() -> None:
    durable = Durable()
    table = durable.table("t")

    def write(base: int) -> None:
        for i in range(50):
            table.put(f"{base}-{i}", {"i": i})
            durable.next("n")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(table) == 200
    assert durable.next("n") == 201
