"""The dynamic batcher and the local socket, with real threads and a real Unix socket; the
scoring function is a plain one that records what it is given (the model is not the point)."""
import os
import stat
import threading
import time

import pytest

from moderation.analyzer import ipc
from moderation.analyzer.batcher import AnalyzerUnavailable, Batcher, DeadlineExceeded, Overloaded


class Recorder:
    """Scores each text as its length; records batches; can be held at a gate."""

    def __init__(self, seconds: float = 0.0):
        self.batches: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.seconds = seconds

    def __call__(self, texts, languages):
        self.batches.append(list(texts))
        self.entered.set()
        assert self.gate.wait(30)
        time.sleep(self.seconds)
        return [{"text": text, "language": language, "length": len(text)} for text, language in zip(texts, languages)]


def submit_in_thread(batcher, text, deadline_s=30.0, results=None, errors=None):
    def run():
        try:
            results.append(batcher.submit([text], [None], time.monotonic() + deadline_s)[0])
        except Exception as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError("condition not met in time")


def test_requests_that_arrive_while_the_model_works_are_scored_together():
    scorer = Recorder()
    batcher = Batcher(scorer, max_batch=8, max_wait=0.002).start()
    try:
        scorer.gate.clear()
        results, errors = [], []
        threads = [submit_in_thread(batcher, "first", results=results, errors=errors)]
        assert scorer.entered.wait(10)
        threads += [submit_in_thread(batcher, f"text {i}", results=results, errors=errors) for i in range(5)]
        wait_for(lambda: len(batcher._queue) == 5)
        scorer.gate.set()
        for thread in threads:
            thread.join(10)
        assert not errors
        assert [len(batch) for batch in scorer.batches] == [1, 5]
        assert sorted(r["text"] for r in results) == sorted(["first"] + [f"text {i}" for i in range(5)])
    finally:
        batcher.stop()


def test_each_caller_gets_its_own_result_and_batches_never_exceed_the_size():
    scorer = Recorder()
    batcher = Batcher(scorer, max_batch=4, max_wait=0.002).start()
    try:
        scorer.gate.clear()
        results, errors = [], []
        threads = [submit_in_thread(batcher, "x" * (i + 1), results=results, errors=errors) for i in range(1)]
        assert scorer.entered.wait(10)
        threads += [submit_in_thread(batcher, "x" * (i + 1), results=results, errors=errors) for i in range(1, 11)]
        wait_for(lambda: len(batcher._queue) == 10)
        scorer.gate.set()
        for thread in threads:
            thread.join(10)
        assert not errors and all(len(batch) <= 4 for batch in scorer.batches)
        assert sorted(r["length"] for r in results) == list(range(1, 12))
        assert all(r["length"] == len(r["text"]) for r in results)
    finally:
        batcher.stop()


def test_a_request_alone_is_scored_at_once():
    """At concurrency 1 nothing waits for company, however long max_wait is."""
    scorer = Recorder()
    batcher = Batcher(scorer, max_batch=8, max_wait=2.0).start()
    try:
        for i in range(5):
            started = time.monotonic()
            batcher.submit([f"alone {i}"], ["fr"], time.monotonic() + 30)
            assert time.monotonic() - started < 1.0
        assert [len(batch) for batch in scorer.batches] == [1] * 5
    finally:
        batcher.stop()


def test_a_request_past_its_deadline_is_dropped_not_scored():
    scorer = Recorder()
    batcher = Batcher(scorer, max_batch=1, max_wait=0).start()
    try:
        scorer.gate.clear()
        results, errors = [], []
        blocker = submit_in_thread(batcher, "busy", results=results, errors=errors)
        assert scorer.entered.wait(10)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            batcher.submit(["too late"], [None], time.monotonic() + 0.2)
        assert 0.15 < time.monotonic() - started < 5
        scorer.gate.set()
        blocker.join(10)
        batcher.submit(["next"], [None], time.monotonic() + 30)
        assert ["too late"] not in scorer.batches and scorer.batches[-1] == ["next"]
    finally:
        batcher.stop()


def test_work_that_cannot_meet_its_deadline_is_refused_at_once():
    scorer = Recorder(seconds=0.3)
    batcher = Batcher(scorer, max_batch=1, max_wait=0, max_queue=3).start()
    try:
        batcher.submit(["measure"], [None], time.monotonic() + 30)  # the batcher learns ~0.3 s per batch
        scorer.gate.clear()
        # "measure" set it: without this, the wait below could return before "busy" is in the
        # scorer, and the batcher would then take one of the three that must stay queued.
        scorer.entered.clear()
        results, errors = [], []
        blocker = submit_in_thread(batcher, "busy", results=results, errors=errors)
        assert scorer.entered.wait(10)
        started = time.monotonic()
        with pytest.raises(Overloaded):
            batcher.submit(["hopeless"], [None], time.monotonic() + 0.2)
        assert time.monotonic() - started < 0.2  # refused at the door, not after waiting
        # Beyond max_queue: refused whatever the deadline.
        waiting = [submit_in_thread(batcher, f"q{i}", results=results, errors=errors) for i in range(3)]
        wait_for(lambda: len(batcher._queue) == 3)
        with pytest.raises(Overloaded, match="3 texts are waiting"):
            batcher.submit(["one too many"], [None], time.monotonic() + 60)
        scorer.gate.set()
        for thread in [blocker, *waiting]:
            thread.join(10)
        assert not errors
    finally:
        scorer.gate.set()
        batcher.stop()


