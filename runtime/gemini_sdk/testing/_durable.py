"""What the emulator keeps between requests: JSON records in named tables, counters, and blobs.

One mechanism for every resource (files, caches, stores, operations, batches, ...): a handler
reads a record, changes it and puts it back. Records are JSON objects, so what a store keeps is
what it can write down; a record that is not JSON is refused when it is put, in memory as on
disk, rather than when the emulator restarts.

Without a directory the tables live in an in-memory SQLite database and blobs in a dict. With
one (`python -m gemini_sdk.testing --state DIR`), the tables live in `DIR/state.sqlite3` and each
blob in a file under `DIR/blobs/`, so an emulator restarted on the same directory answers as
before: same files, same caches, same ids handed out next. SQLite (stdlib `sqlite3`) is used in
both cases so that the two behave alike: ordering, replacement and copies on read.

Thread-safe: the same emulator serves a sync client (on the transport's thread) and an async one.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

DATABASE = "state.sqlite3"
# orjson would write these as text or objects that read back as something else; refused instead.
_JSON_ONLY = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
BLOBS = "blobs"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (tbl, key)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


def _encode(table: str, key: str, record: Any) -> bytes:
    if not isinstance(record, dict):
        raise TypeError(f"a {table} record must be a dict, got {type(record).__name__}")
    try:
        return orjson.dumps(record, option=_JSON_ONLY)
    except TypeError as error:
        raise TypeError(f"the {table} record {key!r} is not JSON: {error}") from None


class Durable:
    """Tables of JSON records, counters and blobs, in memory or under `directory`."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else None
        if self.directory is None:
            target = ":memory:"
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = str(self.directory / DATABASE)
        # isolation_level=None: every statement commits at once, so a crash loses nothing
        # already answered.
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        if self.directory is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._tables: dict[str, Table] = {}
        self.blobs = Blobs(self)

    def table(self, name: str) -> Table:
        """The table called `name`, made on first use."""
        with self._lock:
            found = self._tables.get(name)
            if found is None:
                found = self._tables[name] = Table(self, name)
            return found

    def next(self, counter: str) -> int:
        """The counter's next value: 1, 2, 3, ... across restarts on the same directory."""
        with self._lock:
            self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (counter,),
            )
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (counter,))
            return int(row.fetchone()[0])

    def clear(self) -> None:
        """Forget every record, counter and blob."""
        with self._lock:
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM counters")
            self.blobs.clear()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, *args: Any) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()


class Table:
    """JSON records by key, in the order they were first put. Reads return copies: a change
    to a record counts once it is put back."""

    def __init__(self, durable: Durable, name: str) -> None:
        self._durable = durable
        self.name = name

    def get(self, key: str) -> dict[str, Any] | None:
        rows = self._durable._run(
            "SELECT value FROM records WHERE tbl = ? AND key = ?", self.name, key
        )
        return orjson.loads(rows[0][0]) if rows else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Insert or replace; a replaced record keeps its place in the order."""
        value = _encode(self.name, key, record)
        self._durable._run(
            "INSERT INTO records (tbl, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value",
            self.name,
            key,
            value,
        )

    def delete(self, key: str) -> bool:
        """Remove the record; False when there was none."""
        with self._durable._lock:
            found = key in self
            self._durable._run("DELETE FROM records WHERE tbl = ? AND key = ?", self.name, key)
            return found

    def items(self) -> list[tuple[str, dict[str, Any]]]:
        rows = self._durable._run(
            "SELECT key, value FROM records WHERE tbl = ? ORDER BY rowid", self.name
        )
        return [(key, orjson.loads(value)) for key, value in rows]

    def values(self) -> list[dict[str, Any]]:
        return [record for _, record in self.items()]

    def keys(self) -> list[str]:
        rows = self._durable._run("SELECT key FROM records WHERE tbl = ? ORDER BY rowid", self.name)
        return [row[0] for row in rows]

    def clear(self) -> None:
        self._durable._run("DELETE FROM records WHERE tbl = ?", self.name)

    def __contains__(self, key: object) -> bool:
        return bool(
            self._durable._run("SELECT 1 FROM records WHERE tbl = ? AND key = ?", self.name, key)
        )

    def __len__(self) -> int:
        return int(
            self._durable._run("SELECT COUNT(*) FROM records WHERE tbl = ?", self.name)[0][0]
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())


class Blobs:
    """Byte strings by key: rows of the in-memory database, or files under `DIR/blobs/` (named
    by the key's hash, so any key is a safe file name). A file is written to a temporary name
    and renamed, so a crash leaves the old blob or the new one, never half of one."""

    def __init__(self, durable: Durable) -> None:
        self._durable = durable
        self._dir = durable.directory / BLOBS if durable.directory is not None else None
        if self._dir is not None:
            self._dir.mkdir(exist_ok=True)

    def put(self, key: str, data: bytes) -> None:
        if self._dir is None:
            self._durable._run(
                "INSERT INTO blobs (key, data) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET data = excluded.data",
                key,
                bytes(data),
            )
            return
        fd, temporary = tempfile.mkstemp(dir=self._dir, prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, self._path(key))

    def get(self, key: str) -> bytes | None:
        if self._dir is None:
            rows = self._durable._run("SELECT data FROM blobs WHERE key = ?", key)
            return bytes(rows[0][0]) if rows else None
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        if self._dir is None:
            self._durable._run("DELETE FROM blobs WHERE key = ?", key)
        else:
            self._path(key).unlink(missing_ok=True)

    def clear(self) -> None:
        if self._dir is None:
            self._durable._run("DELETE FROM blobs")
            return
        for path in self._dir.iterdir():
            path.unlink()

    def _path(self, key: str) -> Path:
        assert self._dir is not None
        return self._dir / hashlib.sha256(key.encode()).hexdigest()
