from flask.views import MethodView

from moderation.articles import service as articles
from moderation.articles.schemas import ArticleOut
from moderation.closing import service
from moderation.closing.schemas import LockIn, UnlockIn
from moderation.ratelimit import RateLimit, per_api_key
from moderation.schemas import ErrorSchema
from moderation.web import Blueprint, principal, require, runtime, transaction

blp = Blueprint("closing", __name__, description="Moderators close and reopen threads", rate_limits=[
    RateLimit("moderation_per_key", per_api_key, scope="moderation"),
])


@blp.route("/articles/<article_id:article_id>/lock")
class Lock(MethodView):
    @require(blp, "moderator")
    @blp.arguments(LockIn(), required=False)
    @blp.response(200, ArticleOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, args: dict, article_id: str):
        """Close the thread now (lock_reason "manual")."""
        rt = runtime()
        with transaction() as session:
            article = service.lock_thread(session, article_id, principal().name, args["reason"], rt.now())
            return articles.view(session, article, rt.policy, rt.now())


@blp.route("/articles/<article_id:article_id>/unlock")
class Unlock(MethodView):
    @require(blp, "moderator")
    @blp.arguments(UnlockIn(), required=False)
    @blp.response(200, ArticleOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def post(self, args: dict, article_id: str):
        """Reopen the thread until a new deadline counted from now (default: the site window)."""
        rt = runtime()
        with transaction() as session:
            article = service.unlock_thread(session, article_id, principal().name, args["close_after_hours"],
                                            rt.policy, rt.now())
            return articles.view(session, article, rt.policy, rt.now())
