"""The floor of our stack for `make bench`: a Flask app under the same gunicorn settings that
answers the thread read with the very bytes and headers ours serves (saved by the benchmark in
BENCH_FLOOR_BODY), a revalidation with a 304, and a post with a 202 of the same shape, with no
database, no validation, no rate limits: what Flask and gunicorn cost by themselves.

    gunicorn -w 2 -k gthread --threads 8 'bench.floor:app'
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, request

app = Flask(__name__)
_BODY = Path(os.environ.get("BENCH_FLOOR_BODY", "/dev/null")).read_bytes() or b'{"comments":[],"count":0}\n'
_ETAG = os.environ.get("BENCH_FLOOR_ETAG", '"floor"')
_HEADERS = {"ETag": _ETAG, "Cache-Control": "public, max-age=5, stale-while-revalidate=30",
            "Surrogate-Key": "article-floor", "Vary": "Accept-Encoding"}
_ACCEPTED = json.dumps({"id": 1, "status": "pending", "article_id": "breaking", "parent_id": None,
                        "created_at": "2026-11-25T08:00:00Z"}).encode()


@app.get("/healthz")
def healthz():
    return "ok"


@app.get("/api/v1/articles/<article_id>/comments")
def thread(article_id: str):
    if request.headers.get("If-None-Match") == _ETAG:
        return Response(status=304, headers=_HEADERS)
    return Response(_BODY, mimetype="application/json", headers=_HEADERS)


@app.post("/api/v1/articles/<article_id>/comments")
def post(article_id: str):
    request.get_json()
    return Response(_ACCEPTED, status=202, mimetype="application/json")
