"""The house score everywhere: stored by the worker, the queue's order, the card's why, the
thresholds and the model report (issue 23, point 3)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.comments.models import REJECTED, Comment
from moderation.console import service as console
from moderation.house import jobs
from moderation.labels import service as labels
from moderation.review import service as review
from moderation.review import state
from moderation.runtime import Runtime
from moderation.scoring.models import CommentScore
from moderation.scoring.scorer import FakeScorer
from moderation.scoring.worker import score_pending
from tests.factories import make_article, make_comment
from tests.house.conftest import generated, store_labels

RUDE = "heute finde ich politik idiot trottel"
KIND = "heute finde ich politik danke gut"


@pytest.fixture
def trained(runtime):
    store_labels(runtime, generated(200), runtime.now() - timedelta(days=1))
    outcome = jobs.train(runtime)
    assert outcome.promoted
    return runtime


def _score_all(runtime):
    while score_pending(runtime, FakeScorer(), None, "w1"):
        pass


def _stored(runtime, comment_id):
    with runtime.db.transaction(write=False) as session:
        return session.get(Comment, comment_id), session.get(CommentScore, comment_id)


def test_the_worker_stores_the_house_score_beside_the_transformers(trained):
    runtime = trained
    article = make_article(runtime)
    rude, kind = (make_comment(runtime, article, body=body).id for body in (RUDE, KIND))
    _score_all(runtime)
    (rude_row, rude_score), (kind_row, kind_score) = _stored(runtime, rude), _stored(runtime, kind)
    assert rude_score.house_model == kind_score.house_model == "house-v1"
    assert rude_score.model == "fake" and rude_score.scores["toxicity"] is not None
    assert rude_score.scores["house"] > kind_score.scores["house"]
    assert rude_row.sort_house == rude_score.scores["house"] and kind_row.sort_house == kind_score.scores["house"]


def test_without_a_current_house_model_comments_are_scored_as_before(runtime):
    comment = make_comment(runtime, make_article(runtime), body=RUDE)
    _score_all(runtime)
    row, score = _stored(runtime, comment.id)
    assert "house" not in score.scores and score.house_model is None
    assert row.scored_at is not None and row.sort_house == -1.0


def test_the_queue_orders_by_house_score_most_likely_rejected_first(trained):
    runtime = trained
    article = make_article(runtime)
    ids = [make_comment(runtime, article, body=body).id for body in (KIND, RUDE, "heute finde ich politik idiot")]
    unscored = make_comment(runtime, article, body="noch nicht bewertet").id
    _score_all(runtime)
    unscored_late = make_comment(runtime, article, body="später").id
    with runtime.db.transaction(write=False) as session:
        page = review.queue_page(session, runtime.policy, runtime.now(), order="house", filters=review.QueueFilter(),
                                 limit=2, cursor=None)
        first = [item.comment.id for item in page.items]
        rest = review.queue_page(session, runtime.policy, runtime.now(), order="house",
                                 filters=review.QueueFilter(), limit=10, cursor=page.next_cursor)
        houses = {c.id: c.sort_house for c in session.scalars(select(Comment))}
    order = first + [item.comment.id for item in rest.items]
    assert order[0] == ids[1] and order[-1] == unscored_late  # no house score: last
    assert [houses[i] for i in order] == sorted((houses[i] for i in order), reverse=True)
    assert set(order) == set(ids) | {unscored, unscored_late}


def test_the_console_orders_by_house_score_and_the_card_says_why(trained, app):
    from tests.console.conftest import Console, login, make_account

    runtime = trained
    article = make_article(runtime)
    kind = make_comment(runtime, article, body=KIND).id
    rude = make_comment(runtime, article, body=RUDE).id
    _score_all(runtime)
    with runtime.db.transaction(write=False) as session:
        view = console.queue_view(session, runtime.policy, runtime.now(), console.QueueQuery(order="house"))
    assert [item.comment.id for item in view.items] == [rude, kind]
    why = view.items[0].house_why
    assert why and {reason["word"] for reason in why} & {"idiot", "trottel"}
    assert view.items[1].house_why is None  # below the model's threshold: nothing to explain
    account = make_account(runtime, "why@example.ch")
    client = app.test_client()
    assert login(client, account.email).status_code == 302
    html = Console(client, account).get("/console/queue?order=house").get_data(as_text=True)
    assert 'value="house" selected' in html
    assert '<mark class="house"' in html and "house-v1" in html
    assert html.index(f'id="card-{rude}"') < html.index(f'id="card-{kind}"')


def test_an_opt_in_threshold_on_the_house_score_rejects(trained, settings):
    runtime = Runtime(settings.replace(scoring={"auto_reject_above": {"house": 0.5}}), clock=trained.clock,
                      database=trained.db)
    article = make_article(runtime)
    rude, kind = (make_comment(runtime, article, body=body).id for body in (RUDE, KIND))
    _score_all(runtime)
    rude_row, kind_row = _stored(runtime, rude)[0], _stored(runtime, kind)[0]
    assert rude_row.status == REJECTED and rude_row.decided_by == "auto"
    assert kind_row.status == "pending"


def test_the_model_report_compares_the_house_score_with_the_transformer_per_language(trained):
    runtime = trained
    article = make_article(runtime)
    comments = [make_comment(runtime, article, body=body) for body in [RUDE, KIND] * 3]
    _score_all(runtime)
    with runtime.db.transaction() as session:
        for comment in comments:
            row = session.get(Comment, comment.id)
            state.decide(session, row, "reject" if comment.body == RUDE else "approve", "user:m@example.ch", None,
                         runtime.now())
    with runtime.db.transaction(write=False) as session:
        report = labels.report(session)
    group = report["groups"][0]
    assert group["model"] == "fake" and {"toxicity", "house"} <= set(group["classes"])
    assert group["classes"]["house"]["roc_auc"] == 1.0


def test_the_api_queue_orders_by_house_and_names_the_house_model(trained, client):
    from tests.factories import headers, make_key

    runtime = trained
    article = make_article(runtime)
    kind, rude = (make_comment(runtime, article, body=body).id for body in (KIND, RUDE))
    _score_all(runtime)
    key = make_key(runtime, "moderator")
    response = client.get("/api/v1/moderation/queue?order=house&limit=1", headers=headers(key))
    assert response.status_code == 200, response.json
    [item] = response.json["items"]
    assert item["comment"]["id"] == rude and item["house_model"] == "house-v1" and "house" in item["scores"]
    following = client.get(f"/api/v1/moderation/queue?cursor={response.json['next_cursor']}", headers=headers(key))
    assert [i["comment"]["id"] for i in following.json["items"]] == [kind]
