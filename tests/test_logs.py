"""The rule that hides keys in what servers log (moderation/logs.py)."""
from moderation.logs import redact_text


def test_redact_text_hides_the_key_of_every_url_a_message_quotes():
    assert redact_text("Invalid HTTP request line: 'GET /a?key=mod_s\\x01&alt=json HTTP/1.1'") == (
        "Invalid HTTP request line: 'GET /a?key=REDACTED&alt=json HTTP/1.1'")
    assert redact_text('"GET /a?x=1&%6Bey=mod_s HTTP/1.1" then /b?key=mod_t#frag') == (
        '"GET /a?x=1&%6Bey=REDACTED HTTP/1.1" then /b?key=REDACTED')
    # Nothing else changes: other parameters, and text without a query.
    assert redact_text("/a?monkey=1&keys=2 and key=value outside a query") == (
        "/a?monkey=1&keys=2 and key=value outside a query")
