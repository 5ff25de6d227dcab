"""What the OpenAPI document says beyond each view's own schemas, from the same sources the
server enforces: path converters (article ids), limits taken from configuration (comment
length), responses of the HTTP server itself, and the links between operations that let a
client (or a fuzzer) chain real ids.
"""
from __future__ import annotations

import re
from typing import Any

from apispec import BasePlugin
from werkzeug.routing import BaseConverter

from moderation.articles.models import ARTICLE_ID_RULE
from moderation.config import Settings
from moderation.text import CONTROL, VISIBLE, WHITESPACE

API = "/api/v1"


class ArticleIdConverter(BaseConverter):
    """``<article_id:...>`` in routes: the site's article ids. A path that does not match is
    simply not found, and the document states the same pattern."""

    regex = r"[A-Za-z0-9._:\-]{1,128}"


class AuthorIdConverter(BaseConverter):
    """``<author_id:...>`` in the deprecated author routes: one path segment with something
    visible in it (what intake would store); anything else matches no route."""

    regex = f"[^/]*?[^/{WHITESPACE}{CONTROL}][^/]*"


def author_id_schema(_converter: BaseConverter) -> dict[str, Any]:
    return {"type": "string", "pattern": VISIBLE, "minLength": 1,
            "description": "The author's id (ids with \"/\" cannot travel in a path: use the routes with the id "
                           "in the body)"}


def article_id_schema(_converter: BaseConverter) -> dict[str, Any]:
    return {"type": "string", "pattern": rf"^{ArticleIdConverter.regex}$", "minLength": 1, "maxLength": 128,
            "description": f"The site's id for the article: {ARTICLE_ID_RULE}"}


