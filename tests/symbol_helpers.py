"""What a test hands the symbol services that store files (issue 17: services take folders).

Pages get these from `classroom.symbols.web`; a test calling a service directly, inside the app
context, gets the same folders of the test app's instance.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from classroom.symbols import people, pictures, recordings


def picture_folder() -> Path:
    """Where the test app keeps the school's own pictures."""
    return pictures.folder(current_app.instance_path)


def people_folder() -> Path:
    """Where the test app keeps trusted adults' and staff photos."""
    return people.photo_dir(current_app.instance_path)


def recording_folder() -> Path:
    """Where the test app keeps staff voice recordings."""
    return recordings.folder(current_app.instance_path)
