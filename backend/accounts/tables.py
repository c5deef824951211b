"""People (workers, buddies, coaches, admins), their sessions, invites and sign-in throttling."""

from piccolo.columns import (
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    LazyTableReference,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.i18n import SUPPORTED
from backend.organisations.tables import Organisation, Workplace

ROLES = ("worker", "buddy", "coach", "admin")
LANGUAGES = SUPPORTED  # backend/i18n.py: the languages of the app


class Person(Table):
    """Anyone who uses Werkmaat. Workers and buddies have no password; they sign in by invite."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=True, index=True,
                              help_text="Null only for platform admins.")
    role = Varchar(length=16, index=True, help_text="worker, buddy, coach or admin.")
    first_name = Varchar(length=100)
    last_name = Varchar(length=100, default="")
    email = Varchar(length=254, null=True, default=None, unique=True,
                    help_text="Lower-cased; required for coaches and admins.")
    phone = Varchar(length=32, default="")
    password_hash = Text(null=True, default=None, help_text="argon2id; coaches and admins only.")
    language = Varchar(length=5, default="nl")
    active = Boolean(default=True, index=True)
    coach = ForeignKey(references=LazyTableReference("Person", module_path=__name__), null=True,
                       help_text="A worker's coach.")
    buddy = ForeignKey(references=LazyTableReference("Person", module_path=__name__), null=True,
                       help_text="A worker's volunteer buddy.")
    workplace = ForeignKey(references=Workplace, null=True, help_text="A worker's workplace.")
    created_at = Timestamptz(default=TimestamptzNow())
    deactivated_at = Timestamptz(null=True, default=None)


class Session(Table):
    """A signed-in device. The cookie holds a random token; only its SHA-256 is stored."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    token_hash = Varchar(length=64, unique=True)
    kind = Varchar(length=16, help_text="'password' or 'invite'.")
    device_label = Varchar(length=120, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class Invite(Table):
    """A single-use way in for a worker or buddy: a link token and a short code (both hashed)."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    created_by = ForeignKey(references=Person, null=True)
    token_hash = Varchar(length=64, unique=True)
    code_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class PasswordReset(Table):
    """A single-use link an admin makes for a coach or admin who forgot their password (only its hash
    is stored; the token travels in the link's fragment)."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    created_by = ForeignKey(references=Person, null=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class SignInThrottle(Table):
    """Recent sign-in attempts per key (see `backend.accounts.throttle`), shared by all processes."""

    key = Varchar(length=300, unique=True)
    failures = Integer(default=0)
    window_started_at = Timestamptz(default=TimestamptzNow())
    locked_until = Timestamptz(null=True, default=None)
