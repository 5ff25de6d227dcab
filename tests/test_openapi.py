def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for path in ("/api/v1/articles/{article_id}", "/api/v1/articles/{article_id}/comments",
                 "/api/v1/comments/{comment_id}", "/api/v1/articles/{article_id}/lock"):
        assert path in paths
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "202" in paths["/api/v1/articles/{article_id}/comments"]["post"]["responses"]


def test_unknown_route_and_method_use_the_envelope(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/articles/x")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"


def test_every_date_time_a_client_sends_states_the_years_the_server_accepts(client):
    """A client generating from the document (schemathesis from outside, with its defaults)
    must not be refused for a year the document allowed (``since=5941-…`` on the model report)."""
    doc = client.get("/api/v1/openapi.json").json
    unbounded = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if schema.get("format") == "date-time" and "pattern" not in schema:
                    unbounded.append(f"{method} {path} {parameter['name']}")
    assert unbounded == []


def test_every_cursor_parameter_states_the_pattern_the_server_accepts(client):
    """Schemathesis from outside, with its defaults, sent cursors of 500 zeros: the document
    must say what a cursor is, and the server must take every string it allows."""
    import re

    doc = client.get("/api/v1/openapi.json").json
    cursors = [(path, p["schema"]) for path, operations in doc["paths"].items()
               for operation in operations.values() if isinstance(operation, dict)
               for p in operation.get("parameters", []) if p["name"] == "cursor"]
    assert len(cursors) == 5
    for path, schema in cursors:
        assert "pattern" in schema and schema["maxLength"] < 200, path
        assert not re.fullmatch(schema["pattern"], "0" * 500)
