from datetime import datetime

from flask.views import MethodView

from moderation.audit import service as audit
from moderation.errors import validation_error
from moderation.review import schemas, service
from moderation.schemas import ErrorSchema, cursor_time, decode_cursor, encode_cursor
from moderation.text import InvalidText, clean_text
from moderation.web import Blueprint, principal, require, runtime, transaction

blp = Blueprint("moderation", __name__,
                description="The review queue, decisions, the audit log and authors (moderators)")
reports_blp = Blueprint("reports", __name__, description="Reader reports (the site's frontend)")


def _cursor(raw: str | None, types: tuple, prefix: str) -> list | None:
    """Decode a cursor of this listing (its first element names the order it belongs to)."""
    if not raw:
        return None
    try:
        values = decode_cursor(raw, (str, *[str if t is datetime else t for t in types]))
        if values[0] != prefix:
            raise ValueError("this cursor belongs to another listing or order")
        return [_time(v) if t is datetime else v for v, t in zip(values[1:], types)]
    except ValueError as exc:
        raise validation_error("cursor", str(exc)) from None


def _time(value: str) -> datetime:
    return cursor_time(value)


def _encode(prefix: str, values: list | None) -> str | None:
    if values is None:
        return None
    return encode_cursor([prefix, *[v.isoformat() if isinstance(v, datetime) else v for v in values]])


QUEUE_CURSOR_TYPES = {"oldest": (datetime, int), "newest": (datetime, int), "toxicity": (float, datetime, int)}


@blp.route("/queue")
class Queue(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.QueueArgs(), location="query")
    @blp.response(200, schemas.QueuePageOut())
    @blp.alt_response(422, schema=ErrorSchema)
    def get(self, args: dict):
        """Comments waiting for a decision: pending ones, and approved ones that readers reported."""
        order = args["order"]
        cursor = _cursor(args["cursor"], QUEUE_CURSOR_TYPES[order], f"queue:{order}")
        filters = service.QueueFilter(article_id=args["article_id"], language=args["language"],
                                      min_toxicity=args["min_toxicity"], max_toxicity=args["max_toxicity"],
                                      reported=args["reported"])
        rt = runtime()
        with transaction(write=False) as session:
            page = service.queue_page(session, rt.policy, rt.now(), order=order, filters=filters,
                                      limit=args["limit"], cursor=cursor)
        return {"items": page.items, "total": page.total, "total_capped": page.total_capped,
                "next_cursor": _encode(f"queue:{order}", page.next_cursor)}


@blp.route("/comments/<int:comment_id>/decision")
class Decision(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.DecisionIn())
    @blp.response(200, schemas.DecisionOut())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="The comment is no longer in expected_status")
    def post(self, args: dict, comment_id: int):
        """Approve or reject, if the comment is still in the status the moderator saw."""
        rt = runtime()
        with transaction() as session:
            comment, previous = service.decide(session, comment_id, args["action"], principal().name, args["reason"],
                                               args["expected_status"], rt.now())
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
        cursor = _cursor(args["cursor"], (int,), "log")
        with transaction(write=False) as session:
            entries = audit.list_entries(session, limit=args["limit"] + 1, before_id=cursor[0] if cursor else None,
                                         article_id=args["article_id"], comment_id=args["comment_id"],
                                         actor=args["actor"], action=args["action"])
        page, more = entries[:args["limit"]], len(entries) > args["limit"]
        return {"entries": page, "next_cursor": _encode("log", [page[-1].id]) if more else None}


def _author_id(author_id: str) -> str:
    if not 1 <= len(author_id) <= 128:
        raise validation_error("author_id", "Must be 1 to 128 characters.")
    try:
        if clean_text(author_id) != author_id:
            raise InvalidText("control characters")
    except InvalidText:
        raise validation_error("author_id", "Must not contain control characters.") from None
    return author_id


def _author_state(author_id: str, ban) -> dict:
    return {"author_id": author_id, "banned": ban is not None, "banned_at": getattr(ban, "banned_at", None),
            "banned_by": getattr(ban, "banned_by", None), "reason": getattr(ban, "reason", None)}


@blp.route("/authors/<author_id>/ban")
class Ban(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.ReasonIn())
    @blp.response(200, schemas.AuthorStateOut())
    def post(self, args: dict, author_id: str):
        """Refuse this author's new comments (403 author_banned)."""
        rt = runtime()
        with transaction() as session:
            ban = service.ban_author(session, _author_id(author_id), principal().name, args["reason"], rt.now())
            return _author_state(author_id, ban)


@blp.route("/authors/<author_id>/unban")
class Unban(MethodView):
    @require(blp, "moderator")
    @blp.arguments(schemas.ReasonIn())
    @blp.response(200, schemas.AuthorStateOut())
    def post(self, args: dict, author_id: str):
        """Let this author post again."""
        rt = runtime()
        with transaction() as session:
            service.unban_author(session, _author_id(author_id), principal().name, args["reason"], rt.now())
        return _author_state(author_id, None)


@blp.route("/authors/<author_id>/erase")
class Erase(MethodView):
    @require(blp, "admin")
    @blp.response(200, schemas.ErasureOut())
    def post(self, author_id: str):
        """GDPR erasure of the author's name and comment bodies; the audit trail keeps its structure."""
        rt = runtime()
        with transaction() as session:
            erased = service.erase_author(session, _author_id(author_id), principal().name, rt.now())
        return {"author_id": author_id, "erased_comments": erased}


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
