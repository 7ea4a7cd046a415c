"""A real HTTP server on 127.0.0.1 that answers with scripted bytes, for what only the wire
shows: redirects, bodies no service sends, TLS handshakes, silent servers, reused connections.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from typing import Any


class Cut(bytes):
    """An answer after which the connection closes: nothing (a reset before the response),
    or part of a response (a body or a stream cut short)."""


# bytes to send as they are, or a callable given the request's head and body
RawAnswer = bytes | Callable[[bytes, bytes], bytes]


def http(status: int, body: bytes = b"", reason: str = "X", **headers: str) -> bytes:
    head = [f"HTTP/1.1 {status} {reason}", f"content-length: {len(body)}"]
    head += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class RawServer:
    """Answers requests in order from `answers` (the last one repeats), keeping connections
    open between them; records every request's head and body and counts connections."""

    def __init__(self, *answers: RawAnswer, tls: ssl.SSLContext | None = None) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0
        self.stopped = threading.Event()
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self.stopped.set()
        self._thread.join(5)
        self._listener.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
            reader = conn.makefile("rb")
            while not self.stopped.is_set():
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = reader.read(length)
                self.requests.append((head, body))
                answer = self.answers[0] if len(self.answers) == 1 else self.answers.pop(0)
                data = answer(head, body) if callable(answer) else answer
                conn.sendall(data)
                if isinstance(data, Cut):
                    return
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()
