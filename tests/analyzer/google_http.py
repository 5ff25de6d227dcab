"""google-api-python-client in-process: its ``http`` object answered by a Flask test client, so
that the client's own discovery, request building and batch encoding run against the app
without a server (tests/analyzer/test_google_clients.py does the same over a real one)."""
from __future__ import annotations

import urllib.parse

import httplib2
from googleapiclient import discovery

HOST = "http://moderation.test"
DISCOVERY = f"{HOST}/$discovery/rest?version=v1alpha1"


class FlaskHttp:
    """What the Google client calls on httplib2.Http: ``request(uri, method, body, headers)``."""

    def __init__(self, client) -> None:
        self.client = client
        self.sent: list[tuple[str, str, dict, bytes | str | None]] = []

    def request(self, uri, method="GET", body=None, headers=None, redirections=5, connection_type=None):
        self.sent.append((method, uri, dict(headers or {}), body))
        parts = urllib.parse.urlsplit(uri)
        response = self.client.open(parts.path + (f"?{parts.query}" if parts.query else ""), method=method,
                                    data=body, headers=headers or {}, base_url=f"{parts.scheme}://{parts.netloc}")
        info = {name.lower(): value for name, value in response.headers.items()}
        info["status"] = str(response.status_code)
        return httplib2.Response(info), response.get_data()


def build(client, key: str | None, discovery_url: str = DISCOVERY):
    """The client as Perspective's Python sample builds it, with only the host changed."""
    return discovery.build("commentanalyzer", "v1alpha1", developerKey=key, discoveryServiceUrl=discovery_url,
                           static_discovery=False, http=FlaskHttp(client), cache_discovery=False)
