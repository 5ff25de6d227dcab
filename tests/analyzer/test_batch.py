"""POST /batch in Google's multipart/mixed batch format, as google-api-python-client's
new_batch_http_request() sends it: each part answered in its own part, with its own status
and errors, and every part's text scored in one call to the analyzer."""
import json
import re
import threading
import time

import pytest
from googleapiclient.errors import HttpError
from sqlalchemy import select

from moderation.analyzer.batch import Gathering
from moderation.analyzer.batcher import DeadlineExceeded, Overloaded
from moderation.app import create_app
from moderation.labels.models import ModelLabel
from moderation.runtime import Runtime
from tests.analyzer.google_http import build
from tests.factories import make_key

FRENCH = "Je ne suis pas d'accord avec l'auteur, mais merci pour l'enquête."
GERMAN = "Ich bin nicht einverstanden mit dem Autor, aber danke für den Artikel."


class Counting:
    """The runtime's analyzer, with its calls recorded."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    def analyze(self, texts, languages, timeout):
        self.calls.append(list(texts))
        return self.inner.analyze(texts, languages, timeout)


@pytest.fixture
def analyzer_runtime(committed_runtime, models_by_language, loaded_router, analyzer_detector):
    """As tests/analyzer/conftest.py's, on a database that commits: a batch's parts run in
    threads of their own, each with its own connection, as in production (the rolled-back
    test connection is one connection and cannot serve threads at once)."""
    from moderation.analyzer.host import LocalAnalyzer, local_batcher

    rt = Runtime(committed_runtime.settings.replace(scoring={"backend": "detoxify", "models": models_by_language}),
                 clock=committed_runtime.clock, database=committed_runtime.db)
    batcher = local_batcher(rt, loaded_router, analyzer_detector)
    rt.analyzer = LocalAnalyzer(batcher)
    yield rt
    batcher.stop()


@pytest.fixture
def counting(analyzer_runtime):
    analyzer_runtime.analyzer = Counting(analyzer_runtime.analyzer)
    return analyzer_runtime.analyzer


def analyze_body(text, language, **extra):
    return {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}, "languages": [language], **extra}


def run_batch(client, requests):
    """Executes ``requests`` (id -> HttpRequest) in one batch; returns id -> (response, exception)."""
    answers = {}
    batch = client.new_batch_http_request(callback=lambda rid, response, exc: answers.__setitem__(rid, (response,
                                                                                                        exc)))
    for rid, request in requests.items():
        batch.add(request, request_id=rid)
    batch.execute()
    return answers


def test_a_batch_of_ten_is_answered_part_by_part_and_scored_in_one_call(perspective, analyzer_key, counting,
                                                                        loaded_router):
    client = build(perspective, analyzer_key)
    texts = [(f"{FRENCH} ({n})", "fr") if n % 2 else (f"{GERMAN} ({n})", "de") for n in range(10)]
    answers = run_batch(client, {f"c{n}": client.comments().analyze(body=analyze_body(text, language,
                                                                                      clientToken=f"t{n}"))
                                 for n, (text, language) in enumerate(texts)})
    assert set(answers) == {f"c{n}" for n in range(10)}
    for n, (text, language) in enumerate(texts):
        response, error = answers[f"c{n}"]
        assert error is None
        assert response["clientToken"] == f"t{n}" and response["languages"] == [language]
        assert response["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == pytest.approx(
            loaded_router.route([text], [language])[0].scores["toxicity"], abs=1e-5)
    # One call to the analyzer, with every part's text: one dynamic batch.
    assert [sorted(call) for call in counting.calls] == [sorted(text for text, _ in texts)]
    # To rootUrl + batchPath, as the discovery document says.
    assert client._http.sent[-1][1] == "http://moderation.test/batch"


def test_each_part_has_its_own_status_and_perspectives_error(perspective, analyzer_key, analyzer_runtime, counting):
    client = build(perspective, analyzer_key)
    keyless = build(perspective, None)
    answers = run_batch(client, {
        "good": client.comments().analyze(body=analyze_body(FRENCH, "fr")),
        "empty": client.comments().analyze(body=analyze_body("", "fr")),
        "unknown": client.comments().analyze(body={"comment": {"text": FRENCH}, "requestedAttributes": {"SPAM": {}}}),
        "no-language": client.comments().analyze(body=analyze_body(FRENCH, "xx")),
        "keyless": keyless.comments().analyze(body=analyze_body(FRENCH, "fr")),
        "suggest": client.comments().suggestscore(body={
            "comment": {"text": GERMAN}, "languages": ["de"], "clientToken": "comment:9",
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}}}),
    })
    assert answers["good"][1] is None and "TOXICITY" in answers["good"][0]["attributeScores"]
    assert answers["suggest"] == ({"clientToken": "comment:9", "requestedLanguages": ["de"]}, None)
    for rid, status, message in [("empty", 400, "Comment must be non-empty."),
                                 ("unknown", 400, "Unknown requested attribute: SPAM"),
                                 ("no-language", 400, "Attribute TOXICITY does not support request languages: xx"),
                                 ("keyless", 403, None)]:
        response, error = answers[rid]
        assert isinstance(error, HttpError), rid
        assert error.status_code == status, (rid, error)
        assert message is None or error.reason == message, (rid, error)
    # The parts that reached the model were still scored together.
    assert len(counting.calls) == 1 and sorted(counting.calls[0]) == sorted([FRENCH, GERMAN])
    with analyzer_runtime.db.transaction(write=False) as session:
        label = session.scalars(select(ModelLabel).where(ModelLabel.client_token == "comment:9")).one()
    assert label.label == 1


def multipart(boundary: str, parts: list[tuple[str | None, str]], newline: str = "\r\n") -> bytes:
    lines = []
    for content_id, http in parts:
        lines += [f"--{boundary}", "Content-Type: application/http", "Content-Transfer-Encoding: binary"]
        if content_id is not None:
            lines.append(f"Content-ID: {content_id}")
        lines += ["", http]
    lines.append(f"--{boundary}--")
    return (newline.join(lines) + newline).encode()


def inner(path: str, body: str, **headers: str) -> str:
    head = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return f"POST {path} HTTP/1.1\r\nContent-Type: application/json\r\n{head}\r\n{body}"


def read_parts(response) -> list[tuple[dict, str, dict, str]]:
    """(part headers, status line, response headers, body) per part of a multipart/mixed answer."""
    boundary = re.search(r'boundary="?([^";]+)"?', response.headers["Content-Type"]).group(1)
    assert response.mimetype == "multipart/mixed"
    text = response.get_data(as_text=True)
    chunks = text.split(f"--{boundary}")
    assert chunks[0] == "" and chunks[-1] in ("--", "--\r\n")
    parts = []
    for chunk in chunks[1:-1]:
        head, _, rest = chunk.strip("\r\n").partition("\r\n\r\n")
        part_headers = dict(line.split(": ", 1) for line in head.split("\r\n"))
        response_head, _, body = rest.partition("\r\n\r\n")
        status, *header_lines = response_head.split("\r\n")
        parts.append((part_headers, status, dict(line.split(": ", 1) for line in header_lines), body))
    return parts


@pytest.mark.parametrize("path", ["/batch", "/batch/commentanalyzer/v1alpha1"])
def test_googles_batch_format_on_the_wire(perspective, analyzer_key, path):
    body = multipart("batch_abc", [
        ("<item1>", inner(f"/v1alpha1/comments:analyze?key={analyzer_key}", json.dumps(analyze_body(FRENCH, "fr")))),
        ("<b29c5de2-0db4-490b-b421-6a51b598bd22 + 2>",
         inner("/v1alpha1/comments:analyze", "{}", X_Goog_Api_Key=analyzer_key)),
        ("item3", inner(f"/api/v1/articles?key={analyzer_key}", "{}")),
        (None, inner(f"/v1alpha1/comments:analyze?key={analyzer_key}", json.dumps(analyze_body(GERMAN, "de")))),
    ])
    response = perspective.post(path, data=body, content_type="multipart/mixed; boundary=batch_abc")
    assert response.status_code == 200, response.get_data(as_text=True)
    parts = read_parts(response)
    assert [p[0].get("Content-ID") for p in parts] == [
        "<response-item1>", "<response-b29c5de2-0db4-490b-b421-6a51b598bd22 + 2>", "response-item3", None]
    assert all(p[0]["Content-Type"] == "application/http" for p in parts)
    assert [p[1] for p in parts] == ["HTTP/1.1 200 OK", "HTTP/1.1 400 Bad Request", "HTTP/1.1 404 Not Found",
                                     "HTTP/1.1 200 OK"]
    assert parts[0][2]["Content-Type"] == "application/json"
    assert json.loads(parts[0][3])["languages"] == ["fr"]
    assert json.loads(parts[1][3]) == {"error": {
        "code": 400, "message": "Comment must be non-empty.", "status": "INVALID_ARGUMENT",
        "details": [{"@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                     "errorType": "COMMENT_EMPTY"}]}}
    # A batch holds Perspective's calls only: nothing else of the service is reached through it.
    assert json.loads(parts[2][3])["error"]["status"] == "NOT_FOUND"
    assert json.loads(parts[3][3])["languages"] == ["de"]


def test_the_outer_requests_key_serves_parts_without_one(perspective, analyzer_key):
    body = multipart("b", [("<1>", inner("/v1alpha1/comments:analyze", json.dumps(analyze_body(FRENCH, "fr"))))],
                     newline="\n")
    response = perspective.post(f"/batch?key={analyzer_key}", data=body, content_type='multipart/mixed; boundary="b"')
    assert read_parts(response)[0][1] == "HTTP/1.1 200 OK"
    response = perspective.post("/batch", data=body, content_type="multipart/mixed; boundary=b",
                                headers={"X-Goog-Api-Key": analyzer_key})
    assert read_parts(response)[0][1] == "HTTP/1.1 200 OK"
    response = perspective.post("/batch", data=body, content_type="multipart/mixed; boundary=b")
    assert read_parts(response)[0][1] == "HTTP/1.1 403 Forbidden"


def test_too_many_parts_is_refused_as_google_does(perspective, analyzer_key, counting, analyzer_runtime):
    limit = analyzer_runtime.settings.analyzer.max_batch_parts
    client = build(perspective, analyzer_key)
    batch = client.new_batch_http_request()
    for _ in range(limit + 1):
        batch.add(client.comments().analyze(body=analyze_body(FRENCH, "fr")))
    with pytest.raises(HttpError) as raised:
        batch.execute()
    assert raised.value.status_code == 400
    assert raised.value.reason == f"Too many requests in batch: at most {limit}."
    assert counting.calls == []


@pytest.mark.parametrize("content_type,data", [
    ("application/json", b"{}"),
    ("multipart/mixed", b"--x\r\n\r\n--x--\r\n"),  # no boundary
    ("multipart/mixed; boundary=x", b"--x--\r\n"),  # no part
    ("multipart/mixed; boundary=x", b"nothing here"),
])
def test_what_is_no_batch_is_invalid_argument(perspective, content_type, data):
    response = perspective.post("/batch", data=data, content_type=content_type)
    assert response.status_code == 400
    assert response.json["error"]["status"] == "INVALID_ARGUMENT"


def test_a_batch_may_be_larger_than_one_request(perspective, analyzer_key, analyzer_runtime, counting):
    limit = analyzer_runtime.settings.api.max_request_bytes
    client = build(perspective, analyzer_key)
    text = ("Merci pour cet article. " * 1000)[:limit // 4]
    answers = run_batch(client, {str(n): client.comments().analyze(body=analyze_body(f"{n} {text}", "fr"))
                                 for n in range(6)})
    assert all(error is None for _, error in answers.values())
    assert len(counting.calls) == 1 and len(counting.calls[0]) == 6


def test_each_part_counts_against_its_keys_rate_limit(analyzer_runtime, analyzer_key):
    limited = Runtime(analyzer_runtime.settings.replace(ratelimit={"enabled": True, "analyzer_per_key": "3/minute"}),
                      clock=analyzer_runtime.clock, database=analyzer_runtime.db)
    limited.analyzer = analyzer_runtime.analyzer
    app = create_app(runtime=limited).test_client()
    client = build(app, analyzer_key)
    other = build(app, make_key(analyzer_runtime, "analyzer"))
    requests = {f"a{n}": client.comments().analyze(body=analyze_body(FRENCH, "fr")) for n in range(5)}
    requests["other"] = other.comments().analyze(body=analyze_body(FRENCH, "fr"))
    answers = run_batch(client, requests)
    statuses = sorted(error.status_code if error else 200 for rid, (_, error) in answers.items() if rid != "other")
    assert statuses == [200, 200, 200, 429, 429]
    assert answers["other"][1] is None
    refused = next(error for _, error in answers.values() if error is not None)
    assert b"RESOURCE_EXHAUSTED" in refused.content


class Recording:
    def __init__(self, error=None) -> None:
        self.calls = []
        self.error = error

    def analyze(self, texts, languages, timeout):
        self.calls.append((list(texts), timeout))
        if self.error is not None:
            raise self.error
        return [f"score of {text}" for text in texts]


def run_parts(gathering, work):
    """Runs each of ``work`` (a callable on the gathering) in its thread, as dispatch does."""
    results = [None] * len(work)

    def run(index):
        try:
            results[index] = work[index]()
        except Exception as exc:
            results[index] = exc
        finally:
            gathering.finished()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_gathering_scores_every_part_in_one_call_with_a_deadline_per_forward_pass():
    analyzer = Recording()
    gathering = Gathering(analyzer, parts=10, batch_size=4)
    results = run_parts(gathering, [lambda n=n: gathering.analyze([f"t{n}"], ["fr"], 0.5) for n in range(10)])
    assert results == [[f"score of t{n}"] for n in range(10)]
    [(texts, timeout)] = analyzer.calls
    assert sorted(texts) == sorted(f"t{n}" for n in range(10))
    assert timeout == pytest.approx(0.5 * 3)  # ten texts, four a pass


def test_gathering_does_not_wait_for_parts_that_end_without_scoring():
    analyzer = Recording()
    gathering = Gathering(analyzer, parts=3, batch_size=8)

    def refused():
        raise ValueError("refused before scoring")

    results = run_parts(gathering, [lambda: gathering.analyze(["a"], [None], 5), refused,
                                    lambda: gathering.analyze(["b", "c"], ["de", "de"], 5)])
    assert results[0] == ["score of a"] and results[2] == ["score of b", "score of c"]
    assert isinstance(results[1], ValueError)
    assert len(analyzer.calls) == 1


def test_gathering_gives_each_part_the_analyzers_error():
    analyzer = Recording(Overloaded("the queue is full"))
    gathering = Gathering(analyzer, parts=2, batch_size=8)
    results = run_parts(gathering, [lambda: gathering.analyze(["a"], [None], 5),
                                    lambda: gathering.analyze(["b"], [None], 5)])
    assert all(isinstance(result, Overloaded) for result in results)
    assert results[0] is not results[1]


def test_a_part_stuck_before_scoring_holds_the_others_only_until_their_deadline():
    analyzer = Recording()
    gathering = Gathering(analyzer, parts=2, batch_size=8)
    release = threading.Event()

    def waiting():
        try:
            return gathering.analyze(["a"], [None], 0.2)
        finally:
            release.set()  # the stuck part ends once the other has given up

    started = time.monotonic()
    results = run_parts(gathering, [waiting, lambda: release.wait(30)])
    assert isinstance(results[0], DeadlineExceeded)
    assert time.monotonic() - started < 20
    assert analyzer.calls == []


def test_the_analyzers_overload_is_each_parts_503(perspective, analyzer_key, analyzer_runtime):
    analyzer_runtime.analyzer = Recording(Overloaded("the queue is full"))
    client = build(perspective, analyzer_key)
    answers = run_batch(client, {str(n): client.comments().analyze(body=analyze_body(FRENCH, "fr")) for n in range(3)})
    assert [error.status_code for _, error in answers.values()] == [503, 503, 503]
    assert all(b"UNAVAILABLE" in error.content for _, error in answers.values())


def test_a_content_id_that_is_not_ascii_is_that_parts_error(perspective, analyzer_key):
    good = inner(f"/v1alpha1/comments:analyze?key={analyzer_key}", json.dumps(analyze_body(FRENCH, "fr")))
    body = multipart("b", [("<caf\u00e9>", good), ("<2>", good)])
    response = perspective.post("/batch", data=body, content_type="multipart/mixed; boundary=b")
    assert response.status_code == 200
    parts = read_parts(response)
    assert [(p[0].get("Content-ID"), p[1]) for p in parts] == [(None, "HTTP/1.1 400 Bad Request"),
                                                               ("<response-2>", "HTTP/1.1 200 OK")]


def test_helms_batch_with_the_texts_as_request_ids(perspective, analyzer_key, counting):
    """What Stanford HELM's PerspectiveAPIClient.get_toxicity_scores sends (helm/clients/
    perspective_api_client.py): one batch, each text its own request id (so in the Content-ID,
    URL-quoted), spanAnnotations, languages ["en"], a callback that raises the part's error."""
    client = build(perspective, analyzer_key)
    texts = ["You are a wonderful person.", "Ça, c'est « vraiment » nul !", "x" * 3000 + " + <end>", "日本語のテキスト"]
    attributes = ["TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"]
    text_to_response = {}

    def callback(request_id, response, error):
        if error:
            raise error
        text_to_response[request_id] = response

    batch = client.new_batch_http_request()
    for text in set(texts):
        batch.add(request=client.comments().analyze(body={
            "comment": {"text": text[:20480]}, "requestedAttributes": {attribute: {} for attribute in attributes},
            "languages": ["en"], "spanAnnotations": True}), request_id=text, callback=callback)
    batch.execute()
    assert set(text_to_response) == set(texts)
    for response in text_to_response.values():
        assert {f"{attribute.lower()}_score": scores["summaryScore"]["value"]
                for attribute, scores in response["attributeScores"].items()}.keys() == {
            f"{attribute.lower()}_score" for attribute in attributes}
    assert len(counting.calls) == 1


def test_parts_without_any_key_are_refused_before_they_cost_a_thread(perspective, monkeypatch):
    """A hostile caller without a key sends the largest batch it may: its parts are answered
    403 at once, each in Perspective's shape, without starting one thread or running the app."""
    import threading as threads

    from moderation.analyzer import dispatch

    started = []
    real_start = threads.Thread.start
    monkeypatch.setattr(threads.Thread, "start", lambda self: (started.append(self.name), real_start(self))[1])
    served = []
    monkeypatch.setattr(dispatch, "_serve", lambda *args: served.append(args) or None)
    body = multipart("b", [(f"<{n}>", inner("/v1alpha1/comments:analyze", json.dumps(analyze_body(FRENCH, "fr"))))
                           for n in range(100)], newline="\n")
    response = perspective.post("/batch", data=body, content_type="multipart/mixed; boundary=b")
    parts = read_parts(response)
    assert len(parts) == 100 and {p[1] for p in parts} == {"HTTP/1.1 403 Forbidden"}
    assert json.loads(parts[0][3])["error"]["status"] == "PERMISSION_DENIED"
    assert [name for name in started if name.startswith("batch-part")] == [] and served == []
