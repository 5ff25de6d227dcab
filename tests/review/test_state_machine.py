"""Issue 15: every derived review column equals its definition after any sequence of changes.

Random sequences of intake (with banned and suspect words), decisions (single and bulk, with
the right or a stale version), undos, reports, scores with automatic thresholds, bans and erasures,
through the domain services. After every step, for every comment:

    open_reports    = its reports not cleared
    awaiting_review = not erased and (pending, or approved with open reports)
    toxicity        = the stored scores' "toxicity"; sort_toxicity = toxicity or -1
    sort_house      = the stored scores' "house" or -1
    version         = 1 + decisions and undos after intake + reports made + scored + erased

and for the article, its maintained public count (articles.approved_count, issue 24) equals
the approved comments not erased, counted.
"""
import itertools
from datetime import timedelta

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from moderation.audit.models import AuditEntry
from moderation.comments import service as comments
from moderation.comments.models import APPROVED, PENDING, Comment
from moderation.db import Database
from moderation.errors import ApiError
from moderation.review import service as review
from moderation.review.models import Report
from moderation.runtime import Runtime
from moderation.scoring import service as scoring
from moderation.scoring.models import CommentScore
from tests.factories import make_article

_runs = itertools.count()


def check_every_comment(runtime, model) -> None:
    with runtime.db.transaction(write=False) as session:
        open_reports = dict(session.execute(
            select(Report.comment_id, func.count()).where(Report.cleared_at.is_(None))
            .group_by(Report.comment_id)).all())
        scores = {row.comment_id: row.scores for row in session.scalars(select(CommentScore))}
        decisions = dict(session.execute(
            select(AuditEntry.comment_id, func.count())
            .where(AuditEntry.action.in_(["approve", "reject", "undo", "feature", "unfeature"]))
            .group_by(AuditEntry.comment_id)).all())
        for comment in session.scalars(select(Comment).where(Comment.id.in_(model.comments))):
            reports = open_reports.get(comment.id, 0)
            erased = comment.erased_at is not None
            assert comment.open_reports == reports, comment.id
            # Featured (issue 22): only an approved comment readers can see.
            assert comment.featured_at is None or (comment.status == APPROVED and not erased), comment.id
            assert comment.awaiting_review == (not erased and (
                comment.status == PENDING or (comment.status == APPROVED and reports > 0))), comment.id
            toxicity = scores[comment.id].get("toxicity") if comment.id in scores else None
            assert comment.toxicity == toxicity
            assert comment.sort_toxicity == (-1.0 if toxicity is None else toxicity)
            house = scores[comment.id].get("house") if comment.id in scores else None
            assert comment.sort_house == (-1.0 if house is None else house)
            assert (comment.scored_at is not None) == (comment.id in scores)
            expected = (1 + decisions.get(comment.id, 0) - (1 if comment.id in model.rejected_at_intake else 0)
                        + model.reports_made[comment.id] + (comment.id in scores) + erased)
            assert comment.version == expected, (comment.id, comment.version, expected)
        from moderation.articles import service as articles
        from moderation.articles.models import Article

        article = session.get(Article, model.article)
        assert article.approved_count == articles.counted_approved(session, model.article)


