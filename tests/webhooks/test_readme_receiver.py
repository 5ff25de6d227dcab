"""The README's ten-line receiver, run as written (with the endpoint's secret), verifies and
accepts a real delivery, and refuses a forged one."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx
from sqlalchemy import select
from werkzeug.serving import make_server

from moderation.webhooks.models import WebhookDelivery
from tests.webhooks.conftest import add_endpoint, deliver
from tests.webhooks.receiver import Receiver, free_port

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    section = README.read_text().split("## Webhooks", 1)[1]
    return next(block for block in re.findall(r"```python\n(.*?)```", section, re.S) if "Webhook(" in block)


def test_the_readme_receiver_accepts_signed_deliveries_and_refuses_forged_ones(runtime, client, admin, deliverer):
    port = free_port()
    endpoint = add_endpoint(client, admin, Receiver(port), events=["thread.locked"],
                            url=f"http://127.0.0.1:{port}/hooks/moderation")
    code = _example().replace('"whsec_…"', repr(endpoint["secret"]))
    namespace: dict = {"__name__": "readme_receiver"}
    exec(compile(code, "README.md", "exec"), namespace)
    server = make_server("127.0.0.1", port, namespace["app"], threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client.post(f"/api/v1/admin/webhooks/{endpoint['id']}/test", headers=admin)
        deliver(deliverer)
        with runtime.db.transaction(write=False) as session:
            delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.state == "delivered" and delivery.last_status == 204
        forged = httpx.post(f"http://127.0.0.1:{port}/hooks/moderation", content=b'{"type":"thread.locked"}',
                            headers={"webhook-id": "evt_x", "webhook-timestamp": "1",
                                     "webhook-signature": "v1,AAAA"})
        assert forged.status_code == 401
    finally:
        server.shutdown()
