"""What every simulator's server shares: served in a background thread for tests, or in
this one for ``python -m kilowatt.simulators.<name>``, stopped cleanly either way."""

from __future__ import annotations

import socketserver
import threading
from typing import Self


class BackgroundServer:
    """A simulator's HTTP server (already bound; port 0 picks a free one)."""

    thread_name = "simulator"

    def __init__(self, server: socketserver.TCPServer) -> None:
        self._server = server
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted, then close the socket."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
