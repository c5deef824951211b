"""Notification texts of the mobility domain: `ride.<key>.title` / `.body` in backend/locales
(error messages are there too, without a prefix). `{advice}` in a worker's cancellation notice is
`backend.transit.commute.Advice.text`: the very sentence the worker's Today card and "Hoe geraak ik
op het werk?" show; when nothing else is known it is `advice_unknown`."""

from __future__ import annotations

from backend.i18n import translate


def notice(key: str, language: str, **params: object) -> tuple[str, str]:
    return translate(f"ride.{key}.title", language, **params), translate(f"ride.{key}.body", language, **params)
