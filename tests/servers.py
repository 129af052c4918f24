"""A real uvicorn server in a thread, on a free loopback port, for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn


def serve_in_thread(app: Any, **config: Any) -> tuple[str, Callable[[], None]]:
    """Serve `app` on 127.0.0.1; return its base URL and a function that stops it.

    `config` goes to `uvicorn.Config` (``ssl_certfile`` and ``ssl_keyfile``
    serve https; ``lifespan="on"`` runs the app's lifespan, off by default).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config.setdefault("log_level", "warning")
    config.setdefault("lifespan", "off")
    server = uvicorn.Server(uvicorn.Config(app, **config))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()

    scheme = "https" if config.get("ssl_certfile") else "http"
    return f"{scheme}://127.0.0.1:{port}", stop
