"""The console's web glue: its cookie session, login guard, CSRF, language and security
headers (mounted by console/mount.py). Only /console/ is affected: the JSON API keeps bearer keys, no
cookies and no CSRF."""
from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, current_app, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from moderation.accounts import service as accounts
from moderation.errors import ApiError
from moderation.runtime import Runtime
from moderation.web import forwarded_address

HERE = Path(__file__).resolve().parent
PREFIX = "/console"
LANGUAGES = accounts.LANGUAGES
COOKIE = "moderation_console"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

csrf = CSRFProtect()
_secret_lock = threading.Lock()


def _runtime() -> Runtime:
    return current_app.extensions["moderation"]


def _ensure_secret(app: Flask) -> str:
    """[console] secret_key, or the key generated once and kept in the database."""
    if app.secret_key:
        return app.secret_key
    with _secret_lock:
        if not app.secret_key:
            runtime: Runtime = app.extensions["moderation"]
            with runtime.db.transaction() as db_session:
                app.secret_key = accounts.secret_key(db_session)
    return app.secret_key


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, for /console/ only: other paths get no session (the API
    never reads or sets a cookie, and pays nothing for this)."""

    def get_signing_serializer(self, app: Flask):
        if not request.path.startswith(PREFIX):
            return None
        _ensure_secret(app)
        return super().get_signing_serializer(app)


def client_address() -> str:
    """The browser's address: the connection's, or behind N trusted proxies X-Forwarded-For
    read as the API reads it (the same [ratelimit] trusted_proxies setting)."""
    return forwarded_address(_runtime().settings.ratelimit.trusted_proxies) or request.remote_addr or "unknown"


def per_console_person() -> str:
    """The rate-limit key of a console request: the signed-in session, else the address."""
    token = session.get("token") if request.path.startswith(PREFIX) else None
    if token:
        return "console:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return f"console-address:{client_address()}"


def _locale() -> str:
    account = g.get("account")
    if account is not None and account.language in LANGUAGES:
        return account.language
    return request.accept_languages.best_match(LANGUAGES) or "en"


# --- the guard, run before every console view -------------------------------------------------

PUBLIC_ENDPOINTS = {"console.login", "console.static"}
PASSWORD_ENDPOINTS = {"console.password", "console.logout"}


def wants_fragment() -> bool:
    return request.headers.get("HX-Request") == "true"


def guard() -> Response | None:
    if request.endpoint == "console.static":
        return None
    if request.endpoint in PUBLIC_ENDPOINTS:
        if request.method == "POST":
            csrf.protect()
        return None
    # Signed in first, then CSRF: a form sent after being signed out elsewhere has no CSRF
    # token in its (new, empty) session, and "signed out" is what the person must be told,
    # not "the CSRF token is missing". Nothing is done for a request without a session.
    active = _identify(touch=True)
    if active is None:
        session.pop("token", None)
        return _to_login()
    if request.method == "POST":
        csrf.protect()
    if active.account.must_change_password and request.endpoint not in PASSWORD_ENDPOINTS:
        return redirect(url_for("console.password"))
    return None


def _identify(touch: bool = False):
    """The signed-in session of this request (sets g.account), or None."""
    rt = _runtime()
    token = session.get("token", "")
    if not token:
        return None
    idle = timedelta(hours=rt.settings.console.session_hours)
    with rt.db.transaction(write=False) as db_session:
        active = accounts.resolve_session(db_session, token, idle, rt.now())
    if active is None:
        return None
    if touch and active.needs_touch:
        with rt.db.transaction() as db_session:
            accounts.touch_session(db_session, token, rt.now())
    g.account = active.account
    return active


def _to_login() -> Response:
    login = url_for("console.login")
    if wants_fragment() and request.method == "GET":
        response = Response(status=401)
        response.headers["HX-Redirect"] = login
        return response
    if wants_fragment():
        # htmx shows this in the page (console.js): "signed out — sign in again", with a link
        # back to the same place; the action was not done.
        response = current_app.make_response((gettext("You were signed out. Sign in again."), 401))
        response.headers["HX-Signed-Out"] = "true"
        return response
    if request.accept_mimetypes.best == "application/json":
        response = current_app.json.response({"error": {"code": "unauthorized", "message": "Log in first.",
                                                        "details": {}}})
        response.status_code = 401
        return response
    target = request.full_path.rstrip("?") if request.method == "GET" else ""
    if not target and request.method == "POST":
        # A plain form sent after being signed out: back to the page it was sent from.
        target = request.form.get("next") or ""
    return redirect(url_for("console.login", next=target) if target else login)


def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


def on_csrf_error(error: HTTPException):
    """A refused form (an expired or forged CSRF token, a malformed form): said in the
    console's language, not in Flask-WTF's or Werkzeug's English."""
    message = gettext("The form expired or was not sent by this console: reload the page and try again.") \
        if isinstance(error, CSRFError) else gettext("The form was not valid.")
    return render_template("error.html", status=400, message=message), 400


def on_routing_error(error: HTTPException):
    """An address of the console that does not exist, or a form's address opened as a page:
    a page in the console's language (the account's, when signed in) with its top bar."""
    if g.get("account") is None:
        try:
            _identify()
        except Exception:  # noqa: BLE001  (an error page must render even if the database cannot)
            g.pop("account", None)
    message = gettext("Not found.") if error.code == 404 else gettext("This page cannot be opened directly.")
    response = current_app.make_response((render_template("error.html", status=error.code, message=message),
                                          error.code))
    for name, value in error.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response


def error_message(status: int) -> str:
    """What a console page says for an error (the API's English message stays in the API)."""
    messages = {
        400: gettext("The request was not valid."),
        403: gettext("Only administrators may do this."),
        404: gettext("Not found."),
        405: gettext("This page cannot be opened directly."),
        409: gettext("Conflict: the comment changed since you saw it. Nothing was changed."),
        422: gettext("The form was not valid."),
        429: gettext("Too many requests: wait a moment and try again."),
    }
    return messages.get(status, gettext("The action failed"))


def on_api_error(error: ApiError):
    return render_template("error.html", status=error.status, message=error_message(error.status)), error.status
