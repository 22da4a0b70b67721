"""Running a WSGI app (a stand-in, or the portal in tests) on 127.0.0.1 in a background thread."""

from __future__ import annotations

import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadedServer:
    """A started server; ``url`` is where it answers, ``stop()`` ends it."""

    def __init__(self, app: Any, port: int = 0, host: str = "127.0.0.1") -> None:
        self.server: BaseWSGIServer = make_server(host, port or free_port(), app, threaded=True)
        self.host = host
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.1},
            daemon=True,
            name=f"serve-{self.port}",
        )

    def start(self) -> ThreadedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(app: Any, port: int = 0, host: str = "127.0.0.1") -> ThreadedServer:
    return ThreadedServer(app, port=port, host=host).start()
