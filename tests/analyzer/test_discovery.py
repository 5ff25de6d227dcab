"""The commentanalyzer v1alpha1 discovery document, from which Google's own clients build
Perspective's methods: served at the host root, with its URLs pointing at this service as the
client reached it ([analyzer] public_url, else the request's host, through trusted proxies)."""
import pytest
from googleapiclient.errors import HttpError

from moderation.app import create_app
from moderation.runtime import Runtime
from tests.analyzer.google_http import FlaskHttp, build

FRENCH = "Je ne suis pas d'accord avec l'auteur, mais merci pour l'enquête."
PATHS = ["/$discovery/rest?version=v1alpha1", "/discovery/v1/apis/commentanalyzer/v1alpha1/rest"]


def app_with(analyzer_runtime, **sections):
    runtime = Runtime(analyzer_runtime.settings.replace(**sections), clock=analyzer_runtime.clock,
                      database=analyzer_runtime.db)
    runtime.analyzer = analyzer_runtime.analyzer
    return create_app(runtime=runtime).test_client()


@pytest.mark.parametrize("path", PATHS)
def test_the_document_describes_perspectives_methods_at_this_host(perspective, path):
    response = perspective.get(path, base_url="http://moderation.example.ch")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.json
    assert document["kind"] == "discovery#restDescription"
    assert document["discoveryVersion"] == "v1"
    assert (document["name"], document["version"], document["id"]) == ("commentanalyzer", "v1alpha1",
                                                                       "commentanalyzer:v1alpha1")
    assert document["protocol"] == "rest"
    assert document["rootUrl"] == "http://moderation.example.ch/"
    assert document["baseUrl"] == "http://moderation.example.ch/"
    assert document["servicePath"] == "" and document["batchPath"] == "batch"
    # No OAuth scopes: with them, a client given only a developerKey would still look for
    # Google credentials.
    assert "auth" not in document
    assert document["parameters"]["key"] == {"type": "string", "location": "query",
                                             "description": document["parameters"]["key"]["description"]}
    methods = document["resources"]["comments"]["methods"]
    assert methods["analyze"]["path"] == methods["analyze"]["flatPath"] == "v1alpha1/comments:analyze"
    assert methods["analyze"]["httpMethod"] == "POST"
    assert methods["analyze"]["id"] == "commentanalyzer.comments.analyze"
    assert methods["analyze"]["request"] == {"$ref": "AnalyzeCommentRequest"}
    assert methods["analyze"]["response"] == {"$ref": "AnalyzeCommentResponse"}
    assert methods["suggestscore"]["path"] == "v1alpha1/comments:suggestscore"
    assert methods["suggestscore"]["request"] == {"$ref": "SuggestCommentScoreRequest"}
    assert methods["suggestscore"]["response"] == {"$ref": "SuggestCommentScoreResponse"}
    schemas = document["schemas"]
    for name in ("AnalyzeCommentRequest", "AnalyzeCommentResponse", "AttributeParameters", "AttributeScores",
                 "Score", "SpanScore", "TextEntry", "Context", "ArticleAndParentComment",
                 "SuggestCommentScoreRequest", "SuggestCommentScoreResponse"):
        assert schemas[name]["id"] == name and schemas[name]["type"] == "object", name
    assert set(schemas["AnalyzeCommentRequest"]["properties"]) >= {
        "comment", "requestedAttributes", "languages", "doNotStore", "clientToken", "sessionId", "communityId",
        "context", "spanAnnotations"}
    assert schemas["AnalyzeCommentRequest"]["properties"]["requestedAttributes"]["additionalProperties"] == {
        "$ref": "AttributeParameters"}
    assert set(schemas["SpanScore"]["properties"]) == {"begin", "end", "score"}
    assert schemas["AnalyzeCommentResponse"]["properties"]["attributeScores"]["additionalProperties"] == {
        "$ref": "AttributeScores"}
    assert "model" in schemas["AnalyzeCommentResponse"]["properties"]  # the one field of ours
    # Every reference resolves.
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert refs and all(ref in schemas for ref in refs)


def test_the_document_needs_no_key_and_ignores_the_one_google_clients_send(perspective):
    # googleapiclient appends its developerKey to the discovery URL.
    response = perspective.get("/$discovery/rest?version=v1alpha1&key=not-a-key")
    assert response.status_code == 200
    assert response.json["rootUrl"] == "http://localhost/"


