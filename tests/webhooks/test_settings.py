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


@pytest.mark.parametrize("connect,read,claim", [
    (5, 10, 30),   # twice the attempt's deadline (15 s) and no more
    (5, 10, 20),
    (0.5, 0.5, 2.5),  # more than twice a 1 s deadline, but a 2 s margin would leave no time to send at all
])
def test_a_lease_that_an_attempt_could_outlast_is_refused_at_load(connect, read, claim):
    """Another worker would send the delivery again while its attempt is still running."""
    with pytest.raises(ConfigError, match=r"webhooks\.claim_seconds: must be more than .*connect_timeout_seconds "
                                          r"\+ read_timeout_seconds .*another worker"):
        load_settings({"MODERATION_WEBHOOKS__CONNECT_TIMEOUT_SECONDS": str(connect),
                       "MODERATION_WEBHOOKS__READ_TIMEOUT_SECONDS": str(read),
                       "MODERATION_WEBHOOKS__CLAIM_SECONDS": str(claim)})


def test_a_lease_longer_than_twice_the_attempt_deadline_and_its_margin_is_accepted():
    settings = load_settings({"MODERATION_WEBHOOKS__CONNECT_TIMEOUT_SECONDS": "1",
                              "MODERATION_WEBHOOKS__READ_TIMEOUT_SECONDS": "1",
                              "MODERATION_WEBHOOKS__CLAIM_SECONDS": "4.5"}).webhooks
    assert settings.claim_seconds == 4.5
