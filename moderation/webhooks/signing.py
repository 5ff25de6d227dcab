"""Standard Webhooks signatures (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``),
made with the ``standardwebhooks`` library so that any receiver can check them with the
library of its language."""
from __future__ import annotations

import base64
import secrets
from datetime import datetime, timezone

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64 (the spec asks 24 to 64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign_headers(secrets_: list[str], message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``, signed with every secret given.

    Several secrets give several space-separated signatures (the spec's way to rotate a
    secret): a receiver that knows any one of them accepts the message. ``sent_at`` is the
    real time of sending, which receivers compare with their clock against replays.
    """
    sent_at = sent_at.astimezone(timezone.utc)
    signatures = " ".join(Webhook(secret).sign(message_id, sent_at, body) for secret in secrets_)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": signatures}
