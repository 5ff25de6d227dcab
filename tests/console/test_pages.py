"""Every console page and fragment through the Flask test client: roles, CSRF, headers,
decisions (and their conflicts), undo, bulk, bans, erasure, threads, the log, languages."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.audit.models import AuditEntry
from moderation.comments.models import Comment
from moderation.review.models import BannedAuthor
from moderation.review.service import report_comment
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.console.conftest import Console, csrf_from, login, make_account
from tests.factories import headers, make_article, make_comment, make_key

PAGES = ["/console/queue", "/console/queue?tab=reported", "/console/queue?tab=unscored",
         "/console/queue?tab=approved", "/console/queue?tab=rejected", "/console/queue?order=oldest",
         "/console/articles", "/console/articles?order=waiting", "/console/log", "/console/author?id=bob"]


def entries(runtime, **filters):
    with runtime.db.transaction(write=False) as session:
        return list(session.scalars(select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)))


def status_of(runtime, comment_id):
    with runtime.db.transaction(write=False) as session:
        return session.get(Comment, comment_id)


@pytest.fixture
def article(runtime):
    return make_article(runtime, "a-1", title="Votations du 30 novembre")


def test_logged_out_visitors_and_api_keys_never_reach_the_console(client, runtime, article):
    make_comment(runtime, article, body="secret body")
    frontend = make_key(runtime, "frontend")
    admin_key = make_key(runtime, "admin")
    for path in PAGES + ["/console/articles/a-1", "/console/settings", "/console/account/password"]:
        for extra in ({}, headers(frontend), headers(admin_key)):
            response = client.get(path, headers=extra)
            assert response.status_code == 302 and "/console/login" in response.headers["Location"], path
            assert "secret body" not in response.get_data(as_text=True)
    assert client.get("/console/queue/updates", headers={"Accept": "application/json"}).status_code == 401
    assert client.get("/console/queue", headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/console/login"


def test_login_page_form_and_security_headers(client):
    page = client.get("/console/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'type="email"' in html and 'type="password"' in html and 'type="submit"' in html
    assert '<label for="email">' in html and '<label for="password">' in html
    assert "<script>" not in html and "onclick" not in html  # no inline script anywhere
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["Referrer-Policy"] == "same-origin" and page.headers["Cache-Control"] == "no-store"


def test_login_sets_a_hardened_cookie_and_logout_closes_the_console(app, moderator_account):
    client = app.test_client()
    response = login(client, moderator_account.email)
    assert response.status_code == 302 and response.headers["Location"] == "/console/queue"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie and "Secure" not in cookie
    queue = client.get("/console/queue")
    assert queue.status_code == 200
    assert client.post("/console/logout", data={"csrf_token": csrf_from(queue)}).status_code == 302
    assert client.get("/console/queue").status_code == 302


def test_secure_cookies_setting(runtime, moderator_account):
    from moderation.app import create_app

    runtime.settings = runtime.settings.replace(console={"secure_cookies": True})
    client = create_app(runtime=runtime).test_client()
    response = login(client, moderator_account.email, base_url="https://console.example")
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_and_throttling(app, runtime, moderator_account):
    client = app.test_client()
    assert login(client, moderator_account.email, "wrong password!").status_code == 401
    for _ in range(4):
        login(client, moderator_account.email, "wrong password!")
    throttled = login(client, moderator_account.email)
    assert throttled.status_code == 429 and "Too many failed logins" in throttled.get_data(as_text=True)


def test_login_redirects_only_inside_the_console(app, moderator_account):
    client = app.test_client()
    page = client.get("/console/login?next=https://evil.example/")
    response = client.post("/console/login?next=https://evil.example/", data={
        "email": moderator_account.email, "password": "correct horse battery", "csrf_token": csrf_from(page)})
    assert response.headers["Location"] == "/console/queue"


def test_csrf_refused_without_token(console, runtime, article):
    comment = make_comment(runtime, article)
    refused = console.client.post(f"/console/comments/{comment.id}/decision",
                                  data={"action": "approve", "expected_version": "1"})
    assert refused.status_code == 400 and "The form expired" in refused.get_data(as_text=True)
    assert status_of(runtime, comment.id).status == "pending"
    forged = console.client.post("/console/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert console.get("/console/queue").status_code == 200  # still logged in


def test_json_api_needs_no_csrf_and_sets_no_cookie(client, runtime, article):
    moderator = make_key(runtime, "moderator")
    comment = make_comment(runtime, article)
    response = client.post(f"/api/v1/moderation/comments/{comment.id}/decision", headers=headers(moderator),
                           json={"action": "approve"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_every_page_renders(console, admin_console, runtime, article, clock):
    make_comment(runtime, article, author_id="bob", author_name="Bob")
    for path in PAGES + ["/console/articles/a-1", "/console/account/password", "/console/"]:
        response = console.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert response.headers["Content-Security-Policy"]
    assert console.get("/console/articles/nope").status_code == 404
    assert console.get("/console/settings").status_code == 403
    settings = admin_console.get("/console/settings")
    assert settings.status_code == 200 and "72 h" in settings.get_data(as_text=True)


def _scored(runtime, article, bodies):
    ids = [make_comment(runtime, article, body=body).id for body in bodies]
    score_pending(runtime, FakeScorer(), None, "test-worker")  # the fake scorer: real weights cannot load here
    return ids


def test_queue_most_toxic_first_with_scores_and_deadline(console, runtime, article):
    calm, rude, ruder = _scored(runtime, article, ["Merci.", "C'est nul.", "Idiot, stupide et nul."])
    html = console.get("/console/queue").get_data(as_text=True)
    positions = [html.index(f'id="card-{i}"') for i in (ruder, rude, calm)]
    assert positions == sorted(positions)
    assert "closes in 2 d 23 h" in html  # published an hour before now, 72 h window
    assert "<meter" in html and "Highest:" in html and "Votations du 30 novembre" in html
    oldest = console.get("/console/queue?order=oldest").get_data(as_text=True)
    assert oldest.index(f'id="card-{calm}"') < oldest.index(f'id="card-{ruder}"')


def test_html_body_and_names_render_as_text(console, runtime, article):
    make_comment(runtime, article, body="<img src=x onerror=alert(1)>", author_name="<b>Mallory</b>")
    html = console.get("/console/queue").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>Mallory</b>" not in html and "&lt;b&gt;Mallory&lt;/b&gt;" in html


def test_suspect_and_banned_words_are_highlighted(console, runtime, article):
    runtime.settings = runtime.settings.replace(review={"suspect_words": ["arnaque"]})
    make_comment(runtime, article, body="Une ARNAQUE, vraiment.")
    html = console.get("/console/queue").get_data(as_text=True)
    assert '<mark class="suspect" title="suspect word">ARNAQUE</mark>' in html


def test_approve_and_reject_fragments_write_the_log_with_the_person(console, runtime, article):
    first, second = make_comment(runtime, article), make_comment(runtime, article)
    approved = console.post(f"/console/comments/{first.id}/decision",
                            {"action": "approve", "expected_version": "1"}, htmx=True)
    assert approved.status_code == 200 and "Approved by Alice Moderator" in approved.get_data(as_text=True)
    assert json.loads(approved.headers["HX-Trigger-After-Settle"]) == {"console:decided": {"id": first.id}}
    no_reason = console.post(f"/console/comments/{second.id}/decision",
                             {"action": "reject", "expected_version": "1"}, htmx=True)
    assert no_reason.status_code == 422 and status_of(runtime, second.id).status == "pending"
    rejected = console.post(f"/console/comments/{second.id}/decision",
                            {"action": "reject", "reason": "spam", "note": "liens", "expected_version": "1"},
                            htmx=True)
    assert rejected.status_code == 200
    # A decided card says what was decided, by whom, with which reason.
    decided = rejected.get_data(as_text=True)
    assert 'data-decision="rejected" data-decided-by="user:alice@example.ch"' in decided
    assert 'data-reason="spam: liens"' in decided and "Rejected by Alice Moderator" in decided
    assert "Reason: spam: liens" in decided
    log = entries(runtime, actor="user:alice@example.ch")
    assert [(e.action, e.comment_id, e.reason) for e in log] == [("approve", first.id, None),
                                                                  ("reject", second.id, "spam: liens")]
    assert status_of(runtime, first.id).decided_by == "user:alice@example.ch"


def test_plain_form_decision_without_javascript(console, runtime, article):
    comment = make_comment(runtime, article)
    response = console.post(f"/console/comments/{comment.id}/decision",
                            {"action": "approve", "expected_version": "1", "next": "/console/queue"})
    assert response.status_code == 302 and response.headers["Location"] == "/console/queue"
    assert status_of(runtime, comment.id).status == "approved"
    assert "Approved." in console.get("/console/queue").get_data(as_text=True)


def test_stale_card_is_a_conflict_naming_who_decided(console, app, runtime, article):
    comment = make_comment(runtime, article)
    other = make_account(runtime, "bob@example.ch", name="Bob Moderator")
    bob = app.test_client()
    login(bob, other.email)
    Console(bob, other).post(f"/console/comments/{comment.id}/decision",
                             {"action": "reject", "reason": "abusive", "expected_version": "1"}, htmx=True)
    late = console.post(f"/console/comments/{comment.id}/decision",
                        {"action": "approve", "expected_version": "1"}, htmx=True)
    assert late.status_code == 409
    assert "already rejected by Bob Moderator" in late.get_data(as_text=True)
    assert status_of(runtime, comment.id).status == "rejected"
    updates = console.get(f"/console/queue/updates?after=0&ids={comment.id}").json
    assert updates["cards"] == [{"id": comment.id, "status": "rejected", "waiting": False,
                                 "label": "Rejected by Bob Moderator"}]


def test_undo_reverses_my_last_decision_and_logs_it(console, runtime, article, clock):
    comment = make_comment(runtime, article)
    console.post(f"/console/comments/{comment.id}/decision",
                 {"action": "reject", "reason": "spam", "expected_version": "1"}, htmx=True)
    decision_id = entries(runtime, action="reject")[-1].id
    clock.advance(seconds=20)
    undone = console.post("/console/undo", htmx=True)
    assert undone.status_code == 200 and f'id="card-{comment.id}"' in undone.get_data(as_text=True)
    restored = status_of(runtime, comment.id)
    assert restored.status == "pending" and restored.awaiting_review and restored.decided_by is None
    undo = entries(runtime, action="undo")[-1]
    assert undo.actor == "user:alice@example.ch" and undo.reason == f"undo of #{decision_id}"
    assert (undo.previous_status, undo.new_status) == ("rejected", "pending")
    assert console.post("/console/undo", htmx=True).status_code == 409  # nothing left to undo


def test_undo_window_and_only_the_decider(console, app, runtime, article, clock):
    comment = make_comment(runtime, article)
    console.post(f"/console/comments/{comment.id}/decision", {"action": "approve", "expected_version": "1"},
                 htmx=True)
    other = make_account(runtime, "bob@example.ch")
    bob = app.test_client()
    login(bob, other.email)
    refused = Console(bob, other).post("/console/undo", {"comment_id": str(comment.id)}, htmx=True)
    assert refused.status_code == 409 and "Only the person who decided" in refused.get_data(as_text=True)
    clock.advance(seconds=31)
    late = console.post("/console/undo", {"comment_id": str(comment.id)}, htmx=True)
    assert late.status_code == 409 and "Too late" in late.get_data(as_text=True)
    assert status_of(runtime, comment.id).status == "approved"


def test_undo_restores_a_reported_comment_with_its_reports(console, runtime, article):
    comment = make_comment(runtime, article, status="approved")
    with runtime.db.transaction() as session:
        report_comment(session, comment.id, "reader-1", "abuse", "insultant", runtime.now())
    reported = console.get("/console/queue?tab=reported").get_data(as_text=True)
    assert f'id="card-{comment.id}"' in reported and "insultant" in reported
    console.post(f"/console/comments/{comment.id}/decision",
                 {"action": "reject", "reason": "abusive", "expected_version": "3"}, htmx=True)  # approved, reported
    assert status_of(runtime, comment.id).open_reports == 0
    console.post("/console/undo", htmx=True)
    back = status_of(runtime, comment.id)
    assert back.status == "approved" and back.open_reports == 1 and back.awaiting_review
    assert back.decided_by == "factory" or back.decided_by is None


def test_bulk_decisions_with_per_item_results(console, app, runtime, article):
    ids = [make_comment(runtime, article).id for _ in range(3)]
    decided = make_comment(runtime, article, status="rejected").id
    data = {"action": "approve", "comment_id": [*map(str, ids), str(decided)],
            **{f"expected_{i}": "1" for i in [*ids, decided]}}  # the decided one is at version 2 now
    response = console.post("/console/decisions", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "3 of 4 decided." in html and f"#{decided}: refused" in html
    assert [status_of(runtime, i).status for i in ids] == ["approved"] * 3
    assert status_of(runtime, decided).status == "rejected"
    no_reason = console.post("/console/decisions", {"action": "reject", "comment_id": [str(ids[0])]}, htmx=True)
    assert no_reason.status_code == 422


def test_ban_with_rejection_of_waiting_comments(console, runtime, article):
    waiting = [make_comment(runtime, article, author_id="troll").id for _ in range(2)]
    response = console.post("/console/authors/ban", {"author_id": "troll", "reason": "spam run",
                                                     "reject_waiting": "y", "confirmed": "1"}, htmx=True)
    assert response.status_code == 200 and "2 waiting comments rejected" in response.get_data(as_text=True)
    with runtime.db.transaction(write=False) as session:
        assert session.get(BannedAuthor, "troll").banned_by == "user:alice@example.ch"
    assert [status_of(runtime, i).status for i in waiting] == ["rejected", "rejected"]
    page = console.get("/console/author?id=troll").get_data(as_text=True)
    assert "banned" in page and "Unban" in page
    assert console.post("/console/authors/unban", {"author_id": "troll"}).status_code == 302
    assert entries(runtime, action="unban")[-1].actor == "user:alice@example.ch"


def test_a_moderator_cannot_erase_an_admin_can(console, admin_console, runtime, article):
    comment = make_comment(runtime, article, author_id="gone", author_name="Gone Person", body="mon adresse")
    page = console.get("/console/author?id=gone").get_data(as_text=True)
    assert "Erase" not in page
    assert console.post("/console/authors/erase", {"author_id": "gone", "confirm": "gone", "confirmed": "1"}) \
        .status_code == 403
    assert status_of(runtime, comment.id).erased_at is None
    admin_page = admin_console.get("/console/author?id=gone").get_data(as_text=True)
    assert "Erase this author" in admin_page and "1 comments of gone" in admin_page
    unconfirmed = admin_console.post("/console/authors/erase", {"author_id": "gone", "confirm": "nope"})
    assert unconfirmed.status_code == 302 and status_of(runtime, comment.id).erased_at is None
    admin_console.post("/console/authors/erase", {"author_id": "gone", "confirm": "gone", "confirmed": "1"})
    erased = status_of(runtime, comment.id)
    assert erased.erased_at is not None and erased.body == ""
    assert entries(runtime, action="erase")[-1].actor == "user:root@example.ch"


def test_articles_lock_unlock_window_and_thread(console, runtime, article, clock):
    other = make_article(runtime, "a-2", title="Autre", published_at=runtime.now() - timedelta(hours=70))
    parent = make_comment(runtime, article, status="approved", body="Premier")
    make_comment(runtime, article, parent_id=parent.id, body="Une réponse")
    listing = console.get("/console/articles").get_data(as_text=True)
    assert listing.index("Autre") < listing.index("Votations")  # closing soonest first
    assert "closes in 1 h 59 min" in listing or "closes in 2 h 0 min" in listing
    thread = console.get("/console/articles/a-1").get_data(as_text=True)
    assert "Premier" in thread and "Une réponse" in thread and 'class="depth-1' in thread
    console.post(f"/console/articles/{other}/lock", {"reason": "trop de trolls", "confirmed": "1"})
    assert "closed" in console.get(f"/console/articles/{other}").get_data(as_text=True)
    assert "Autre" not in console.get("/console/articles").get_data(as_text=True)
    console.post(f"/console/articles/{other}/unlock", {"close_after_hours": "5"})
    assert "closes in 5 h 0 min" in console.get(f"/console/articles/{other}").get_data(as_text=True)
    console.post("/console/articles/a-1/window", {"close_after_hours": "2"})
    assert "closes in 1 h 0 min" in console.get("/console/articles/a-1").get_data(as_text=True)
    assert console.post("/console/articles/a-1/window", {"close_after_hours": "-3"}).status_code == 302
    actions = [e.action for e in entries(runtime, actor="user:alice@example.ch")]
    assert actions == ["lock", "unlock", "window"]


def test_log_filters_and_names_people(console, runtime, article):
    comment = make_comment(runtime, article, author_id="bob")
    console.post(f"/console/comments/{comment.id}/decision", {"action": "approve", "expected_version": "1"})
    log = console.get("/console/log?author=bob&action=approve").get_data(as_text=True)
    assert "Alice Moderator" in log and f"#{comment.id}" in log
    assert f"#{comment.id}" not in console.get("/console/log?action=reject").get_data(as_text=True)


def test_new_comment_count_for_the_banner(console, runtime, article):
    make_comment(runtime, article)
    html = console.get("/console/queue").get_data(as_text=True)
    last_id = int(html.split('data-last-id="')[1].split('"')[0])
    assert console.get(f"/console/queue/updates?after={last_id}").json["new"] == 0
    make_comment(runtime, article)
    update = console.get(f"/console/queue/updates?after={last_id}").json
    assert update["new"] == 1 and update["new_label"] == "1 new comment"


def test_french_from_accept_language_and_account_preference(console, runtime, article):
    make_comment(runtime, article)
    french = console.get("/console/queue", headers={"Accept-Language": "fr-CH,fr;q=0.9"}).get_data(as_text=True)
    assert "Approuver" in french and "ferme dans" in french and 'lang="fr"' in french
    console.post("/console/account/language", {"language": "en", "next": "/console/queue"})
    english = console.get("/console/queue", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Approve" in english and 'lang="en"' in english


def test_one_time_password_must_be_changed_first(app, runtime):
    from moderation.accounts import service as accounts

    with runtime.db.transaction() as session:
        _, one_time = accounts.create_account(session, "new@example.ch", "New", "moderator", runtime.now())
    client = app.test_client()
    login(client, "new@example.ch", one_time)
    assert client.get("/console/queue").headers["Location"] == "/console/account/password"
    page = client.get("/console/account/password")
    response = client.post("/console/account/password", data={
        "csrf_token": csrf_from(page), "current_password": one_time, "new_password": "my own long password",
        "repeat_password": "my own long password"})
    assert response.status_code == 302 and client.get("/console/queue").status_code == 200


def _cursor(*values) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


MALFORMED = [
    "/console/queue?cursor=%%%", "/console/queue?cursor=bm90IGpzb24",
    "/console/queue?cursor=" + _cursor("console:waiting:toxicity", 0.5, "2026-11-27T10:00:00", 1),  # naive time
    "/console/queue?cursor=" + _cursor("console:waiting:toxicity", 0.5, "0001-01-01T00:00:00+14:00", 1),
    "/console/queue?cursor=" + _cursor("console:waiting:toxicity", 0.5, "2026-11-27T10:00:00+00:00", 2**70),
    "/console/queue?cursor=" + _cursor("console:waiting:oldest", "2026-11-27T10:00:00+00:00", 1),  # other order
    "/console/queue?tab=approved&cursor=" + _cursor("console:approved:toxicity", "x", 1),
    "/console/queue?article=a%00b", "/console/queue?language=f%00", "/console/queue?article=%ED%A0%80",
    "/console/queue?min=nan&max=inf", "/console/queue?min=-1e400",
    "/console/queue/updates?after=%C2%B2&ids=%C2%B2,99999999999999999999999,-1,abc",
    "/console/queue/updates?after=99999999999999999999999",
    "/console/log?before=%C2%B2", "/console/log?before=99999999999999999999999", "/console/log?author=%00",
    "/console/log?article=a%00&actor=%00&action=%00", "/console/author?id=%00", "/console/author?id=a&status=%00",
    "/console/articles?order=%00",
]


@pytest.mark.parametrize("path", MALFORMED)
def test_malformed_query_strings_are_ignored_or_refused_never_a_500(console, runtime, article, path):
    make_comment(runtime, article)
    response = console.get(path, headers={"Accept": "application/json"} if "updates" in path else {})
    assert response.status_code in (200, 404), (path, response.status_code)


def test_malformed_ids_in_forms_are_refused_never_a_500(console, runtime, article):
    comment = make_comment(runtime, article)
    for raw in ("\u00b2", "99999999999999999999999", "-3", "1e3"):
        undo = console.post("/console/undo", data={"comment_id": raw}, htmx=True)
        assert undo.status_code == 409 and "Nothing to undo" in undo.get_data(as_text=True), raw
        bulk = console.post("/console/decisions", data={"action": "approve", "comment_id": [raw, str(comment.id)],
                                                        f"expected_{raw}": "1",
                                                        f"expected_{comment.id}": "\u00b9"}, htmx=True)
        assert bulk.status_code < 500, raw
    assert status_of(runtime, comment.id).status == "pending"


def test_an_erasure_says_how_many_comments_it_erased(admin_console, runtime, article):
    for n in range(3):
        make_comment(runtime, article, author_id="jp", body=f"Mon adresse est {n} rue des Alpes.")
    page = admin_console.post("/console/authors/erase", data={"author_id": "jp", "confirm": "jp", "confirmed": "1"},
                              follow_redirects=True)
    assert page.status_code == 200
    assert "Erased: 3 comments." in page.get_data(as_text=True)


def test_the_settings_page_shows_the_model_report_the_api_gives(admin_console, runtime, article):
    """Issue 16's report on the console's settings page: the same figures as the admin API."""
    from moderation.review import service as review

    bodies = [("merci " * n).strip() for n in range(1, 9)]
    ids = _scored(runtime, article, bodies)
    with runtime.db.transaction() as session:
        for number, comment_id in enumerate(ids):
            review.decide(session, comment_id, "reject" if number in (3, 5, 6, 7) else "approve", "user:dpo@example.ch",
                          None, runtime.now())
    page = admin_console.get("/console/settings").get_data(as_text=True)
    report = admin_console.get("/api/v1/admin/model-report",
                               headers=headers(make_key(runtime, "admin"))).json
    [group] = report["groups"]
    assert group["labels"] == 8 and group["rejections"] == 4
    auc = group["classes"]["toxicity"]["roc_auc"]
    assert auc is not None  # both approved and rejected labels: a value, shown as the API gives it
    assert "Model report" in page and group["model"] in page
    assert f"{auc:.3f}" in page and "8 labels (8 decisions, 0 suggestscores), 4 rejections" in page


def test_the_settings_page_says_when_there_are_no_labels_yet(admin_console):
    assert "No labels yet" in admin_console.get("/console/settings").get_data(as_text=True)


@pytest.mark.parametrize("target", ["/console/queue\r\nSet-Cookie: x=1", "/console/articles\nfoo", "/console/log\x00",
                                    "/console/queue\x7f", "/console/\x1b[2J"])
def test_a_control_character_in_next_falls_back_to_the_queue_after_the_action(console, runtime, article, target):
    """The action commits first, then the redirect: a line break there must not make a 500."""
    comment = make_comment(runtime, article)
    response = console.post(f"/console/comments/{comment.id}/decision",
                            data={"action": "approve", "expected_version": "1", "next": target})
    assert response.status_code in (302, 303) and response.headers["Location"] == "/console/queue"
    assert status_of(runtime, comment.id).status == "approved"
    language = console.post("/console/account/language", data={"language": "fr", "next": target})
    assert language.status_code in (302, 303) and language.headers["Location"] == "/console/queue"


def test_a_nul_in_the_login_email_is_a_failed_login_not_a_500(app, moderator_account):
    """PostgreSQL refuses NUL in text: the form must, before any query."""
    client = app.test_client()
    for email in (moderator_account.email + "\x00", "\x00"):
        response = login(client, email, "correct horse battery")
        assert response.status_code in (401, 422), response.status_code


def test_a_reply_chain_1000_deep_renders(console, runtime, article):
    """Threads are walked iteratively: Python's recursion limit is no bound on a reply chain."""
    parent = None
    for _ in range(1000):
        parent = make_comment(runtime, article, parent_id=parent.id if parent else None, status="approved")
    response = console.get(f"/console/articles/{article}")
    assert response.status_code == 200
    assert f'id="c{parent.id}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("method,path,status", [("get", "/console/no-such-page", 404),
                                                ("get", "/console/logout", 405),
                                                ("get", "/console/comments/1/decision", 405)])
def test_an_unknown_console_address_or_a_get_on_a_form_is_a_console_page_not_json(console, method, path, status):
    """Issue 22's dead ends: a mistyped console URL or a form's address opened in the browser
    showed the API's JSON envelope. It is the console's own error page, in the reader's language."""
    response = getattr(console.client, method)(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f"Error {status}" in page and "Back to the queue" in page
    french = getattr(console.client, method)(path, headers={"Accept-Language": "fr-CH"}).get_data(as_text=True)
    assert f"Erreur {status}" in french and "Retour à la file" in french
    # The API keeps its envelope.
    api = console.client.get("/api/v1/no-such-route")
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"
