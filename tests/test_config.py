import subprocess
import sys

import pytest

from moderation.config import ConfigError, load_settings


def test_defaults_come_from_default_toml():
    settings = load_settings({})
    assert settings.closing.close_after_hours == 72
    assert settings.api.max_comment_length == 5000
    assert settings.api.max_request_bytes == 65536
    assert settings.scoring.model_type == "multilingual"
    assert settings.console.default_reject_reason == "offensive"


def test_runtime_dir_defaults_to_empty_and_can_be_set():
    # Empty: $XDG_RUNTIME_DIR/moderation or instance/runtime (tests/test_rundir.py).
    assert load_settings({}).server.runtime_dir == ""
    assert load_settings({"MODERATION_SERVER__RUNTIME_DIR": "/run/moderation"}).server.runtime_dir == \
        "/run/moderation"


def test_analyzer_public_url_and_batch_limits():
    settings = load_settings({})
    assert settings.analyzer.public_url == ""
    assert settings.analyzer.max_batch_parts == 100
    assert load_settings({"MODERATION_ANALYZER__PUBLIC_URL": "https://moderation.example.ch/perspective"}) \
        .analyzer.public_url == "https://moderation.example.ch/perspective"


def test_site_file_then_environment_override(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[closing]\nclose_after_hours = 48\nsweep_interval_seconds = 10\n[review]\nbanned_words = ["x"]\n')
    settings = load_settings({"MODERATION_CONFIG": str(site)})
    assert settings.closing.close_after_hours == 48
    assert settings.review.banned_words == ["x"]
    settings = load_settings({"MODERATION_CONFIG": str(site), "MODERATION_CLOSING__CLOSE_AFTER_HOURS": "0.5",
                              "MODERATION_SCORING__AUTO_REJECT_ABOVE": '{"severe_toxicity": 0.9}'})
    assert settings.closing.close_after_hours == 0.5
    assert settings.closing.sweep_interval_seconds == 10
    assert settings.scoring.auto_reject_above == {"severe_toxicity": 0.9}


@pytest.mark.parametrize("environ,key", [
    ({"MODERATION_CLOSING__CLOSE_AFTER_HOURS": "-1"}, "closing.close_after_hours"),
    ({"MODERATION_CLOSING__CLOSE_AFTER_HOURS": "soon"}, "MODERATION_CLOSING__CLOSE_AFTER_HOURS"),
    ({"MODERATION_CLOSING__UNKNOWN": "1"}, "closing.unknown"),
    ({"MODERATION_NOPE__X": "1"}, "nope"),
    ({"MODERATION_DATABASE__URL": "not a url"}, "database.url"),
    ({"MODERATION_DATABASE__URL": "mysql://db/x"}, "database.url"),
    ({"MODERATION_SCORING__AUTO_REJECT_ABOVE": '{"toxicity": 2}'}, "scoring.auto_reject_above.toxicity"),
    ({"MODERATION_SCORING__BACKEND": "gpt"}, "scoring.backend"),
    ({"MODERATION_CONFIG": "/does/not/exist.toml"}, "MODERATION_CONFIG"),
    ({"MODERATION_ANALYZER__PUBLIC_URL": "moderation.example.ch"}, "analyzer.public_url"),
    ({"MODERATION_ANALYZER__PUBLIC_URL": "https://moderation.example.ch/?x=1"}, "analyzer.public_url"),
    ({"MODERATION_ANALYZER__MAX_BATCH_PARTS": "0"}, "analyzer.max_batch_parts"),
    ({"MODERATION_CONSOLE__DEFAULT_REJECT_REASON": "rude"}, "console.default_reject_reason"),
])
def test_invalid_settings_name_the_key(environ, key):
    with pytest.raises(ConfigError) as info:
        load_settings(environ)
    assert key in str(info.value)


def test_unknown_key_in_site_file(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text("[closing]\nclose_after_hour = 48\n")
    with pytest.raises(ConfigError, match="closing.close_after_hour: unknown key"):
        load_settings({"MODERATION_CONFIG": str(site)})


def test_wrong_type_in_site_file(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text('[api]\nmax_comment_length = "long"\n')
    with pytest.raises(ConfigError, match="api.max_comment_length"):
        load_settings({"MODERATION_CONFIG": str(site)})


def test_cli_reports_invalid_config_in_one_line_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "moderation.cli", "db", "upgrade"],
        env={"MODERATION_CLOSING__CLOSE_AFTER_HOURS": "-3", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 2
    assert "closing.close_after_hours" in result.stderr
    assert "Traceback" not in result.stderr