def test_other_versions_and_apis_are_not_found_in_googles_shape(perspective):
    for path in ("/$discovery/rest?version=v1", "/discovery/v1/apis/commentanalyzer/v1/rest",
                 "/discovery/v1/apis/youtube/v3/rest"):
        response = perspective.get(path)
        assert response.status_code == 404, path
        assert response.json["error"]["status"] == "NOT_FOUND"
    # Without a version, the one there is (as Google's discovery answers for an API of one version).
    assert perspective.get("/$discovery/rest").json["version"] == "v1alpha1"


def test_public_url_wins_over_the_request(analyzer_runtime):
    client = app_with(analyzer_runtime, analyzer={"public_url": "https://moderation.example.ch/perspective"})
    document = client.get(PATHS[0], base_url="http://10.0.0.5:8000").json
    assert document["rootUrl"] == document["baseUrl"] == "https://moderation.example.ch/perspective/"


def test_forwarded_scheme_and_host_only_through_trusted_proxies(analyzer_runtime):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "moderation.example.ch",
                 "X-Forwarded-For": "203.0.113.9"}
    untrusted = app_with(analyzer_runtime)
    assert untrusted.get(PATHS[0], headers=forwarded, base_url="http://10.0.0.5:8000").json["rootUrl"] == \
        "http://10.0.0.5:8000/"
    behind_one = app_with(analyzer_runtime, ratelimit={"trusted_proxies": 1})
    assert behind_one.get(PATHS[0], headers=forwarded, base_url="http://10.0.0.5:8000").json["rootUrl"] == \
        "https://moderation.example.ch/"
    # As werkzeug's ProxyFix reads them: the value the outermost trusted proxy set, and
    # X-Forwarded-Port replacing the host's port.
    chained = {"X-Forwarded-Proto": "http, https", "X-Forwarded-Host": "evil.example, moderation.example.ch",
               "X-Forwarded-Port": "8443"}
    assert behind_one.get(PATHS[0], headers=chained, base_url="http://10.0.0.5:8000").json["rootUrl"] == \
        "https://moderation.example.ch:8443/"
    # Fewer values than trusted proxies, or a value that is no host: the request's own.
    behind_two = app_with(analyzer_runtime, ratelimit={"trusted_proxies": 2})
    assert behind_two.get(PATHS[0], headers=forwarded, base_url="http://10.0.0.5:8000").json["rootUrl"] == \
        "http://10.0.0.5:8000/"
    bad = {"X-Forwarded-Proto": "javascript", "X-Forwarded-Host": "a/b@evil.example"}
    assert behind_one.get(PATHS[0], headers=bad, base_url="http://10.0.0.5:8000").json["rootUrl"] == \
        "http://10.0.0.5:8000/"


def test_googles_python_client_analyzes_through_the_document(perspective, analyzer_key, loaded_router):
    client = build(perspective, analyzer_key)
    body = {"comment": {"text": FRENCH, "type": "PLAIN_TEXT"}, "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
            "languages": ["fr"], "doNotStore": True, "clientToken": "t-1", "sessionId": "s-1",
            "communityId": "c-1", "context": {"entries": [{"text": "L'article.", "type": "PLAIN_TEXT"}]}}
    answer = client.comments().analyze(body=body).execute()
    expected = loaded_router.route([FRENCH], ["fr"])[0].scores
    assert answer["attributeScores"]["TOXICITY"]["summaryScore"] == {
        "value": pytest.approx(expected["toxicity"], abs=1e-6), "type": "PROBABILITY"}
    assert answer["attributeScores"]["INSULT"]["summaryScore"]["value"] == pytest.approx(expected["insult"], abs=1e-6)
    assert answer["clientToken"] == "t-1" and answer["languages"] == ["fr"]
    # The key travelled as ?key= to the path at the host root, as the document says.
    http: FlaskHttp = client._http
    method, uri, _headers, _body = http.sent[-1]
    assert method == "POST" and uri.startswith("http://moderation.test/v1alpha1/comments:analyze?")
    assert f"key={analyzer_key}" in uri

    suggested = client.comments().suggestscore(body={
        "comment": {"text": FRENCH}, "languages": ["fr"], "clientToken": "comment:1",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}).execute()
    assert suggested["clientToken"] == "comment:1"


def test_errors_reach_googles_client_as_http_error_with_our_body(perspective, analyzer_key):
    client = build(perspective, analyzer_key)
    with pytest.raises(HttpError) as raised:
        client.comments().analyze(body={"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert raised.value.status_code == 400
    assert b'"status":"INVALID_ARGUMENT"' in raised.value.content.replace(b" ", b"")
    assert raised.value.reason == "Comment must be non-empty."

    keyless = build(perspective, None)
    with pytest.raises(HttpError) as raised:
        keyless.comments().analyze(body={"comment": {"text": FRENCH},
                                         "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert raised.value.status_code == 403
