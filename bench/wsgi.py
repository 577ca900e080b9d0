"""What the benchmark's gunicorn serves: the app, and beside it a minimal Flask page.

The minimal page (`/__minimal/`) runs in the same worker processes as the app, so every other
measurement can be given as a ratio to it: the machine, gunicorn and the client's own cost
cancel out, and what is left is what the app's pages cost.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from classroom import create_app

minimal = Flask("minimal")


@minimal.get("/")
def hello() -> str:
    return "ok"


application = DispatcherMiddleware(create_app(), {"/__minimal": minimal})
