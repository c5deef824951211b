"""Shared schema base: msgspec structs that speak camelCase on the wire.

The text types carry the server's own rules as patterns, so the OpenAPI document says exactly which
values are accepted (and msgspec refuses the rest with a 400 that names the field):
no text may hold a NUL character (PostgreSQL cannot store it), names may not be blank, and phone
numbers and e-mail addresses follow the rules of `backend.accounts.services` (checked after trimming).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

import msgspec
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin

# Any text without NUL characters.
NO_NUL = r"^[^\x00]*$"
# At least one character that is not white space (the value is trimmed before it is kept).
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
# Empty, or what `services.PHONE_RE` accepts once trimmed: an optional +, then 6 to 24 of
# digits, spaces and ( ) . / - that start and end with a non-space.
PHONE = r"^\s*(?:(?:\+[0-9 ()./-]{5,23}|[0-9()./-][0-9 ()./-]{4,22})[0-9()./-])?\s*$"
# Empty, or what `services.EMAIL_RE` accepts once trimmed.
EMAIL = r"^\s*(?:[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+)?\s*$"


class CamelStruct(msgspec.Struct, rename="camel"):
    """Base for response schemas."""


# Every date and instant a client sends lies in this range. Outside it there is nothing to plan,
# and the calendar arithmetic of the services (a week further, UTC from Brussels time) would
# overflow at the edges of Python's dates (year 1 and 9999).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
DATE_RANGE_TEXT = f"From {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}."
# The words of the refusal; `backend.errors` turns them into the `date_out_of_range` message.
DATE_OUT_OF_RANGE = "Date out of range"


def date_in_range(value: dt.date) -> bool:
    """Whether a date, or the day of an instant (in its own offset), lies in FIRST_DAY..LAST_DAY."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return FIRST_DAY <= day <= LAST_DAY


def out_of_range(value: Any) -> bool:
    """Whether a decoded value (a date, an instant, or a list of them) holds one out of range."""
    if isinstance(value, dt.date):
        return not date_in_range(value)
    if isinstance(value, list | tuple | set | frozenset):
        return any(out_of_range(v) for v in value)
    return False


# The shared date types of request bodies and query parameters: ISO dates and RFC 3339 instants
# between FIRST_DAY and LAST_DAY. JSON Schema cannot bound a `format: date` string, so the range is
# said in the description and enforced by `InputStruct` (bodies) and `backend.app` (query strings).
Day = Annotated[dt.date, msgspec.Meta(description=f"A day, YYYY-MM-DD. {DATE_RANGE_TEXT}")]
Instant = Annotated[dt.datetime, msgspec.Meta(description=f"A moment (RFC 3339). {DATE_RANGE_TEXT}")]


class InputStruct(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base for request bodies: unknown fields are refused, so typos get a clear message.

    `InputSchemaPlugin` documents that as `additionalProperties: false`, and adds `openapi_extra`
    (rules across fields, such as "token or code") to the body's schema. Every date and instant in
    a body must lie between FIRST_DAY and LAST_DAY (a 400 `date_out_of_range` naming the field).
    A subclass that needs its own `__post_init__` calls `super().__post_init__()`.
    """

    openapi_extra: ClassVar[dict[str, Any]] = {}

    def __post_init__(self) -> None:
        # msgspec turns a ValueError here into a ValidationError at this struct's path; the field
        # is named in the text, which `backend.errors` reads back.
        for info in _struct_fields(type(self)):
            if out_of_range(getattr(self, info.name)):
                raise ValueError(f"{DATE_OUT_OF_RANGE} at field `{info.encode_name}`")


_FIELDS: dict[type, tuple[msgspec.structs.FieldInfo, ...]] = {}


def _struct_fields(struct: type) -> tuple[msgspec.structs.FieldInfo, ...]:
    fields = _FIELDS.get(struct)
    if fields is None:
        fields = _FIELDS[struct] = msgspec.structs.fields(struct)
    return fields


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NOT_BLANK)]
Text100 = Annotated[str, msgspec.Meta(max_length=100, pattern=NO_NUL)]
ShortText = Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)]
Phone = Annotated[str, msgspec.Meta(max_length=32, pattern=PHONE)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=EMAIL)]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]


class InputSchemaPlugin(StructSchemaPlugin):
    """OpenAPI for `InputStruct` bodies: Litestar's struct schema, plus what the server enforces
    beyond single fields: no unknown fields, and the struct's `openapi_extra`."""

    def is_plugin_supported_field(self, field_definition: Any) -> bool:
        return not field_definition.is_union and field_definition.is_subclass_of(InputStruct)

    def to_openapi_schema(self, field_definition: Any, schema_creator: Any) -> Any:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        for info in msgspec.inspect.type_info(field_definition.type_).fields:
            _add_item_bounds(schema.properties.get(info.encode_name), info.type)
        for key, value in field_definition.type_.openapi_extra.items():
            setattr(schema, key, value)
        return schema


def _add_item_bounds(prop: Any, type_info: Any) -> None:
    """Litestar drops the bounds of list items (`list[Annotated[int, Meta(ge=1, le=7)]]` becomes a
    list of any integer); put them back, so the document does not promise values the server refuses."""
    item = getattr(type_info, "item_type", None)
    if prop is None or not isinstance(item, msgspec.inspect.IntType | msgspec.inspect.FloatType):
        return
    arrays = [prop, *(getattr(prop, "one_of", None) or [])]
    for array in arrays:
        if getattr(array, "items", None) is not None and not isinstance(array.items, list):
            for bound, attr in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusive_minimum"),
                                ("lt", "exclusive_maximum")):
                if getattr(item, bound) is not None:
                    setattr(array.items, attr, getattr(item, bound))
