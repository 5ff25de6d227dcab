"""Issue 22, points 4 and 5 through the test client: notes on authors, the card's context
(waiting count, last rejections, notes, urgency, the model being down), the queue's author and
text filters, live tab counts, the Articles states and search, the log's filter by name, and
error pages in the console's language."""
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from moderation.audit.models import AuditEntry
from moderation.closing import service as closing
from moderation.console import service as console_service
from moderation.review import service as review
from moderation.review.models import AuthorNote
from tests.console.conftest import Console, login, make_account
from tests.factories import make_article, make_comment


@pytest.fixture
def article(runtime):
    return make_article(runtime, "a-1", title="Votations du 30 novembre")


def reject(runtime, comment_id, reason):
    with runtime.db.transaction() as session:
        review.decide(session, comment_id, "reject", "user:alice@example.ch", reason, runtime.now())


def test_a_note_on_an_author_is_on_their_cards_and_in_the_log(console, runtime, article):
    comment = make_comment(runtime, article, author_id="troll", author_name="Troll", body="Encore moi.")
    response = console.post("/console/authors/note", {"author_id": "troll", "body": "Averti deux fois",
                                                      "next": "/console/queue?tab=waiting"})
    assert response.status_code == 302 and response.headers["Location"] == "/console/queue?tab=waiting"
    html = console.get("/console/queue").get_data(as_text=True)
    assert "Notes on this author:" in html and "Averti deux fois" in html and "Alice Moderator" in html
    assert "Averti deux fois" in console.get("/console/author?id=troll").get_data(as_text=True)
    with runtime.db.transaction(write=False) as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "note")).all()
        assert (entry.author_id, entry.reason, entry.actor) == ("troll", "Averti deux fois", "user:alice@example.ch")
    # An empty note is refused, nothing stored.
    console.post("/console/authors/note", {"author_id": "troll", "body": "   "})
    with runtime.db.transaction(write=False) as session:
        assert session.scalars(select(AuthorNote.body)).all() == ["Averti deux fois"]
    assert comment.id


def test_the_card_says_how_many_more_wait_and_the_last_rejections_with_reasons(console, runtime, article):
    waiting = [make_comment(runtime, article, author_id="troll", author_name="Troll", body=f"Message {n}")
               for n in range(5)]
    old = make_comment(runtime, article, author_id="troll", author_name="Troll", body="Ancien message nul")
    reject(runtime, old.id, "spam: lien publicitaire")
    html = console.get("/console/queue").get_data(as_text=True)
    assert "4 more waiting" in html
    assert "Last rejections of this author:" in html and "Ancien message nul" in html
    assert ">spam<" in html  # the reason's label
    # The waiting count links to the author's queue.
    assert "/console/queue?author=troll" in html
    assert len(waiting) == 5


def test_the_card_context_costs_the_same_queries_for_one_author_or_twenty(runtime, article):
    for n in range(20):
        make_comment(runtime, article, author_id=f"author-{n}", body=f"Texte {n}")
        rejected = make_comment(runtime, article, author_id=f"author-{n}", body=f"Rejeté {n}")
        reject(runtime, rejected.id, "spam")
        with runtime.db.transaction() as session:
            review.add_author_note(session, f"author-{n}", f"Note {n}", "user:alice@example.ch", runtime.now())

    def queries(authors):
        statements = []
        with runtime.db.transaction(write=False) as session:
            engine = session.get_bind()
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                context = console_service.author_context(session, authors)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return len(statements), context

    one, _ = queries(["author-1"])
    twenty, context = queries([f"author-{n}" for n in range(20)])
    assert one == twenty <= 5  # four reads (and the transaction's own statement on some backends)
    assert all(c.waiting == 1 and len(c.rejections) == 1 and len(c.notes) == 1 for c in context.values())
    assert context["author-3"].rejections[0][1] == "spam" and context["author-3"].notes[0].body == "Note 3"


