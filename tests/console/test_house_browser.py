"""The card's why in a real browser: the words that pushed the house score up are highlighted
in the comment, and the queue orders by the house score (issue 23)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from moderation.house import jobs
from moderation.house import service as house
from tests.console.conftest import PASSWORD
from tests.console.live import log_in
from tests.console.test_browser import WAIT, card, live, page, scored_comments  # noqa: F401
from tests.factories import make_article
from tests.house.conftest import generated, store_labels

pytestmark = pytest.mark.browser


def test_the_card_highlights_why_the_house_model_flags_a_comment(live, page):  # noqa: F811
    from playwright.sync_api import expect

    runtime = live.runtime
    # This database numbers its versions from 1: another test's version 1 must not be served.
    house.clear_cache()
    store_labels(runtime, generated(200), runtime.now() - timedelta(days=1))
    assert jobs.train(runtime).promoted
    article = make_article(runtime, "a-house", title="Gemeinderat")
    kind, rude = scored_comments(runtime, article, ["heute finde ich politik danke gut",
                                                    "heute finde ich politik idiot trottel"])
    log_in(page, live.url, "alice@example.ch", PASSWORD)
    page.goto(f"{live.url}/console/queue?order=house")
    cards = page.locator("article.card")
    expect(cards.first).to_have_id(f"card-{rude}", timeout=WAIT)
    marked = card(page, rude).locator(".body mark.house")
    expect(marked.first).to_be_visible()
    assert set(marked.all_inner_texts()) & {"idiot", "trottel"}
    expect(card(page, rude).locator(".house-why")).to_contain_text("house-v1")
    expect(card(page, kind).locator(".body mark.house")).to_have_count(0)
    expect(page.get_by_label("Order")).to_have_value("house")
