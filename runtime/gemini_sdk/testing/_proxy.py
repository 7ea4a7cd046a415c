"""`TlsProxy`: the service's own HTTPS address, answered by a served emulator.

Some clients are written against `https://generativelanguage.googleapis.com/...` and take no
other base URL from their environment (the seed's OpenAI examples pass it to `OpenAI(...)`).
They reach the emulator unchanged through this forward proxy: told to use it
(`HTTPS_PROXY`) and to trust its certificate authority (`SSL_CERT_FILE`), as httpx-based
clients are by default, they send `CONNECT generativelanguage.googleapis.com:443`; the proxy
answers 200, completes the TLS handshake with a certificate for that host issued by a
throwaway CA made for this proxy alone (trustme), and relays the decrypted bytes to the
emulator's plain-HTTP port. TLS verification stays on in the client: only the trusted root
changes. A CONNECT to any other host, or a plain proxied request, is refused, so nothing
leaves the machine.

    with served emulator at http://127.0.0.1:8765, TlsProxy("http://127.0.0.1:8765") as proxy:
        os.environ.update(proxy.environment())
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from gemini_sdk._optional import require

SERVICE_HOST = "generativelanguage.googleapis.com"
_HEAD_LIMIT = 16_384
_CHUNK = 65_536


class TlsProxy:
    """An HTTPS forward proxy on a free loopback port that serves `hosts` (port 443) from the
    plain-HTTP server at `target` ("http://127.0.0.1:PORT"). Use it as a context manager."""

    def __init__(self, target: str, hosts: Iterable[str] = (SERVICE_HOST,)) -> None:
        parts = urlsplit(target)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"target must be http://HOST:PORT, got {target!r}")
        # Imported here: cryptography, under trustme, takes most of a second to load.
        require("trustme", "testing", "TlsProxy")
        import trustme

        self.hosts = frozenset(hosts)
        self._target = (parts.hostname, parts.port)
        authority = trustme.CA()
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert(*sorted(self.hosts)).configure_cert(self._context)
        self._folder = tempfile.TemporaryDirectory(prefix="gemini-sdk-proxy-")
        self.ca_file = str(Path(self._folder.name, "ca.pem"))
        authority.cert_pem.write_to_path(self.ca_file)
        self._server = _Server(self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def environment(self) -> dict[str, str]:
        """The variables that send httpx-based clients here and make them trust the CA."""
        return {"HTTPS_PROXY": self.url, "SSL_CERT_FILE": self.ca_file}

    def __enter__(self) -> TlsProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self._folder.cleanup()

    def tunnel(self, client: socket.socket) -> None:
        """Serve one client connection: its CONNECT, then the relayed TLS session."""
        head = _read_head(client)
        method, _, rest = head.partition(b" ")
        authority = rest.partition(b" ")[0].decode("latin-1")
        host, _, port = authority.rpartition(":")
        if method != b"CONNECT":
            client.sendall(_status(405, "this proxy only tunnels HTTPS (CONNECT)"))
            return
        if host not in self.hosts or port != "443":
            client.sendall(_status(403, f"this proxy serves only {', '.join(sorted(self.hosts))}"))
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            secure = self._context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client gave up on the handshake (an untrusted CA, say)
        with secure, socket.create_connection(self._target) as upstream:
            back = threading.Thread(target=_relay, args=(upstream, secure), daemon=True)
            back.start()
            _relay(secure, upstream)
            back.join()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, proxy: TlsProxy) -> None:
        self.proxy = proxy
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.server.proxy.tunnel(self.request)


def _read_head(client: socket.socket) -> bytes:
    head = b""
    while b"\r\n\r\n" not in head and len(head) < _HEAD_LIMIT:
        data = client.recv(_HEAD_LIMIT)
        if not data:
            break
        head += data
    return head


def _status(code: int, reason: str) -> bytes:
    body = reason.encode()
    return (
        f"HTTP/1.1 {code} {reason}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


def _relay(source: socket.socket, sink: socket.socket) -> None:
    """Copy until either side closes, then close both, which ends the opposite relay too."""
    try:
        while data := source.recv(_CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (sink, source):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