def test_a_failing_batch_fails_its_callers_and_the_batcher_goes_on():
    calls = []

    def flaky(texts, languages):
        calls.append(texts)
        if len(calls) == 1:
            raise RuntimeError("model broke")
        return texts

    batcher = Batcher(flaky, max_batch=8).start()
    try:
        with pytest.raises(RuntimeError, match="model broke"):
            batcher.submit(["a"], [None], time.monotonic() + 10)
        assert batcher.submit(["b"], [None], time.monotonic() + 10) == ["b"]
    finally:
        batcher.stop()
    with pytest.raises(AnalyzerUnavailable):
        batcher.submit(["c"], [None], time.monotonic() + 10)


def test_socket_round_trip_and_errors(tmp_path):
    scorer = Recorder()
    batcher = Batcher(scorer, max_batch=8).start()
    path = str(tmp_path / "analyzer.sock")
    server = ipc.AnalyzerServer(path, batcher.submit)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        [result] = ipc.call(path, ["Grüezi mitenand 🙂"], ["de"], timeout=10)
        assert result == {"text": "Grüezi mitenand 🙂", "language": "de", "length": 17}
        scorer.gate.clear()
        results, errors = [], []
        blocker = submit_in_thread(batcher, "busy", results=results, errors=errors)
        assert scorer.entered.wait(10)
        with pytest.raises(DeadlineExceeded):
            ipc.call(path, ["late"], [None], timeout=0.2)
        scorer.gate.set()
        blocker.join(10)
    finally:
        scorer.gate.set()
        server.close()
        batcher.stop()
    assert not os.path.exists(path)
    with pytest.raises(AnalyzerUnavailable, match="no scoring process"):
        ipc.call(path, ["x"], [None], timeout=1)


def test_a_stale_socket_file_is_replaced(tmp_path):
    import socket

    path = str(tmp_path / "stale.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()  # the file stays, nobody listens: what a killed process leaves
    with pytest.raises(AnalyzerUnavailable):
        ipc.call(path, ["x"], [None], timeout=1)
    server = ipc.AnalyzerServer(path, lambda texts, languages, deadline: [{"ok": True} for _ in texts])
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    try:
        assert ipc.call(path, ["x"], [None], timeout=5) == [{"ok": True}]
    finally:
        server.close()


def test_an_idle_batcher_takes_work_however_slow_the_last_batch_was():
    """A slow batch (a CPU hiccup) must not make an idle batcher refuse everything from then on."""
    scorer = Recorder(seconds=0.5)
    batcher = Batcher(scorer, max_batch=8).start()
    try:
        batcher.submit(["slow"], [None], time.monotonic() + 30)
        scorer.seconds = 0
        assert batcher.batch_seconds >= 0.5
        assert batcher.submit(["fast"], [None], time.monotonic() + 0.3)[0]["text"] == "fast"
    finally:
        batcher.stop()


def test_each_forward_pass_answers_its_callers_at_once():
    """A batch cut into passes by length: short texts are answered before the long pass runs."""
    from moderation.scoring.router import chunks

    scorer = Recorder()
    batcher = Batcher(scorer, max_batch=8, split=lambda texts: chunks(texts, 8)).start()
    try:
        scorer.gate.clear()
        results, errors = [], []
        threads = [submit_in_thread(batcher, "first", results=results, errors=errors)]
        assert scorer.entered.wait(10)
        threads += [submit_in_thread(batcher, text, results=results, errors=errors)
                    for text in ("short one", "short two", "long " * 200)]
        wait_for(lambda: len(batcher._queue) == 3)
        gate_passes = []

        def release_one_pass():
            scorer.entered.clear()
            scorer.gate.set()
            scorer.gate.clear()
            gate_passes.append(scorer.entered.wait(10))

        release_one_pass()  # "first"
        release_one_pass()  # the two short texts: answered while the long one waits at the gate
        wait_for(lambda: len(results) == 3)
        assert sorted(r["text"] for r in results) == ["first", "short one", "short two"]
        scorer.gate.set()
        for thread in threads:
            thread.join(10)
        assert not errors and [len(b) for b in scorer.batches] == [1, 2, 1]
    finally:
        scorer.gate.set()
        batcher.stop()
