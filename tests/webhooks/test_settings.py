"""[webhooks] settings: defaults, environment overrides, and refusals naming the key."""
import pytest

from moderation.config import ConfigError, load_settings


def test_defaults_refuse_private_addresses_and_retry_for_a_day():
    settings = load_settings({}).webhooks
    assert settings.enabled and settings.run_worker and not settings.allow_private_addresses
    assert settings.max_retry_hours == 24.0 and settings.connect_timeout_seconds > 0


def test_environment_overrides():
    settings = load_settings({"MODERATION_WEBHOOKS__ALLOW_PRIVATE_ADDRESSES": "true",
                              "MODERATION_WEBHOOKS__MAX_RETRY_HOURS": "48"}).webhooks
    assert settings.allow_private_addresses and settings.max_retry_hours == 48.0


@pytest.mark.parametrize("key,value,named", [
    ("CLAIM_SECONDS", "10", "webhooks.claim_seconds"),
    ("CONCURRENCY", "0", "webhooks.concurrency"),
    ("READ_TIMEOUT_SECONDS", "-1", "webhooks.read_timeout_seconds"),
    ("PREVIOUS_SECRET_HOURS", "-2", "webhooks.previous_secret_hours"),
])
def test_invalid_values_name_the_key(key, value, named):
    with pytest.raises(ConfigError, match=named):
        load_settings({f"MODERATION_WEBHOOKS__{key}": value})
