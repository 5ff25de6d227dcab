"""Mounting the console on the app (called by the app factory)."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import Babel

from moderation.console.display import install_gettext
from moderation.console.views import bp
from moderation.console.web import COOKIE, HERE, PREFIX, ConsoleSessionInterface, _locale, csrf, on_routing_error
from moderation.runtime import Runtime


def install_console(app: Flask, runtime: Runtime) -> None:
    """Register the console blueprint and what it needs (called by the app factory)."""
    settings = runtime.settings.console
    if settings.secret_key:
        app.secret_key = settings.secret_key
    app.session_interface = ConsoleSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        # CSRF is checked by the console's own before_request only, never on the JSON API.
        WTF_CSRF_CHECK_DEFAULT=False,
        # A queue page stays open all day: the token lives as long as the console session.
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_TRANSLATION_DIRECTORIES=str(HERE / "translations"),
        BABEL_DEFAULT_LOCALE="en",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
    )
    csrf.init_app(app)
    Babel(app, locale_selector=_locale)
    install_gettext(app)
    app.register_blueprint(bp, url_prefix=PREFIX)
    app.extensions.setdefault("moderation.error_pages", []).append((PREFIX, on_routing_error))


