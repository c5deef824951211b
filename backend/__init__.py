"""Werkmaat backend: a Litestar app with one folder per domain."""

import os

# Piccolo finds its engine through this module; set before any table is used.
os.environ.setdefault("PICCOLO_CONF", "backend.piccolo_conf")
