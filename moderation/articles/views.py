from flask.views import MethodView

from moderation.articles import service
from moderation.articles.schemas import ArticleIn, ArticleOut
from moderation.ratelimit import RateLimit, per_api_key
from moderation.schemas import ErrorSchema
from moderation.web import Blueprint, require, runtime, transaction

blp = Blueprint("articles", __name__, description="Articles and the state of their comment thread", rate_limits=[
    RateLimit("frontend_per_key", per_api_key, scope="frontend", methods=("PUT",)),
])


@blp.route("/articles/<article_id:article_id>")
class ArticleResource(MethodView):
    @blp.doc(security=[])  # public: no key needed
    @blp.response(200, ArticleOut())
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, article_id: str):
        """An article and its thread: open, closes_at, paused, resumes_at, locked_at, lock_reason, approved count
        (public)."""
        rt = runtime()
        with transaction(write=False) as session:
            return service.view(session, service.get_article(session, article_id), rt.policy, rt.now())

    @require(blp, "frontend")
    @blp.arguments(ArticleIn())
    @blp.response(200, ArticleOut(), description="Updated")
    @blp.alt_response(201, schema=ArticleOut, description="Created")
    @blp.alt_response(422, schema=ErrorSchema)
    def put(self, fields: dict, article_id: str):
        """Register or update an article (201 when created, 200 when updated)."""
        rt = runtime()
        with transaction() as session:
            article, created = service.upsert_article(session, article_id, fields, rt.now())
            result = service.view(session, article, rt.policy, rt.now())
        return result, 201 if created else 200
