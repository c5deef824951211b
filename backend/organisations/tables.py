"""Organisations (maatwerkbedrijf, LDE initiative, ...) and their workplaces."""

from piccolo.columns import UUID, Boolean, Float, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ORGANISATION_KINDS = ("maatwerkbedrijf", "lde", "werkervaring", "art60", "other")


class Organisation(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200, help_text="Public name, e.g. 'Maatwerk Genk vzw'.")
    kind = Varchar(length=32, default="maatwerkbedrijf", help_text="One of ORGANISATION_KINDS.")
    city = Varchar(length=100, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Workplace(Table):
    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    name = Varchar(length=200)
    street = Varchar(length=200, default="", help_text="Street and number.")
    postcode = Varchar(length=10, default="")
    city = Varchar(length=100, default="")
    latitude = Float(null=True, default=None, help_text="WGS84 degrees; null when not yet known.")
    longitude = Float(null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
