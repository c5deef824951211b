"""Places (a worker's private home and pickup point, the geocoder cache) and buddy rides: offers,
requests, proposed and confirmed rides, and the seats taken per offer and day."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Person
from backend.organisations.tables import Organisation, Workplace
from backend.schedule.tables import ScheduleItem

RIDE_STATUSES = ("proposed", "confirmed", "declined", "closed", "cancelled", "done", "no_show")
REQUEST_STATUSES = ("open", "confirmed", "unmatched", "cancelled")


class Home(Table):
    """A worker's home. Private: only the worker, their coach and admins see the address; a buddy
    sees the pickup point (named, or the home rounded to about 100 m) of a confirmed ride only."""

    person = ForeignKey(references=Person, null=False, unique=True)
    address = Varchar(length=300, default="")
    latitude = Float(null=True, default=None, help_text="WGS84 degrees.")
    longitude = Float(null=True, default=None)
    source = Varchar(length=16, default="coach", help_text="'coach', 'location' (the phone) or 'geocoder'.")
    pickup_name = Varchar(length=120, default="", help_text="A named pickup point, e.g. 'Kerk Winterslag'.")
    pickup_address = Varchar(length=300, default="",
                             help_text="The named pickup point's address, e.g. 'Stalenstraat 12, Genk'.")
    pickup_latitude = Float(null=True, default=None)
    pickup_longitude = Float(null=True, default=None)
    updated_by = ForeignKey(references=Person, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class GeocodeCache(Table):
    """Answers of the geocoder, keyed by the normalised query (misses too, so they are not asked again)."""

    query = Varchar(length=300, unique=True)
    found = Boolean(default=True)
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    display_name = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class BuddyProfile(Table):
    """What a worker needs to recognise the buddy's car."""

    person = ForeignKey(references=Person, null=False, unique=True)
    car_description = Varchar(length=120, default="", help_text="e.g. 'grijze Opel Corsa, 1-ABC-123'.")
    updated_at = Timestamptz(default=TimestamptzNow())


class RideOffer(Table):
    """A buddy's recurring ride: on these weekdays, leaving at this local time, to this workplace."""

    id = UUID(primary_key=True)
    buddy = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    weekdays = Varchar(length=20, help_text="ISO weekdays, comma separated: '1,2,3,4,5'.")
    leave_time = Varchar(length=5, help_text="Local wall-clock time HH:MM (Europe/Brussels).")
    from_address = Varchar(length=300, default="")
    from_latitude = Float()
    from_longitude = Float()
    workplace = ForeignKey(references=Workplace, null=False)
    seats = Integer(default=1)
    max_detour_km = Float(default=5.0)
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    days_off = JSON(default=[], help_text="Dates (YYYY-MM-DD) the buddy does not drive.")
    note = Varchar(length=300, default="")
    active = Boolean(default=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class RideRequest(Table):
    """A worker needs a ride to one shift; arrival time is the shift's start."""

    id = UUID(primary_key=True)
    worker = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    created_by = ForeignKey(references=Person, null=True)
    item = ForeignKey(references=ScheduleItem, null=True, index=True)
    day = Date(help_text="Local date of the shift.")
    arrive_by = Timestamptz(help_text="The shift's start (UTC).")
    workplace = ForeignKey(references=Workplace, null=True)
    status = Varchar(length=12, default="open", index=True, help_text="One of REQUEST_STATUSES.")
    key = Varchar(length=80, null=True, default=None, unique=True,
                  help_text="'<item>:<worker>' while the request is live: one live request per shift.")
    created_at = Timestamptz(default=TimestamptzNow())


class Ride(Table, tablename="buddy_ride"):
    """A proposal of one offer for one request; confirmed when the buddy accepts."""

    id = UUID(primary_key=True)
    offer = ForeignKey(references=RideOffer, null=False, index=True)
    request = ForeignKey(references=RideRequest, null=False, index=True)
    buddy = ForeignKey(references=Person, null=False, index=True)
    worker = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    day = Date(index=True)
    status = Varchar(length=10, default="proposed", index=True, help_text="One of RIDE_STATUSES.")
    leave_at = Timestamptz(help_text="When the buddy leaves their origin.")
    pickup_at = Timestamptz()
    arrive_at = Timestamptz(help_text="Estimated arrival at the workplace.")
    arrive_by = Timestamptz(help_text="The shift's start.")
    detour_km = Float()
    distance_km = Float(help_text="Road estimate of origin -> pickup -> workplace: the kilometres claimed.")
    pickup_name = Varchar(length=120, default="")
    pickup_address = Varchar(length=300, default="", help_text="The pickup point's address, when named.")
    pickup_latitude = Float()
    pickup_longitude = Float()
    cancel_reason = Varchar(length=500, default="")
    cancelled_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)


class SeatDay(Table):
    """Seats taken of one offer on one day. Accepting takes a seat by one conditional UPDATE
    (`taken < seats`), so two buddies' phones accepting the last seat at once cannot both win."""

    offer = ForeignKey(references=RideOffer, null=False, index=True)
    day = Date()
    key = Varchar(length=60, unique=True, help_text="'<offer>:<YYYY-MM-DD>'.")
    taken = Integer(default=0)
