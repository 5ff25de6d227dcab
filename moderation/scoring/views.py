"""Scoring failures for admins: list the comments the scorer gave up on, and retry one."""
from flask.views import MethodView

from moderation.ratelimit import RateLimit, per_api_key
from moderation.schemas import ErrorSchema
from moderation.scoring import schemas, service
from moderation.web import Blueprint, principal, require, runtime, transaction

blp = Blueprint("scoring", __name__, description="Comments the scorer could not score (admins)",
                rate_limits=[RateLimit("moderation_per_key", per_api_key, scope="moderation")])


@blp.route("/scoring/failures")
class Failures(MethodView):
    @require(blp, "admin")
    @blp.arguments(schemas.FailuresArgs(), location="query")
    @blp.response(200, schemas.FailuresOut())
    def get(self, args: dict):
        """Comments marked failed to score, oldest first (continue with after_id = the last comment_id)."""
        with transaction(write=False) as session:
            failed = service.failed_comments(session, args["limit"], args["after_id"])
            return {"comments": [{"comment_id": c.id, "article_id": c.article_id,
                                  "scoring": service.scoring_state(c)} for c in failed]}


@blp.route("/comments/<int:comment_id>/scoring/retry")
class Retry(MethodView):
    @require(blp, "admin")
    @blp.response(200, schemas.RetryOut())
    @blp.alt_response(404, schema=ErrorSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="The comment is already scored")
    def post(self, comment_id: int):
        """Put an unscored comment back into the scoring backlog, with a fresh count of attempts."""
        rt = runtime()
        with transaction() as session:
            comment = service.retry(session, comment_id, principal().name, rt.now())
            return {"comment_id": comment.id, "scoring": service.scoring_state(comment)}
