"""The Debian tools the deployment checks run (systemd-analyze, nginx, promtool).

`make test` installs nginx and prometheus when it runs as root and they are missing; without
them these tests skip, saying which tool is missing, unless MODERATION_REQUIRE_OPS_TOOLS=1
(CI, .ci/run), where a missing tool fails them.
"""
from __future__ import annotations

import os
import shutil

import pytest

REQUIRE = os.environ.get("MODERATION_REQUIRE_OPS_TOOLS") == "1"
PACKAGES = {"systemd-analyze": "systemd", "systemd-socket-activate": "systemd", "nginx": "nginx",
            "promtool": "prometheus", "openssl": "openssl"}


def tool(name: str) -> str:
    """The tool's path; skips (or fails under MODERATION_REQUIRE_OPS_TOOLS=1) when it is missing."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found:
        return found
    reason = (f"{name} is not installed (Debian package {PACKAGES.get(name, name)}; "
              f"`make test` installs it when run as root)")
    if REQUIRE:
        pytest.fail(f"MODERATION_REQUIRE_OPS_TOOLS=1: {reason}")
    pytest.skip(reason)