def test_time_left_is_marked_urgent_under_2_hours_and_soon_under_12_in_words(console, runtime):
    urgent = make_article(runtime, "urgent", published_at=runtime.now() - timedelta(hours=71))
    soon = make_article(runtime, "soon", published_at=runtime.now() - timedelta(hours=65))
    calm = make_article(runtime, "calm")
    for article_id in (urgent, soon, calm):
        make_comment(runtime, article_id, body=f"Sur {article_id}")
    html = console.get("/console/queue").get_data(as_text=True)
    assert html.count("urgency-urgent") == 1 and html.count("Urgent:") == 1
    assert html.count("urgency-soon") == 1 and html.count("Soon:") == 1


class DownScorer:
    def status(self):
        return {"ok": False, "state": "unavailable", "model": "detoxify", "reason": "no weights"}


def test_a_banner_says_the_model_is_down_and_how_the_order_falls_back(console, runtime, article):
    make_comment(runtime, article, body="Pas encore noté")
    assert "The scoring model is down." not in console.get("/console/queue").get_data(as_text=True)
    runtime.scoring = DownScorer()
    try:
        html = console.get("/console/queue").get_data(as_text=True)
        assert "The scoring model is down." in html
        assert "unscored comments come last, newest first." in html and "Show oldest first" in html
        html = console.get("/console/queue?order=oldest").get_data(as_text=True)
        assert "The scoring model is down." in html and "order-fallback" not in html
    finally:
        runtime.scoring = None


def test_the_queue_filters_by_author_id_or_name_and_by_text(console, runtime, article):
    troll = make_comment(runtime, article, author_id="troll-7", author_name="Jean Troll", body="Vous êtes nuls")
    other = make_comment(runtime, article, author_id="reader", author_name="Reader", body="100% d'accord_ici")
    make_comment(runtime, article, author_id="third", author_name="Third", body="1000 d'accord")

    def ids(query):
        html = console.get("/console/queue?" + query).get_data(as_text=True)
        return {int(part.split('"')[0]) for part in html.split('data-id="')[1:]}

    assert ids("author=troll-7") == {troll.id}
    assert ids("author=jean+troll") == {troll.id}  # the display name, any case
    assert ids("q=NULS") == {troll.id}
    assert ids("q=100%25") == {other.id}  # % is literal, not a wildcard
    assert ids("q=d%27accord_") == {other.id}  # and so is _
    assert ids("q=" + "x" * 300) == set()  # bounded, never an error
    # The tab counts follow the filters, in the page and in the poll.
    html = console.get("/console/queue?author=troll-7").get_data(as_text=True)
    assert 'data-tab="waiting">1<' in html
    polled = console.get("/console/queue/updates?author=troll-7&after=0&ids=").json
    assert polled["counts"]["waiting"] == "1"
    assert console.get("/console/queue/updates?after=0&ids=").json["counts"]["waiting"] == "3"


def test_articles_lists_open_closing_soon_and_closed_threads_with_a_search(console, runtime):
    make_article(runtime, "open-1", title="Élections fédérales")
    make_article(runtime, "soon-1", title="Budget cantonal", published_at=runtime.now() - timedelta(hours=65))
    make_article(runtime, "closed-1", title="Anciennes votations", published_at=runtime.now() - timedelta(hours=100))
    make_article(runtime, "locked-1", title="Sujet verrouillé")
    with runtime.db.transaction() as session:
        closing.lock_thread(session, "locked-1", "user:alice@example.ch", None, runtime.now())

    def listed(query):
        html = console.get("/console/articles?" + query).get_data(as_text=True)
        return {a for a in ("open-1", "soon-1", "closed-1", "locked-1") if f'/console/articles/{a}"' in html}

    assert listed("") == {"open-1", "soon-1"}
    assert listed("state=soon") == {"soon-1"}
    assert listed("state=closed") == {"closed-1", "locked-1"}
    assert listed("state=closed&q=VOTATIONS") == {"closed-1"}  # by title, any case
    assert listed("state=open&q=open-") == {"open-1"}  # by id
    assert listed("q=%25") == set()  # wildcards are literal
    assert "Closed threads" in console.get("/console/articles?state=closed").get_data(as_text=True)


