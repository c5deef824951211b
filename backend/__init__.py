"""Werkmaat backend: a Litestar app with one folder per domain."""

import os

# Piccolo finds its engine through this module; set before any table is used.
os.environ.setdefault("PICCOLO_CONF", "backend.piccolo_conf")

# Tests only: a clock that starts where the test says (see backend/testclock.py); a no-op otherwise.
if os.environ.get("WERKMAAT_TEST_MODE", "").strip() == "1" and os.environ.get("WERKMAAT_TEST_NOW"):
    from backend import testclock as _testclock

    _testclock.install_from_env()
