"""The API reference: ReDoc (vendored under static/, no CDN) rendering /api/v1/openapi.json."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"

bp = Blueprint("reference", __name__)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comment moderation API reference</title>
</head>
<body>
<redoc spec-url="/api/v1/openapi.json" hide-download-button="false"></redoc>
<script src="/api/v1/docs/redoc.standalone.js"></script>
</body>
</html>
"""

# ReDoc styles itself with inline styles and renders its search in a web worker (blob:);
# scripts only from here.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "worker-src 'self' blob:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


@bp.get("/api/v1/docs")
def reference() -> Response:
    """The API reference page (public, like the OpenAPI document it renders)."""
    return Response(PAGE, mimetype="text/html", headers={"Content-Security-Policy": CSP})


@bp.get("/api/v1/docs/redoc.standalone.js")
def redoc_script() -> Response:
    response = send_from_directory(STATIC, "redoc.standalone.js", mimetype="text/javascript", max_age=86400)
    return response