def test_the_log_filters_by_a_persons_name_or_email(console, runtime, article):
    make_account(runtime, "bob@example.ch", name="Bob Martin")
    first = make_comment(runtime, article)
    second = make_comment(runtime, article)
    with runtime.db.transaction() as session:
        review.decide(session, first.id, "approve", "user:bob@example.ch", None, runtime.now())
        review.decide(session, second.id, "approve", "user:alice@example.ch", None, runtime.now())
    for who in ("Bob Martin", "bob martin", "bob@example.ch", "user:bob@example.ch"):
        html = console.get("/console/log", query_string={"actor": who}).get_data(as_text=True)
        assert f"#{first.id}" in html and f"#{second.id}" not in html, who


def test_errors_are_pages_in_the_accounts_language_with_the_top_bar(app, runtime):
    account = make_account(runtime, "claire@example.ch", name="Claire")
    client = app.test_client()
    login(client, account.email)
    french = Console(client, account)
    french.post("/console/account/language", {"language": "fr", "next": "/console/queue"})
    for path, status in (("/console/nowhere", 404), ("/console/decisions", 405)):
        response = client.get(path, headers={"Accept-Language": "en"})
        html = response.get_data(as_text=True)
        assert response.status_code == status and response.mimetype == "text/html"
        assert 'lang="fr"' in html and "Claire" in html and "/console/logout" in html, path
        assert "/console/queue" in html  # a way back
    # Signed out: the same page, in the browser's language, without the top bar.
    anonymous = app.test_client().get("/console/nowhere", headers={"Accept-Language": "fr"})
    assert anonymous.status_code == 404 and 'lang="fr"' in anonymous.get_data(as_text=True)
    assert "/console/logout" not in anonymous.get_data(as_text=True)


def test_a_decision_after_being_signed_out_elsewhere_says_so(app, runtime, article):
    comment = make_comment(runtime, article)
    account = make_account(runtime, "dora@example.ch", name="Dora")
    client = app.test_client()
    login(client, account.email)
    console = Console(client, account)
    other = app.test_client()
    login(other, account.email)
    with runtime.db.transaction() as session:  # signed out everywhere (as a reset by an admin does)
        from moderation.accounts.models import ConsoleSession
        for row in session.scalars(select(ConsoleSession)):
            session.delete(row)
    response = console.post(f"/console/comments/{comment.id}/decision", {"action": "approve"}, htmx=True)
    assert response.status_code == 401 and "signed out" in response.get_data(as_text=True)
    assert review.get_comment is not None
    plain = console.post(f"/console/comments/{comment.id}/decision",
                         {"action": "approve", "next": "/console/queue?tab=reported"})
    assert plain.status_code == 302 and "next=/console/queue?tab%3Dreported" in plain.headers["Location"]


def test_the_thread_page_has_the_cards_decision_buttons_for_waiting_comments(console, runtime, article):
    waiting = make_comment(runtime, article, author_id="troll", author_name="Troll", body="Nul et nul")
    approved = make_comment(runtime, article, body="Bien dit", status="approved")
    html = console.get(f"/console/articles/{article}").get_data(as_text=True)
    assert f'id="card-{waiting.id}"' in html and f'id="card-{approved.id}"' not in html
    assert f'hx-post="/console/comments/{waiting.id}/decision"' in html and 'class="reject-panel"' in html
    assert 'id="undo-form"' in html
    decided = console.post(f"/console/comments/{waiting.id}/decision",
                           {"action": "approve", "expected_version": str(waiting.version)}, htmx=True)
    assert decided.status_code == 200 and 'data-decision="approved"' in decided.get_data(as_text=True)
    # The queue's thread links open beside the queue (one named window).
    make_comment(runtime, article, body="Encore un")
    assert 'target="moderation-thread"' in console.get("/console/queue").get_data(as_text=True)


def test_a_refused_form_is_a_400_page_in_the_accounts_language_with_the_top_bar(app, runtime, article):
    account = make_account(runtime, "claire@example.ch", name="Claire")
    client = app.test_client()
    login(client, account.email)
    Console(client, account).post("/console/account/language", {"language": "fr", "next": "/console/queue"})
    comment = make_comment(runtime, article)
    response = client.post(f"/console/comments/{comment.id}/decision", data={"action": "approve",
                                                                              "csrf_token": "forged"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'lang="fr"' in html and "Erreur 400" in html
    assert "Claire" in html and "Retour à la file" in html
    assert "Le formulaire a expiré" in html and "CSRF" not in html
