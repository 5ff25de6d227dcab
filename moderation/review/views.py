
from flask.views import MethodView
from marshmallow import ValidationError as MarshmallowError

from moderation.audit import service as audit
from moderation.errors import validation_error
from moderation.ratelimit import RateLimit, per_api_key, per_reporter
from moderation.review import schemas, service
from moderation.schemas import LOG_CURSORS, QUEUE_CURSORS, ErrorSchema
from moderation.web import Blueprint, principal, require, runtime, transaction

blp = Blueprint("moderation", __name__,
                description="The review queue, decisions, the audit log and authors (moderators)", rate_limits=[
                    RateLimit("moderation_per_key", per_api_key, scope="moderation"),
                ])
reports_blp = Blueprint("reports", __name__, description="Reader reports (the site's frontend)", rate_limits=[
    RateLimit("frontend_per_key", per_api_key, scope="frontend", methods=("POST",)),
    RateLimit("reports_per_reporter", per_reporter, scope="reports-reporter", methods=("POST",)),
])


@blp.route("/queue")
class Queue(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.QueueArgs(), location="query")
    @blp.response(200, schemas.QueuePageOut())
    @blp.alt_response(422, schema=ErrorSchema)
    def get(self, args: dict):
        """Comments waiting for a decision: pending ones, and approved ones that readers reported."""
        order, cursor = args["order"], None
        if args["cursor"]:  # a cursor carries the order it continues (the schema checked its pattern)
            order, cursor = QUEUE_CURSORS.decode(args["cursor"])
        filters = service.QueueFilter(article_id=args["article_id"], language=args["language"],
                                      min_toxicity=args["min_toxicity"], max_toxicity=args["max_toxicity"],
                                      reported=args["reported"])
        rt = runtime()
        with transaction(write=False) as session:
            page = service.queue_page(session, rt.policy, rt.now(), order=order, filters=filters,
                                      limit=args["limit"], cursor=cursor)
        return {"items": page.items, "total": page.total, "total_capped": page.total_capped,
                "next_cursor": QUEUE_CURSORS.encode(order, page.next_cursor)}


@blp.route("/comments/<int:comment_id>/decision")
class Decision(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.DecisionIn())
    @blp.response(200, schemas.DecisionOut())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="conflict: the comment changed since the moderator saw "
                      "it (expected_version or expected_status); details name its current status, version and "
                      "who last acted")
    def post(self, args: dict, comment_id: int):
        """Approve or reject, if the comment is still what the moderator saw (its version)."""
        rt = runtime()
        with transaction() as session:
            comment, previous = service.decide(session, comment_id, args["action"], principal().name, args["reason"],
                                               rt.now(), expected_status=args["expected_status"],
                                               expected_version=args["expected_version"])
        return {"comment": comment, "previous_status": previous}


@blp.route("/decisions")
class Decisions(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.BulkDecisionsIn())
    @blp.response(200, schemas.BulkDecisionsOut())
    def post(self, args: dict):
        """Up to 100 decisions, each applied or refused on its own, with a result per item."""
        rt = runtime()
        with transaction() as session:
            results = service.decide_many(session, args["decisions"], principal().name, rt.now())
        return {"results": results}


@blp.route("/log")
class Log(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.LogArgs(), location="query")
    @blp.response(200, schemas.LogPageOut())
    def get(self, args: dict):
        """The audit log, newest first, filterable by article, comment, actor and action."""
        cursor = LOG_CURSORS.decode(args["cursor"])[1] if args["cursor"] else None
        with transaction(write=False) as session:
            entries = audit.list_entries(session, limit=args["limit"] + 1, before_id=cursor[0] if cursor else None,
                                         article_id=args["article_id"], comment_id=args["comment_id"],
                                         actor=args["actor"], action=args["action"])
        page, more = entries[:args["limit"]], len(entries) > args["limit"]
        return {"entries": page, "next_cursor": LOG_CURSORS.encode("log", [page[-1].id]) if more else None}


def _author_id(author_id: str) -> str:
    """The path form of an author id (deprecated routes): what intake would have stored."""
    try:
        return schemas.AuthorRef().load({"author_id": author_id})["author_id"]
    except MarshmallowError as exc:
        raise validation_error("author_id", "; ".join(exc.messages.get("author_id", ["Invalid."]))) from None


