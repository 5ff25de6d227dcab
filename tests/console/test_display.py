"""console/display.py: the one place where a stored code becomes a label a person reads, and
where dates, numbers and quotes take the language's Swiss conventions."""
from datetime import datetime, timedelta, timezone

import pytest

from moderation.console import display


@pytest.fixture
def in_language(app):
    def enter(language: str):
        context = app.test_request_context("/console/queue", headers={"Accept-Language": language})
        context.push()
        return context
    contexts = []
    yield lambda language: contexts.append(enter(language))
    for context in reversed(contexts):
        context.pop()


@pytest.mark.parametrize(("language", "reason", "action", "status", "state", "undo"), [
    ("en", "abuse", "reopen", "rejected", "ready", "undo of #12"),
    ("fr", "abus", "rouvrir", "refusé", "prêt", "annulation de #12"),
    ("de", "Missbrauch", "wieder öffnen", "abgelehnt", "bereit", "Rückgängig von #12"),
    ("it", "abuso", "riaprire", "rifiutato", "pronto", "annullamento di #12"),
])
def test_codes_become_labels_in_the_language(in_language, language, reason, action, status, state, undo):
    in_language(language)
    assert display.reason_label("abuse") == reason
    assert display.action_label("unlock") == action
    assert display.status_label("rejected") == status
    assert display.scorer_state_label("ready") == state
    assert display.reason_label("undo of #12") == undo


def test_a_note_after_a_reason_code_is_kept_and_unknown_codes_show_as_they_are(in_language):
    in_language("fr")
    assert display.reason_label("off_topic: parle de football") == "hors sujet: parle de football"
    assert display.reason_label("banned word: idiot") == "mot interdit: idiot"
    assert display.reason_label("mon propre motif") == "mon propre motif"
    assert display.action_label("something_new") == "something_new"
    assert display.author_ref("erased:AbC") == "effacé" and display.author_ref("u-1") == "u-1"


@pytest.mark.parametrize(("language", "date", "number", "thousands", "quoted", "ago"), [
    ("fr", "25.11.26 16:20", "0,83", "12’345", "«\u202fmerci\u202f»", "il y a 5\u00a0min"),
    ("de", "25.11.26, 16:20", "0.83", "12’345", "«merci»", "vor 5 Min."),
    ("it", "25.11.26, 16:20", "0.83", "12’345", "«merci»", "5 min fa"),
    ("en", "25.11.2026, 16:20", "0.83", "12’345", "“merci”", "5 min ago"),
])
def test_swiss_dates_numbers_quotes_and_relative_times(in_language, language, date, number, thousands, quoted, ago):
    in_language(language)
    moment = datetime(2026, 11, 25, 15, 20, tzinfo=timezone.utc)  # 16:20 in Zurich
    assert display.when(moment) == date
    assert display.number(0.8349, 2) == number
    assert display.number(12345).replace("'", "’") == thousands.replace("'", "’")
    assert display.quote("merci") == quoted
    assert display.ago(moment - timedelta(minutes=5), moment) == ago
    assert display.ago(moment + timedelta(hours=3), moment).replace("\u00a0", " ") in (
        "in 3 hr", "dans 3 h", "in 3 Std.", "tra 3 h")
