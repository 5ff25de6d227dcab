"""`make screenshots`: docs/console-queue.png, docs/console-article.png, docs/console-author.png,
the queue, a thread and an author with a moderator's note in French (docs/console-queue-fr.png,
console-article-fr.png, console-author-fr.png), the queue, the log, the articles and an
administrator's settings in German (console-queue-de.png, console-log-de.png,
console-articles-de.png, console-settings-de.png) and the queue on a 390 px phone
(console-phone-fr.png).

Builds a throw-away SQLite database with a few realistic comments (scored by the fake scorer:
real weights are not needed for a picture), serves the real console and photographs it in
Debian's chromium, so the README's pictures always show the current console.

    .venv/bin/python -m tools.console_screenshots [--out docs]
"""
from __future__ import annotations

import argparse
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from moderation import migrate
from moderation.accounts import service as accounts
from moderation.app import create_app
from moderation.clock import FrozenClock
from moderation.config import Settings
from moderation.review import service as review
from moderation.runtime import Runtime
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.console.live import launch, log_in, serve
from tests.factories import make_article, make_comment

NOW = datetime(2026, 11, 25, 15, 20, tzinfo=timezone.utc)
PASSWORD = "screenshots only, not a real account"


def fill(runtime: Runtime) -> None:
    votes = make_article(runtime, "2026-11-25-votations", title="Votations du 30 novembre : ce qu'il faut savoir",
                         published_at=NOW - timedelta(hours=66, minutes=48))
    budget = make_article(runtime, "2026-11-25-budget", title="Budget 2027 : le Conseil d'État présente ses priorités",
                          published_at=NOW - timedelta(hours=5))
    make_article(runtime, "2026-11-24-tram", title="Le tram de la Blécherette prend du retard",
                 published_at=NOW - timedelta(hours=30))
    parent = make_comment(runtime, votes, author_id="u-1841", author_name="Claire M.", status="approved",
                          body="Je voterai oui : la réforme est attendue depuis dix ans.")
    bodies = [
        (votes, "u-2203", "Marc_74", "Encore un article nul écrit par des idiots. Tous des crétins.", parent.id),
        (votes, "u-0932", "Sophie R.", "Merci pour ce résumé clair, on comprend les enjeux.", None),
        (budget, "u-2203", "Marc_74", "Stupide budget, stupide gouvernement. ARNAQUE totale.", None),
        (budget, "u-7710", "Jean-Pierre", "Les chiffres de la page 3 ne collent pas au communiqué.", None),
        (votes, "u-5521", "Lena", "Das ist nul, ehrlich gesagt.", None),
        (budget, "u-3012", "Promo", "Gagnez 1000 CHF par jour !!! Cliquez ici : www.exemple-arnaque.ch", None),
    ]
    for article, author_id, name, body, parent_id in bodies:
        runtime.clock.advance(minutes=7)
        make_comment(runtime, article, author_id=author_id, author_name=name, body=body, parent_id=parent_id)
    runtime.clock.set(NOW)
    score_pending(runtime, FakeScorer(), None, "screenshots")
    with runtime.db.transaction() as session:
        review.report_comment(session, 2, "reader-9", "abuse", "Insultes répétées", NOW)
        for email, name in (("alice@example.ch", "Alice Moderator"), ("bob@example.ch", "Bob Moderator")):
            accounts.create_account(session, email, name, "admin" if email.startswith("alice") else "moderator",
                                    NOW, password=PASSWORD)
        review.decide(session, 1, "approve", "user:bob@example.ch", None, NOW, expected_status="approved")
        review.feature(session, 1, True, "user:bob@example.ch", NOW)
        review.add_author_note(session, "u-2203",
                               "Insulte les journalistes à chaque votation ; déjà averti par e-mail.",
                               "user:bob@example.ch", NOW - timedelta(days=3))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings().replace(
            database={"url": f"sqlite:///{folder}/screenshots.db"}, scoring={"backend": "none", "run_worker": False},
            closing={"run_scheduler": False}, ratelimit={"enabled": False},
            review={"suspect_words": ["arnaque", "cliquez ici"]})
        runtime = Runtime(settings, clock=FrozenClock(NOW - timedelta(hours=1)))
        migrate.upgrade(runtime.db.engine)
        fill(runtime)
        from playwright.sync_api import sync_playwright

        with serve(create_app(runtime=runtime)) as url, sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            log_in(page, url, "alice@example.ch", PASSWORD)
            page.keyboard.press("j")
            page.keyboard.press("j")
            page.keyboard.press("r")
            page.keyboard.press("3")
            page.screenshot(path=str(out / "console-queue.png"), full_page=True)
            page.goto(f"{url}/console/articles/2026-11-25-votations")
            page.screenshot(path=str(out / "console-article.png"), full_page=True)
            page.goto(f"{url}/console/author?id=u-2203")
            page.screenshot(path=str(out / "console-author.png"), full_page=True)
            page.context.close()
            desk = {"width": 1280, "height": 900}
            shots = [("bob", "fr-CH", desk, [("/console/queue", "console-queue-fr.png"),
                                             ("/console/articles/2026-11-25-votations", "console-article-fr.png"),
                                             ("/console/author?id=u-2203", "console-author-fr.png")]),
                     ("bob", "de-CH", desk, [("/console/queue", "console-queue-de.png"),
                                             ("/console/log", "console-log-de.png"),
                                             ("/console/articles", "console-articles-de.png")]),
                     ("alice", "de-CH", desk, [("/console/settings", "console-settings-de.png")]),
                     ("bob", "fr-CH", {"width": 390, "height": 844}, [("/console/queue", "console-phone-fr.png")])]
            for person, locale, viewport, pages in shots:
                _photograph(browser, url, f"{person}@example.ch", locale, viewport, pages, out)
            browser.close()
        runtime.db.dispose()
    for name in ("queue", "article", "author", "queue-fr", "article-fr", "author-fr", "queue-de", "log-de",
                 "articles-de", "settings-de", "phone-fr"):
        print(out / f"console-{name}.png")


def _photograph(browser, url: str, email: str, locale: str, viewport: dict, pages: list[tuple[str, str]],
                out: Path) -> None:
    """The console as a browser set to ``locale`` sees it (its Accept-Language chooses the
    console's language: the account has none)."""
    context = browser.new_context(locale=locale, viewport=viewport, extra_http_headers={"Accept-Language": locale})
    page = context.new_page()
    page.goto(f"{url}/console/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{url}/console/queue")
    for path, name in pages:
        page.goto(url + path)
        if path == "/console/queue" and viewport["width"] > 600:
            page.keyboard.press("j")
            page.keyboard.press("r")
        page.screenshot(path=str(out / name), full_page=True)
    context.close()


if __name__ == "__main__":
    main()
