"""Issue 12: in the browser, the time from pressing `a` to the next card being focused with
the decision committed (the focus moves only once the server answered, after its commit):
median and p95 over 100 decisions. Target: median < 100 ms.

The real app is served over HTTP on 127.0.0.1 (a thread) against a fresh database, and
Debian's chromium is driven by Playwright; timings are taken inside the page
(performance.now() at the keydown and at the next card's focus).

    .venv/bin/python -m bench.console_browser [--decisions 100] [--database sqlite|postgres]
    .venv/bin/python -m bench.console_browser --decisions 10      # a quick check that it runs
"""
from __future__ import annotations

import argparse
import tempfile
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bench.common import median, percentile, pg_database, write_results
from moderation import migrate
from moderation.accounts import service as accounts
from moderation.app import create_app
from moderation.clock import FrozenClock
from moderation.comments.models import Comment
from moderation.config import Settings
from moderation.runtime import Runtime
from tests.console.live import launch, log_in, serve
from tests.factories import make_article, make_comment

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
PASSWORD = "a benchmark password"
# Records the keydown of `a` and the next focus of a card, in the page's own clock.
PROBE = """() => {
  window.__marks = [];
  document.addEventListener('keydown', e => { if (e.key === 'a') window.__pressed = performance.now(); }, true);
  document.addEventListener('focusin', e => {
    if (e.target.classList && e.target.classList.contains('card') && window.__pressed !== undefined) {
      window.__marks.push(performance.now() - window.__pressed); window.__pressed = undefined; }
  }, true);
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=100)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db" if args.database == "sqlite" else pg_database("moderation_bench_browser")
        settings = Settings().replace(database={"url": url}, scoring={"backend": "none", "run_worker": False},
                                      closing={"run_scheduler": False}, ratelimit={"enabled": False},
                                      console={"page_size": 100, "poll_seconds": 600.0})
        runtime = Runtime(settings, clock=FrozenClock(NOW))
        migrate.upgrade(runtime.db.engine)
        article = make_article(runtime, "bench", published_at=NOW - timedelta(hours=1))
        pages = (args.decisions + 99) // 100
        for _ in range(args.decisions + pages):  # one spare card per page: "the next card" always exists
            make_comment(runtime, article)
        with runtime.db.transaction() as session:
            accounts.create_account(session, "bench@example.ch", "Bench", "moderator", NOW, password=PASSWORD)
        from playwright.sync_api import expect, sync_playwright

        timings: list[float] = []
        with serve(create_app(runtime=runtime)) as base, sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.set_default_timeout(30_000)
            log_in(page, base, "bench@example.ch", PASSWORD)
            done = 0
            while done < args.decisions:
                page.goto(f"{base}/console/queue?order=oldest")
                page.evaluate(PROBE)
                page.keyboard.press("j")
                ids = page.locator("#cards .card").evaluate_all("cs => cs.map(c => c.id)")
                for index in range(min(len(ids) - 1, args.decisions - done)):
                    page.keyboard.press("a")
                    expect(page.locator(f"#{ids[index + 1]}")).to_be_focused()
                    done += 1
                timings.extend(page.evaluate("() => window.__marks"))
            browser.close()
        with runtime.db.transaction(write=False) as session:
            approved = session.scalar(select(func.count()).select_from(Comment).where(Comment.status == "approved"))
        runtime.db.dispose()
    assert approved == args.decisions and len(timings) == args.decisions, (approved, len(timings))
    markdown = "\n".join([
        f"Console, Debian chromium (headless) via Playwright, {args.database}, app served by werkzeug in a thread: "
        f"press `a` -> next card focused with the decision committed, {args.decisions} decisions.", "",
        "| median | p95 | max |", "|---|---|---|",
        f"| {median(timings):.1f} ms | {percentile(timings, 0.95):.1f} ms | {max(timings):.1f} ms |"])
    write_results(f"console_browser_{args.database}", {"decisions": args.decisions, "timings_ms": timings}, markdown)


if __name__ == "__main__":
    main()
