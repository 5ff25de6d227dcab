"""A real console in a real browser: the app served over HTTP on 127.0.0.1 (a free port) in a
thread, and Debian's chromium driven by Playwright. Shared by the browser tests, the
screenshot script (`make screenshots`) and the browser benchmark."""
from __future__ import annotations

import contextlib
import os
import shutil
import threading
from typing import Iterator

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("MODERATION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--headless"]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


def launch(playwright):
    """Debian's chromium: Playwright's own browser download cannot work without internet."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="console-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/console/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/console/queue")


@contextlib.contextmanager
def watched_page(browser, locale: str, timeout_ms: int):
    """A page in its own context, with what went wrong in it: ``(kind, text)`` for each console
    error ("console"), script error ("pageerror") and native dialog ("dialog", dismissed: the
    console only uses its own <dialog>). Each fixture decides which of them fail its tests."""
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    problems: list[tuple[str, str]] = []
    page.on("console", lambda message: problems.append(("console", message.text))
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(("pageerror", str(error))))
    page.on("dialog", lambda dialog: problems.append(("dialog", f"dialog opened: {dialog.message}"))
            or dialog.dismiss())
    try:
        yield page, problems
    finally:
        context.close()

