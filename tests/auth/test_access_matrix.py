"""Every endpoint × every kind of caller: the documented 401 / 403 / 2xx."""
import pytest

from moderation.auth import service as auth
from tests.factories import headers, make_article, make_comment, make_key

PUBLIC, FRONTEND, MODERATOR, ADMIN = "public", "frontend", "moderator", "admin"
# analyzer: a Perspective-compatible client (tests/analyzer); it may call nothing here.
CALLERS = ["none", "frontend", "moderator", "admin", "analyzer", "revoked"]

# (method, path template, JSON body, who may call it)
ENDPOINTS = [
    ("GET", "/api/v1/articles/{article}", None, PUBLIC),
    ("PUT", "/api/v1/articles/{article}", {"title": "T", "published_at": "2026-11-25T08:00:00Z"}, FRONTEND),
    ("POST", "/api/v1/articles/{article}/comments", {"author": {"id": "r", "name": "R"}, "body": "Salut"}, FRONTEND),
    ("GET", "/api/v1/articles/{article}/comments", None, PUBLIC),
    ("GET", "/api/v1/comments/{comment}", None, FRONTEND),
    ("POST", "/api/v1/comments/{comment}/reports", {"reporter_id": "x", "reason": "spam"}, FRONTEND),
    ("POST", "/api/v1/articles/{article}/lock", {"reason": "r"}, MODERATOR),
    ("POST", "/api/v1/articles/{article}/unlock", {}, MODERATOR),
    ("GET", "/api/v1/moderation/queue", None, MODERATOR),
    ("POST", "/api/v1/moderation/comments/{comment}/decision", {"action": "reject", "expected_status": "approved"},
     MODERATOR),
    ("POST", "/api/v1/moderation/decisions", {"decisions": [{"comment_id": 1, "action": "reject"}]}, MODERATOR),
    ("GET", "/api/v1/moderation/log", None, MODERATOR),
    ("POST", "/api/v1/moderation/authors/troll/ban", {}, MODERATOR),
    ("POST", "/api/v1/moderation/authors/troll/unban", {}, MODERATOR),
    ("POST", "/api/v1/moderation/authors/troll/erase", None, ADMIN),
    ("GET", "/api/v1/admin/model-report", None, ADMIN),
    ("GET", "/healthz", None, PUBLIC),
    ("GET", "/readyz", None, PUBLIC),
    ("GET", "/metrics", None, PUBLIC),
    ("GET", "/api/v1/openapi.json", None, PUBLIC),
]


def expected(required: str, caller: str) -> str:
    if required == PUBLIC:
        return "2xx"
    if caller in ("none", "revoked"):
        return "401"
    if caller == "admin" or caller == required or (required == FRONTEND and caller == FRONTEND):
        return "2xx"
    return "403"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("method,path,body,required", ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_access(client, runtime, method, path, body, required, caller):
    article = make_article(runtime, "a-1")
    comment = make_comment(runtime, article, status="approved")
    if caller == "none":
        auth_headers = {}
    elif caller == "revoked":
        key = make_key(runtime, "admin", "gone")
        with runtime.db.transaction() as session:
            auth.revoke_key(session, "gone", runtime.now())
        auth_headers = headers(key)
    else:
        auth_headers = headers(make_key(runtime, caller))
    url = path.format(article=article, comment=comment.id)
    response = client.open(url, method=method, json=body, headers=auth_headers)
    outcome = "2xx" if 200 <= response.status_code < 300 else str(response.status_code)
    assert outcome == expected(required, caller), (url, caller, response.get_json())
    if outcome in ("401", "403"):
        assert response.json["error"]["code"] == {"401": "unauthorized", "403": "forbidden"}[outcome]
