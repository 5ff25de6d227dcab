"""The API reference is served from the service itself, with no CDN."""


def test_reference_page_renders_the_served_document_with_vendored_redoc(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert 'spec-url="/api/v1/openapi.json"' in html
    assert '<script src="/api/v1/docs/redoc.standalone.js"></script>' in html
    assert "http" not in html.replace('content="width', "")  # nothing from another host
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    script = client.get("/api/v1/docs/redoc.standalone.js")
    assert script.status_code == 200 and len(script.data) > 500_000 and b"Redoc" in script.data[:200_000]