class ReviewState(RuleBasedStateMachine):
    runtime: Runtime

    @initialize()
    def start(self):
        self.run = next(_runs)
        self.article = make_article(self.runtime, f"sm-{self.run}")
        self.authors = [f"sm{self.run}-author-{i}" for i in range(3)]
        self.comments: list[int] = []
        self.rejected_at_intake: set[int] = set()
        self.reports_made: dict[int, int] = {}
        self.readers = itertools.count()
        self.bodies = itertools.count()

    def now(self):
        return self.runtime.now()

    @rule(author=st.integers(0, 2), word=st.sampled_from(["", " crétin", " bof"]))
    def post(self, author, word):
        new = comments.NewComment(self.authors[author], "Nom", f"Avis n°{next(self.bodies)}{word}.")
        try:
            with self.runtime.db.transaction() as session:
                accepted = comments.post_comment(session, self.article, new, self.runtime.intake_rules, self.now())
        except ApiError:  # a banned author: refused, nothing stored
            return
        self.comments.append(accepted.id)
        self.reports_made[accepted.id] = 0
        if accepted.status == "rejected":
            self.rejected_at_intake.add(accepted.id)

    @precondition(lambda self: self.comments)
    @rule(data=st.data(), action=st.sampled_from(["approve", "reject"]), stale=st.booleans())
    def decide(self, data, action, stale):
        comment_id = data.draw(st.sampled_from(self.comments))
        with self.runtime.db.transaction(write=False) as session:
            version = session.get(Comment, comment_id).version
        try:
            with self.runtime.db.transaction() as session:
                review.decide(session, comment_id, action, "alice", None, self.now(),
                              expected_version=version - 1 if stale else version)
        except ApiError:
            pass

    @precondition(lambda self: self.comments)
    @rule(data=st.data())
    def bulk(self, data):
        chosen = data.draw(st.lists(st.sampled_from(self.comments), min_size=1, max_size=5))
        items = [{"comment_id": c, "action": data.draw(st.sampled_from(["approve", "reject"])),
                  "expected_status": data.draw(st.sampled_from([None, "pending", "approved", "rejected"]))}
                 for c in chosen]
        with self.runtime.db.transaction() as session:
            review.decide_many(session, items, "bob", self.now())

    @precondition(lambda self: self.comments)
    @rule(data=st.data(), same_reader=st.booleans())
    def report(self, data, same_reader):
        comment_id = data.draw(st.sampled_from(self.comments))
        reader = "reader-0" if same_reader else f"reader-{next(self.readers)}"
        try:
            with self.runtime.db.transaction() as session:
                review.report_comment(session, comment_id, reader, "abuse", "une note", self.now())
        except ApiError:  # already reported by this reader, or erased
            return
        self.reports_made[comment_id] += 1

    @rule(toxicity=st.floats(0, 1), limit=st.integers(1, 4))
    def score(self, toxicity, limit):
        with self.runtime.db.transaction() as session:
            claimed = scoring.claim_batch(session, "w", self.now(), limit, timedelta(seconds=60))
        results = [scoring.Scored(c.id, {"toxicity": toxicity, "insult": toxicity / 2}, "fr", covered=True)
                   for c in claimed]
        with self.runtime.db.transaction() as session:
            scoring.store_scores(session, "w", "test", results, self.runtime.settings.scoring, self.now())

    @precondition(lambda self: self.comments)
    @rule(data=st.data(), actor=st.sampled_from(["alice", "bob"]))
    def undo(self, data, actor):
        comment_id = data.draw(st.sampled_from(self.comments))
        try:
            with self.runtime.db.transaction() as session:
                review.undo_decision(session, comment_id, actor, self.now(), timedelta(hours=1))
        except ApiError:  # nothing to undo, or not theirs
            pass

    @precondition(lambda self: self.comments)
    @rule(data=st.data(), featured=st.booleans())
    def feature(self, data, featured):
        comment_id = data.draw(st.sampled_from(self.comments))
        try:
            with self.runtime.db.transaction() as session:
                review.feature(session, comment_id, featured, "alice", self.now())
        except ApiError:  # not approved (or erased)
            pass

    @rule(author=st.integers(0, 2))
    def ban(self, author):
        with self.runtime.db.transaction() as session:
            review.ban_author(session, self.authors[author], "alice", "raison", self.now())

    @rule(author=st.integers(0, 2))
    def erase(self, author):
        with self.runtime.db.transaction() as session:
            review.erase_author(session, self.authors[author], "dpo", self.now())

    @invariant()
    def derived_columns_equal_their_definitions(self):
        if hasattr(self, "comments"):
            check_every_comment(self.runtime, self)


def test_random_sequences_keep_every_derived_column_consistent(settings, clock, engine, connection):
    configured = settings.replace(scoring={"auto_approve_below": {"toxicity": 0.3},
                                            "auto_reject_above": {"toxicity": 0.8}},
                                   review={"banned_words": ["crétin"], "suspect_words": ["bof"]})
    ReviewState.runtime = Runtime(configured, clock=clock,
                                  database=Database(configured.database, engine, connection=connection))
    run_state_machine_as_test(ReviewState, settings=hypothesis_settings(
        max_examples=40, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
