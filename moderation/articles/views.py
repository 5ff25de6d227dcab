from flask import jsonify
from flask.views import MethodView

from moderation.articles import service
from moderation.articles.schemas import ArticleIn, ArticleOut
from moderation.ratelimit import RateLimit, per_api_key
from moderation.schemas import NOT_MODIFIED, PUBLIC_CACHE_HEADERS, ErrorSchema
from moderation.web import Blueprint, client_has_current, not_modified, public_cache, require, runtime, transaction

# Built once: every reader of every article asks for this document.
_ARTICLE_OUT = ArticleOut()

blp = Blueprint("articles", __name__, description="Articles and the state of their comment thread", rate_limits=[
    RateLimit("frontend_per_key", per_api_key, scope="frontend", methods=("PUT",)),
])


@blp.route("/articles/<article_id:article_id>")
class ArticleResource(MethodView):
    @blp.doc(security=[])  # public: no key needed
    @blp.response(200, ArticleOut(), headers=PUBLIC_CACHE_HEADERS)
    @blp.alt_response(304, description=NOT_MODIFIED, headers=PUBLIC_CACHE_HEADERS)
    @blp.alt_response(404, schema=ErrorSchema)
    def get(self, article_id: str):
        """An article and its thread: open, closes_at, paused, resumes_at, locked_at, lock_reason, approved count
        (public).

        Cacheable: an ETag, Cache-Control and Surrogate-Key; If-None-Match answers 304."""
        rt = runtime()
        now = rt.now()
        with transaction(write=False) as session:
            article = service.get_article(session, article_id)
            tag = service.view_etag(article, rt.policy, now)
            if client_has_current(tag):
                return not_modified(tag, article_id)
            view = service.view(session, article, rt.policy, now)
        return public_cache(jsonify(_ARTICLE_OUT.dump(view)), tag, article_id)

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
