"""The app's Jinja environment (classroom.templating.Environment): templates' globals."""

from __future__ import annotations

from flask import Flask


def test_templates_see_the_apps_globals_as_they_are_now_also_through_an_import(
    app: Flask,
) -> None:
    """Templates' globals are looked up live, as Jinja's own ChainMap does: a global the app
    adds after a template was loaded is seen by it, also by a page that imports macros."""
    env = app.jinja_env
    page = env.from_string("{% import '_macros/forms.html' as forms %}{{ greeting() }}")
    env.globals["greeting"] = lambda: "hello"
    with app.test_request_context():
        assert page.render() == "hello"
        assert env.from_string("{{ greeting() }}").render() == "hello"
    assert "greeting" in page.globals.keys()  # noqa: SIM118 - keys() is what the import compares
