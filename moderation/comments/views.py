from flask import current_app, jsonify
from flask.views import MethodView

from moderation.clock import utc_iso
from moderation.comments import service
from moderation.comments.schemas import (
    CommentAccepted,
    FullComment,
    IdempotencyHeader,
    NewCommentIn,
    ThreadArgs,
    ThreadPage,
)
from moderation.errors import CommentsClosed, CommentsPaused
from moderation.ratelimit import RateLimit, per_author, per_reader_address
from moderation.schemas import NOT_MODIFIED, PUBLIC_CACHE_HEADERS, THREAD_CURSORS, ErrorSchema
from moderation.web import (
    Blueprint,
    client_has_current,
    not_modified,
    principal,
    public_cache,
    reader_address,
    require,
    runtime,
    transaction,
)


def _error_example(error: type, **details) -> dict:
    envelope = {"code": error.code, "message": error.message, "details": details}
    return {"summary": error.code, "value": {"error": envelope}}


CONFLICT_EXAMPLES = {
    "comments_closed": _error_example(CommentsClosed, closes_at="2026-11-28T08:00:00Z", locked_at=None),
    "comments_paused": _error_example(CommentsPaused, resumes_at="2026-11-26T05:00:00Z",
                                      closes_at="2026-11-28T08:00:00Z"),
}

blp = Blueprint("comments", __name__, description="Reader comments: intake and the public thread", rate_limits=[
    RateLimit("intake_per_author", per_author, scope="intake-author", methods=("POST",)),
    RateLimit("intake_per_address", per_reader_address, scope="intake-address", methods=("POST",)),
])


@blp.route("/articles/<article_id:article_id>/comments")
class ThreadComments(MethodView):
    @require(blp, "frontend")
    @blp.arguments(IdempotencyHeader(), location="headers")
    @blp.arguments(NewCommentIn())
    @blp.response(202, CommentAccepted())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema, examples=CONFLICT_EXAMPLES, description=(
        "comments_closed (details: closes_at, locked_at); comments_paused: the thread is open but paused by the "
        "site's quiet hours (details: resumes_at, when posting resumes, null when the thread closes first; "
        "closes_at); duplicate; or invalid_parent (parent_id is not an approved comment of this article)"))
    @blp.alt_response(422, schema=ErrorSchema, description="validation_error, or idempotency_key_reused: this "
                      "Idempotency-Key (scoped to your API key) was already used for a different request")
    def post(self, headers: dict, payload: dict, article_id: str):
        """Submit a reader's comment for moderation; answered once it is stored durably."""
        rt = runtime()
        new = service.NewComment(author_id=payload["author"]["id"], author_name=payload["author"]["name"],
                                 body=payload["body"], parent_id=payload.get("parent_id"),
                                 idempotency_key=headers.get("idempotency_key"),
                                 reader_address=reader_address(payload))
        with transaction() as session:
            return service.post_comment(session, article_id, new, rt.intake_rules, rt.now(),
                                        idempotency_owner=principal().id)

    @blp.doc(security=[])  # public: no key needed
    @blp.arguments(ThreadArgs(), location="query")
    @blp.response(200, ThreadPage(), headers=PUBLIC_CACHE_HEADERS)
    @blp.alt_response(304, description=NOT_MODIFIED, headers=PUBLIC_CACHE_HEADERS)
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(422, schema=ErrorSchema)
    def get(self, args: dict, article_id: str):
        """Approved comments, oldest first (or ?order=newest), with the approved count (public).

        ?featured=first lists the comments moderators featured first (each has ``featured``).

        Cacheable: an ETag, Cache-Control and Surrogate-Key; If-None-Match answers 304 from
        the thread's version alone."""
        featured_first = args["featured"] == "first"
        selection = (args["order"], args["limit"], args["cursor"], args["featured"])
        rt = runtime()
        page = None
        with transaction(write=False) as session:  # one read transaction, one BEGIN
            version = service.public_version(session, article_id)
            tag = service.page_etag(article_id, version, *selection)
            if client_has_current(tag):
                return not_modified(tag, article_id)
            # The page as served for this version by this process (caching.BodyCache): never stale.
            body = rt.thread_bodies.get((article_id, version, selection))
            if body is None:
                after = None
                if args["cursor"]:  # the schema checked the pattern: every match is a position
                    kind, values = THREAD_CURSORS.decode(args["cursor"])
                    # A cursor of the other ordering still names a position: a plain one continues
                    # among the comments that are not featured, a featured-first one drops its rank.
                    position = tuple(values[-2:])
                    after = ((min(max(values[0], 0), 1) if kind == "f" else 1, *position) if featured_first
                             else position)
                page = service.list_public(session, article_id, newest_first=args["order"] == "newest",
                                           limit=args["limit"], after=after, featured_first=featured_first)
        if page is not None:
            # Serialised here, once per version, in the shape ThreadPage documents (tests and
            # the schemathesis run hold it to it); kept under the version the page was read at.
            body = jsonify(comments=[{"id": row.id, "parent_id": row.parent_id, "author": {"name": row.author_name},
                                      "body": row.body, "created_at": utc_iso(row.created_at),
                                      "featured": row.featured_at is not None}
                                     for row in page.comments],
                           count=page.count,
                           next_cursor=THREAD_CURSORS.encode("f" if featured_first else "c", page.next_cursor)
                           ).get_data()
            rt.thread_bodies.put((article_id, page.version, selection), body)
            tag = service.page_etag(article_id, page.version, *selection)
        response = current_app.response_class(body, mimetype=current_app.json.mimetype)
        return public_cache(response, tag, article_id)


@blp.route("/comments/<int:comment_id>")
class CommentResource(MethodView):
    @require(blp, "frontend")
    @blp.response(200, FullComment())
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, comment_id: int):
        """A comment with its moderation status, so the site can tell its author."""
        with transaction(write=False) as session:
            return service.get_comment(session, comment_id)