def _author_state(author_id: str, ban) -> dict:
    return {"author_id": author_id, "banned": ban is not None, "banned_at": getattr(ban, "banned_at", None),
            "banned_by": getattr(ban, "banned_by", None), "reason": getattr(ban, "reason", None)}


def _ban(author_id: str, reason: str | None) -> dict:
    rt = runtime()
    with transaction() as session:
        ban = service.ban_author(session, author_id, principal().name, reason, rt.now())
        return _author_state(author_id, ban)


def _unban(author_id: str, reason: str | None) -> dict:
    rt = runtime()
    with transaction() as session:
        service.unban_author(session, author_id, principal().name, reason, rt.now())
    return _author_state(author_id, None)


def _erase(author_id: str) -> dict:
    rt = runtime()
    with transaction() as session:
        erasure = service.erase_author(session, author_id, principal().name, rt.now())
    counts = {kind: count for kind, count in erasure.__dict__.items() if kind != "author_id"}
    return {"author_id": author_id, "erased_comments": erasure.comments, "erased": counts}


@blp.route("/authors/ban")
class Ban(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.AuthorReasonRef())
    @blp.response(200, schemas.AuthorStateOut())
    @blp.alt_response(422, schema=ErrorSchema)
    def post(self, args: dict):
        """Refuse this author's new comments (403 author_banned); the id travels in the body."""
        return _ban(args["author_id"], args["reason"])


@blp.route("/authors/unban")
class Unban(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.AuthorReasonRef())
    @blp.response(200, schemas.AuthorStateOut())
    @blp.alt_response(422, schema=ErrorSchema)
    def post(self, args: dict):
        """Let this author post again."""
        return _unban(args["author_id"], args["reason"])


@blp.route("/authors/erase")
class Erase(MethodView):
    @require(blp, "admin")
    @blp.arguments(schemas.AuthorRef())
    @blp.response(200, schemas.ErasureOut())
    @blp.alt_response(422, schema=ErrorSchema)
    def post(self, args: dict):
        """GDPR erasure: everything that identifies the author or repeats their words; counts by kind."""
        return _erase(args["author_id"])


# The path forms, kept for existing clients: they cannot carry an id with "/" in it.
@blp.route("/authors/<author_id:author_id>/ban")
class BanByPath(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.ReasonIn(), required=False)
    @blp.response(200, schemas.AuthorStateOut())
    @blp.doc(deprecated=True)
    def post(self, args: dict, author_id: str):
        """Deprecated: use POST /moderation/authors/ban, which carries any author id."""
        return _ban(_author_id(author_id), args["reason"])


@blp.route("/authors/<author_id:author_id>/unban")
class UnbanByPath(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.ReasonIn(), required=False)
    @blp.response(200, schemas.AuthorStateOut())
    @blp.doc(deprecated=True)
    def post(self, args: dict, author_id: str):
        """Deprecated: use POST /moderation/authors/unban, which carries any author id."""
        return _unban(_author_id(author_id), args["reason"])


@blp.route("/authors/<author_id:author_id>/erase")
class EraseByPath(MethodView):
    @require(blp, "admin")
    @blp.response(200, schemas.ErasureOut())
    @blp.doc(deprecated=True)
    def post(self, author_id: str):
        """Deprecated: use POST /moderation/authors/erase, which carries any author id."""
        return _erase(_author_id(author_id))


@reports_blp.route("/comments/<int:comment_id>/reports")
class Reports(MethodView):
    @require(reports_blp, "frontend")
    @reports_blp.arguments(schemas.ReportIn())
    @reports_blp.response(202, schemas.ReportOut())
    @reports_blp.alt_response(404, schema=ErrorSchema)
    @reports_blp.alt_response(409, schema=ErrorSchema, description="This reader already reported it")
    def post(self, args: dict, comment_id: int):
        """A reader reports a comment; an approved one returns to the review queue."""
        rt = runtime()
        with transaction() as session:
            return service.report_comment(session, comment_id, args["reporter_id"], args["reason"], args["note"],
                                          rt.now())


blueprints = [blp, reports_blp]
