"""`Served`: an ASGI app (the emulator's, a recorder's, a replayer's) on a loopback port, served
by uvicorn in a daemon thread, for clients that can only be given a URL.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

STARTUP_SECONDS = 10.0


class Served:
    """`app` served on 127.0.0.1 (a free port unless `port` is given) while the context is open.

    with Served(emulator.app) as served:
        openai.OpenAI(base_url=f"{served.url}/v1beta/openai/", api_key="k")
    """

    def __init__(self, app: Any, *, port: int = 0) -> None:
        import uvicorn

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", port))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    def start(self) -> Served:
        """Serve in a daemon thread; returns once the port accepts connections."""
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving (open connections are closed) and free the port."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STARTUP_SECONDS)
        self._socket.close()

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
