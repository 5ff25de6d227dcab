"""Fast hands (issue 22): the reason `r` then Enter uses is the person's last one (read from the
audit log), the site's default the first time; tabs have keys 1-5, listed in the help."""
from __future__ import annotations

import re

from tests.factories import make_article, make_comment


def _last_reason(html: str) -> str:
    match = re.search(r'data-last-reason="([^"]*)"', html)
    assert match, "no data-last-reason on the queue"
    return match.group(1)


def test_the_first_time_the_site_default_then_the_last_reason_used(console, runtime):
    article = make_article(runtime, "a-1")
    first, second, third = (make_comment(runtime, article) for _ in range(3))
    assert _last_reason(console.get("/console/queue").get_data(as_text=True)) == "offensive"
    console.post(f"/console/comments/{first.id}/decision",
                 {"action": "reject", "reason": "spam", "note": "liens", "expected_version": "1"}, htmx=True)
    assert _last_reason(console.get("/console/queue").get_data(as_text=True)) == "spam"
    # A bulk rejection counts too; a ban's rejections do not (their reason is not one of the six).
    console.post("/console/decisions", {"action": "reject", "reason": "off_topic", "comment_id": [str(second.id)],
                                        f"expected_{second.id}": "1"}, htmx=True)
    make_comment(runtime, article, author_id="troll")
    console.post("/console/authors/ban", {"author_id": "troll", "reject_waiting": "y", "confirmed": "1"}, htmx=True)
    assert _last_reason(console.get("/console/queue").get_data(as_text=True)) == "off_topic"


def test_the_default_reason_is_configurable(app, runtime, moderator_account):
    from tests.console.conftest import Console, login

    runtime.settings = runtime.settings.replace(console={"default_reject_reason": "spam"})
    client = app.test_client()
    login(client, moderator_account.email)
    assert _last_reason(Console(client, moderator_account).get("/console/queue").get_data(as_text=True)) == "spam"


def test_tabs_have_keys_listed_in_the_help(console):
    html = console.get("/console/queue").get_data(as_text=True)
    assert [int(k) for k in re.findall(r'data-tab-key="(\d)"', html)] == [1, 2, 3, 4, 5]
    assert "switch tab (outside the reject panel)" in html and "reject with your last reason" in html
