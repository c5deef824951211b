"""Shared schema base: msgspec structs that speak camelCase on the wire."""

from __future__ import annotations

from typing import Annotated

import msgspec


class CamelStruct(msgspec.Struct, rename="camel"):
    """Base for response schemas."""


class InputStruct(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base for request bodies: unknown fields are refused, so typos get a clear message."""


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Phone = Annotated[str, msgspec.Meta(max_length=32)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