def _ref(path: str, method: str) -> str:
    """An operationRef (JSON pointer into this document) for a link."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


_ARTICLE = f"{API}/articles/{{article_id}}"
_THREAD = f"{API}/articles/{{article_id}}/comments"
_COMMENT = f"{API}/comments/{{comment_id}}"
_DECISION = f"{API}/moderation/comments/{{comment_id}}/decision"
_REPORTS = f"{API}/comments/{{comment_id}}/reports"

# (path, method, status) -> links: the frontend's and the moderators' flows, as operations
# that take ids from an earlier response.
LINKS: dict[tuple[str, str, str], dict[str, dict]] = {
    (_ARTICLE, "put", "200"): {
        "GetArticle": {"operationRef": _ref(_ARTICLE, "get"), "parameters": {"article_id": "$response.body#/id"}},
        "PostComment": {"operationRef": _ref(_THREAD, "post"), "parameters": {"article_id": "$response.body#/id"}},
        "ReadThread": {"operationRef": _ref(_THREAD, "get"), "parameters": {"article_id": "$response.body#/id"}},
    },
    (_THREAD, "post", "202"): {
        "GetComment": {"operationRef": _ref(_COMMENT, "get"), "parameters": {"comment_id": "$response.body#/id"}},
        "Decide": {"operationRef": _ref(_DECISION, "post"), "parameters": {"comment_id": "$response.body#/id"}},
        "Report": {"operationRef": _ref(_REPORTS, "post"), "parameters": {"comment_id": "$response.body#/id"}},
        "ReadThread": {"operationRef": _ref(_THREAD, "get"),
                       "parameters": {"article_id": "$response.body#/article_id"}},
    },
    (_COMMENT, "get", "200"): {
        "Decide": {"operationRef": _ref(_DECISION, "post"), "parameters": {"comment_id": "$response.body#/id"},
                   "requestBody": {"action": "approve", "expected_version": "$response.body#/version"}},
        "Report": {"operationRef": _ref(_REPORTS, "post"), "parameters": {"comment_id": "$response.body#/id"}},
        "GetArticle": {"operationRef": _ref(_ARTICLE, "get"),
                       "parameters": {"article_id": "$response.body#/article_id"}},
    },
    (_DECISION, "post", "200"): {
        "GetComment": {"operationRef": _ref(_COMMENT, "get"),
                       "parameters": {"comment_id": "$response.body#/comment/id"}},
    },
}
_QUEUE = f"{API}/moderation/queue"
_RETRY = f"{API}/moderation/comments/{{comment_id}}/scoring/retry"
_HOOKS = f"{API}/admin/webhooks"
_HOOK = f"{API}/admin/webhooks/{{endpoint_id}}"
_FIRST_COMMENT = {"comment_id": "$response.body#/comments/0/id"}
_FIRST_ITEM = {"comment_id": "$response.body#/items/0/comment/id"}
LINKS[(_THREAD, "get", "200")] = {
    "GetComment": {"operationRef": _ref(_COMMENT, "get"), "parameters": _FIRST_COMMENT},
    "Decide": {"operationRef": _ref(_DECISION, "post"), "parameters": _FIRST_COMMENT},
    "Report": {"operationRef": _ref(_REPORTS, "post"), "parameters": _FIRST_COMMENT},
    "RetryScoring": {"operationRef": _ref(_RETRY, "post"), "parameters": _FIRST_COMMENT},
}
LINKS[(_QUEUE, "get", "200")] = {
    "Decide": {"operationRef": _ref(_DECISION, "post"), "parameters": _FIRST_ITEM,
               "requestBody": {"action": "approve", "expected_version": "$response.body#/items/0/comment/version"}},
    "Report": {"operationRef": _ref(_REPORTS, "post"), "parameters": _FIRST_ITEM},
    "GetComment": {"operationRef": _ref(_COMMENT, "get"), "parameters": _FIRST_ITEM},
}
_ENDPOINT = {"endpoint_id": "$response.body#/id"}
LINKS[(_HOOKS, "post", "201")] = {
    name: {"operationRef": _ref(path, method), "parameters": _ENDPOINT}
    for name, path, method in [
        ("GetEndpoint", _HOOK, "get"), ("ChangeEndpoint", _HOOK, "patch"), ("Disable", f"{_HOOK}/disable", "post"),
        ("Enable", f"{_HOOK}/enable", "post"), ("RotateSecret", f"{_HOOK}/rotate-secret", "post"),
        ("SendTest", f"{_HOOK}/test", "post"), ("Deliveries", f"{_HOOK}/deliveries", "get"),
        ("Attempts", f"{_HOOK}/attempts", "get"), ("Redeliver", f"{_HOOK}/redeliver", "post")]
}
_ARTICLE_PUT_CREATED = (_ARTICLE, "put", "201")
LINKS[_ARTICLE_PUT_CREATED] = LINKS[(_ARTICLE, "put", "200")]

# Answered by the HTTP server (gunicorn) before the application sees the request, as HTML.
SERVER_RESPONSES = {
    "414": "The request line (URL) is longer than the server accepts",
    "431": "The request's header fields are larger than the server accepts",
}


class ContractPlugin(BasePlugin):
    """Adds the links above and the HTTP server's own responses to every operation."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            if rule is not None and "operationId" not in operation:
                # Stable names for generated clients: the view's class and the method,
                # e.g. thread_comments_post.
                view = rule.endpoint.rpartition(".")[2]
                operation["operationId"] = f"{_snake(view)}_{method}"
            responses = operation.setdefault("responses", {})
            for status, links in ((s, LINKS.get((path, method, str(s)))) for s in list(responses)):
                if links and isinstance(responses[status], dict) and "$ref" not in responses[status]:
                    responses[status]["links"] = links
            for status, description in SERVER_RESPONSES.items():
                responses.setdefault(status, {"description": description,
                                              "content": {"text/html": {"schema": {"type": "string"}}}})
            if "requestBody" in operation:
                # A body over [api] max_request_bytes is refused before it is read, in the envelope.
                responses.setdefault("413", {"description": "The body is larger than the server accepts "
                                                            "([api] max_request_bytes)",
                                             "content": {"application/json": {
                                                 "schema": {"$ref": "#/components/schemas/Error"}}}})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def document_configured_limits(spec_components: Any, settings: Settings) -> None:
    """Limits that come from configuration, stated in the document the server serves."""
    new_comment = spec_components.schemas.get("NewCommentIn")
    if new_comment is not None:
        new_comment["properties"]["body"]["maxLength"] = settings.api.max_comment_length
