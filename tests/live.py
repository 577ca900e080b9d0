"""A live server for browser tests: the app on a free local port, in a thread.

Werkzeug's development server forgets to close a streamed file when the browser drops the
connection half-way (its clean-up reads the dead socket first, raises, and never reaches the
body's close()). Chromium does that often: a favicon fetched while the page navigates, a
speech clip stopped when the highlight moves on. The file is then closed by the garbage
collector, and `filterwarnings = error` turns the ResourceWarning into a failure of whichever
test happens to be running. So bodies are read whole and closed before a byte is sent; the
responses are the same, and nothing is left open for a dropped connection to leak.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import make_server

WSGIApp = Any  # a Flask app or any WSGI callable


def whole_bodies(app: WSGIApp) -> WSGIApp:
    def serve(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


class LiveServer:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, whole_bodies(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()
