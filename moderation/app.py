"""The application factory. Nothing is created at import time: ``create_app()`` builds the
app for `moderation serve`, gunicorn (through ``moderation.server:application()``) and tests."""
from __future__ import annotations

import logging

from flask import Flask
from flask_smorest import Api

from moderation.clock import Clock
from moderation.config import Settings, load_settings
from moderation.observability import install_request_hooks
from moderation.openapi import (
    ArticleIdConverter,
    AuthorIdConverter,
    ContractPlugin,
    article_id_schema,
    author_id_schema,
    document_configured_limits,
)
from moderation.ratelimit import install_rate_limits
from moderation.runtime import Runtime
from moderation.schemas import ErrorSchema
from moderation.web import BoundedJSONProvider, register_error_handlers

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


class _Api(Api):
    # The default error response documented for every operation is our one envelope.
    ERROR_SCHEMA = ErrorSchema


def create_app(settings: Settings | None = None, *, clock: Clock | None = None, runtime: Runtime | None = None,
               background: bool = False) -> Flask:
    """Build the WSGI app. ``background=True`` also starts the closing scheduler and the
    scoring worker in this process (as `moderation serve` and gunicorn workers do)."""
    if runtime is None:
        runtime = Runtime(settings or load_settings(), clock=clock)
    settings = runtime.settings

    app = Flask(__name__, static_folder=None)
    app.json = BoundedJSONProvider(app)
    app.config.update(
        API_TITLE="Comment moderation API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {
            "description": "The site's frontend registers articles and posts readers' comments; moderators work "
                           "the review queue. Reference: /api/v1/docs.",
            "license": {"name": "AGPL-3.0-or-later", "url": "https://www.gnu.org/licenses/agpl-3.0.html"}}},
        MAX_CONTENT_LENGTH=settings.api.max_request_bytes,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False  # unicode stays as sent, byte for byte
    app.extensions["moderation"] = runtime

    api = _Api(app, spec_kwargs={"servers": [{"url": "/"}], "extra_plugins": [ContractPlugin()]})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    # flask-smorest's pagination header schema: no listing here uses it (cursors are in the body).
    api.spec.components.schemas.pop("PaginationMetadata", None)
    app.url_map.converters["article_id"] = ArticleIdConverter
    api.register_converter(ArticleIdConverter, article_id_schema)
    app.url_map.converters["author_id"] = AuthorIdConverter
    api.register_converter(AuthorIdConverter, author_id_schema)

    from moderation.articles.views import blp as articles
    from moderation.closing.views import blp as closing
    from moderation.comments.views import blp as comments
    from moderation.health import bp as health
    from moderation.labels.views import blp as model_report
    from moderation.review.views import blp as review
    from moderation.review.views import reports_blp as reports

    for blueprint in (articles, comments, closing, reports):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
    api.register_blueprint(review, url_prefix=f"{API_PREFIX}/moderation")
    from moderation.privacy.views import blp as privacy

    api.register_blueprint(privacy, url_prefix=f"{API_PREFIX}/moderation")
    from moderation.webhooks.views import blp as webhooks

    api.register_blueprint(webhooks, url_prefix=f"{API_PREFIX}/admin/webhooks")
    api.register_blueprint(model_report, url_prefix=API_PREFIX)
    from moderation.scoring.views import blp as scoring  # issue 11: scoring failures (admins)

    api.register_blueprint(scoring, url_prefix=f"{API_PREFIX}/moderation")
    document_configured_limits(api.spec.components, settings)
    app.register_blueprint(health)
    from moderation.reference.views import bp as reference

    app.register_blueprint(reference)
    from moderation.console.mount import install_console

    install_console(app, runtime)
    # Perspective-compatible /v1alpha1 routes; query-string keys redacted everywhere.
    from moderation.analyzer.views import install_analyzer

    install_analyzer(app, runtime)
    register_error_handlers(app)
    install_rate_limits(app, runtime)
    install_request_hooks(app, runtime)

    if background:
        from moderation.background import start_background

        start_background(runtime)
    return app
