"""classroom: e-safety lessons, worry reports and safeguarding records for a special school."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from classroom.config import ROOT


class App(Flask):
    """Flask, asking once per function whether it is `async def`.

    Flask calls `ensure_sync` on every hook, view and template context processor of every
    request, and each call inspects the function again: about a hundred calls a page, a
    fortieth of it. Whether a function is a coroutine function never changes, so the answer
    (the function itself, or Flask's wrapper for it) is kept per function.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        found = self._synced.get(func)
        if found is None:
            found = self._synced[func] = super().ensure_sync(func)
        return found


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, database, security, blueprints and CLI. No work at start-up."""
    instance = Path(
        (overrides or {}).get("INSTANCE_PATH")
        or os.environ.get("CLASSROOM_INSTANCE")
        or ROOT / "instance"
    )
    app = App(
        __name__,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # lazy: `import classroom` (Alembic, the CLI) loads no feature until an app is built
    from classroom import config, db, errors, templating, web
    from classroom.lessons.content import lesson_files
    from classroom.lessons.kinds import KINDS

    app.jinja_environment = templating.Environment  # before anything makes app.jinja_env
    app.request_class = web.TextRequest
    app.config.update(config.load_config(instance, overrides))
    # Refuse to start with a broken lesson file rather than show a pupil half a lesson.
    app.extensions["lessons"] = lesson_files(kinds=KINDS)
    db.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    _register_features(app)
    templating.init_app(app)
    if app.config["ENV"] == "production" and app.config["GC_FREEZE_AT_START"]:
        # Everything built so far (modules, mappers, routes, the config) lives as long as the
        # worker: leave it out of the garbage collector's full passes. Each full pass walked
        # some 180,000 such objects: measured in a gunicorn worker serving the DSL queue, a
        # 125-250 ms pause every few thousand requests. Not in tests, which build many apps.
        gc.freeze()
    return app


def _register_features(app: Flask) -> None:
    # lazy: the factory is the top layer; features load only when an app is built
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    # lazy: features load only when an app is built, as above
    from classroom.accounts import views as accounts
    from classroom.admin import views as admin
    from classroom.assessment import views as assessment
    from classroom.assessment.models import Observation
    from classroom.assessment.queries import moment_states
    from classroom.cli import register_cli
    from classroom.core import views as core
    from classroom.devices import tiles_views as tiles
    from classroom.devices import views as devices
    from classroom.installed import views as installed
    from classroom.ipad import views as ipad
    from classroom.lessons import authoring_views as authoring
    from classroom.lessons import views as lessons
    from classroom.lessons.content import all_pupil_texts
    from classroom.parents import views as parents
    from classroom.parents.queries import carers_named_in_words
    from classroom.parents.services import incident_notices
    from classroom.pupils import views as pupils
    from classroom.review import views as review
    from classroom.rules import views as rules
    from classroom.speech import views as speech
    from classroom.speech.services import register_text_source
    from classroom.symbols import sheet_views
    from classroom.symbols import views as symbols
    from classroom.symbols.recording_views import recorded_clip
    from classroom.worries import evidence_views as evidence
    from classroom.worries import transfer_views as transfer
    from classroom.worries import views as worries
    from classroom.worries.flow import worry_texts

    features = (core, accounts, admin, devices, pupils, symbols, speech, worries, review, lessons,
                assessment)
    for module in features:
        app.register_blueprint(module.bp)
    app.register_blueprint(parents.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(rules.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(tiles.bp)
    app.register_blueprint(installed.bp)
    app.register_blueprint(ipad.bp)  # the pupil's iPad shell, above lessons and worries
    register_cli(app)
    register_text_source(app, lambda: (t for _id, t in all_pupil_texts(app.extensions["lessons"])))
    register_text_source(app, worry_texts)
    worries.register_notices(app, incident_notices)
    review.register_carers_named(app, carers_named_in_words)
    parents.register_moment_states(app, moment_states)
    speech.register_recorded_voice(app, recorded_clip)
    sheet_views.register_lessons(app, lessons.sheet_lessons)

    def observed(session: Session, lesson_key: str) -> bool:
        """Whether staff recorded any observation on the lesson (corrected ones count too)."""
        found = select(Observation.id).where(Observation.lesson_id == lesson_key).limit(1)
        return session.scalar(found) is not None

    authoring.register_observed(app, observed)
