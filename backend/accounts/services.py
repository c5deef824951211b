"""Rules for people, sign-in, invites and devices. Plain values in and out; no web objects."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
import qrcode
import qrcode.image.svg

from backend.accounts import throttle
from backend.access import (INVITED_ROLES, STAFF_ROLES, Actor, Role, can_manage_person, can_see_person,
                            organisation_scope, visible_or_404)
from backend.accounts.auth import ME_COLUMNS, ME_JOINS, session_expiry
from backend.accounts.schemas import (
    Contact,
    DeviceOut,
    InviteOut,
    MeOut,
    MeUpdate,
    OrganisationRef,
    PersonCreate,
    PersonOut,
    PersonUpdate,
    WorkplaceRef,
)
from backend.accounts.secrets import (
    code_hash,
    device_cookie_value,
    hash_password_async,
    new_invite_code,
    new_token,
    normalise_code,
    password_problem,
    read_device_cookie,
    token_hash,
    verify_password_async,
)
from backend.accounts.tables import Invite, PasswordReset, Person, Session
from backend.db import point_read
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound, NotSignedIn
from backend.organisations.tables import Organisation, Workplace
from backend.settings import get_settings
from notifications import reminders as push_reminders
from notifications.tables import PushSubscription

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{6,24}$")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# --- sign-in ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewSession:
    token: str
    expires_at: dt.datetime
    actor_id: UUID
    device_cookie: str | None = None
    """A new known-device cookie value to set (password sign-ins only)."""


async def sign_in_with_password(email: str, password: str, address: str, device_label: str,
                                device_cookie: str | None = None) -> NewSession:
    """Check e-mail and password; never says which was wrong. Throttled per (account, address) pair;
    the per-account and per-address limits hold only for devices that never signed in to the account
    (`device_cookie`), so nobody can lock a coach out of their own browser."""
    email = email.strip().lower()[:254]  # lower-casing can lengthen a text (İ → i̇)
    person = await Person.objects().where(
        (Person.email == email) & Person.role.is_in(sorted(STAFF_ROLES)) & (Person.active == True)  # noqa: E712
    ).first()
    device = read_device_cookie(device_cookie)
    known = device is not None and person is not None and device[0] == person.id
    if known:
        keys = [(f"device:{device[1]}", throttle.DEVICE_POLICY, "clear")]
    else:
        keys = [(f"pair:{throttle.digest(email, address)}", throttle.PAIR_POLICY, "clear"),
                (f"account:{email}", throttle.ACCOUNT_POLICY, "uncount"),
                (f"address:{address}", throttle.ADDRESS_POLICY, "uncount")]
    attempt = await throttle.Attempt(keys).begin()
    if not await verify_password_async(person.password_hash if person else None, password):
        await attempt.failed()
        raise NotSignedInWith("login_failed")
    await attempt.succeeded()
    cookie, _ = device_cookie_value(person.id, device[1] if known else None)
    session = await _start_session(person.id, "password", device_label)
    return NewSession(session.token, session.expires_at, session.actor_id, device_cookie=cookie)


class NotSignedInWith(NotSignedIn):
    """401 with a specific message (wrong password, bad invite)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


async def redeem_invite(token: str | None, code: str | None, address: str, device_label: str) -> NewSession:
    """Sign this device in with an unused, unexpired invite; the invite is used up at once.

    A link's token (256 random bits) is never refused by a lock. Wrong codes lock their address with
    growing delays, but a right code from a locked address still works (a shared network with one
    person fumbling codes must not shut out the rest) unless wrong codes pour in from everywhere."""
    token = (token or "").strip()
    if not token and not normalise_code(code or ""):
        raise InvalidInput.field("code", "invite_needs_token_or_code")
    address_key = f"invite-address:{address}"
    if not token:
        address_locked = await throttle.seconds_locked([address_key])
        if address_locked and await throttle.seconds_locked(["invite-codes"]):
            raise throttle.locked_error(address_locked)
    where = Invite.token_hash == token_hash(token) if token else Invite.code_hash == code_hash(code or "")
    current = now()
    # Mark used with a conditional update, so two phones racing for one invite cannot both win.
    used = await Invite.update({Invite.used_at: current}).where(
        where & Invite.used_at.is_null() & Invite.revoked_at.is_null() & (Invite.expires_at > current)
    ).returning(Invite.id, Invite.person)
    person = None
    if used:
        person = await Person.objects().where((Person.id == used[0]["person"]) & (Person.active == True)).first()  # noqa: E712
    if person is None:
        failures = 0
        if not token:
            await throttle.count("invite-codes", throttle.INVITE_CODES_POLICY)
            number = await throttle.count(address_key, throttle.INVITE_ADDRESS_POLICY)
            if number is None:  # a wrong code from a locked address: say how long to wait
                raise throttle.locked_error(await throttle.seconds_locked([address_key]) or 1)
            failures = number
        await throttle.slow_down(failures)
        raise NotSignedInWith("invite_invalid")
    return await _start_session(person.id, "invite", device_label)


async def _start_session(person_id: UUID, kind: str, device_label: str) -> NewSession:
    token = new_token()
    stamp = now()
    expires = session_expiry(kind, stamp, stamp)
    await Session.insert(Session(person=person_id, token_hash=token_hash(token), kind=kind,
                                 device_label=device_label[:120], created_at=stamp, last_seen_at=stamp,
                                 expires_at=expires))
    return NewSession(token=token, expires_at=expires, actor_id=person_id)


async def sign_out(actor: Actor) -> None:
    await Session.update({Session.revoked_at: now()}).where(Session.id == actor.session_id)
    await push_reminders.deactivate_for_session(actor.session_id)


def device_label(user_agent: str) -> str:
    """A short human label for a device, e.g. 'Android · Chrome'."""
    ua = user_agent or ""
    system = next((name for key, name in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                          ("Windows", "Windows"), ("Mac OS", "Mac"), ("Linux", "Linux"))
                   if key in ua), "")
    browser = next((name for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"),
                                           ("SamsungBrowser", "Samsung Internet"), ("Chrome/", "Chrome"),
                                           ("Safari/", "Safari")) if key in ua), "")
    return " · ".join(p for p in (system, browser) if p) or "Onbekend toestel"


# --- me -------------------------------------------------------------------------------------

# The person with their organisation, coach, buddy and workplace in one query (it was six, one after
# another); only the columns `MeOut` shows (`auth.ME_COLUMNS`, which the session lookup reads too).
_ME = f'SELECT {ME_COLUMNS} FROM "person" p {ME_JOINS} WHERE p.id = {{}}'


def _joined_contact(row: dict, prefix: str) -> Contact | None:
    if row[f"{prefix}_id"] is None:
        return None
    return Contact(id=row[f"{prefix}_id"], role=row[f"{prefix}_role"], first_name=row[f"{prefix}_first_name"],
                   last_name=row[f"{prefix}_last_name"], phone=row[f"{prefix}_phone"])


async def me(person_id: UUID, row: dict | None = None) -> MeOut:
    """Who `person_id` is, with their contacts. `row`: their `auth.ME_COLUMNS` if this request read
    them already (`auth.me_row`), which saves the query."""
    if row is None:
        rows = await point_read(Person._meta.db, _ME, person_id)
        if not rows:
            raise NotSignedIn()
        row = rows[0]
    workers: list[Contact] = []
    if row["role"] == Role.BUDDY:
        linked = await Person.select(Person.id, Person.role, Person.first_name, Person.phone).where(
            (Person.buddy == person_id) & (Person.active == True)  # noqa: E712
        ).order_by(Person.first_name)
        # A buddy sees first name and phone of the workers linked to them, nothing more.
        workers = [Contact(id=r["id"], role=r["role"], first_name=r["first_name"], last_name="", phone=r["phone"])
                   for r in linked]
    return MeOut(
        id=row["id"], role=row["role"], first_name=row["first_name"], last_name=row["last_name"],
        phone=row["phone"], email=row["email"], language=row["language"],
        organisation=OrganisationRef(id=row["org_id"], name=row["org_name"]) if row["org_id"] is not None else None,
        coach=_joined_contact(row, "coach"), buddy=_joined_contact(row, "buddy"),
        workplace=WorkplaceRef(id=row["wp_id"], name=row["wp_name"], street=row["wp_street"],
                               postcode=row["wp_postcode"], city=row["wp_city"],
                               latitude=row["wp_latitude"], longitude=row["wp_longitude"])
        if row["wp_id"] is not None else None,
        workers=workers,
    )


async def update_me(actor: Actor, data: MeUpdate) -> MeOut:
    values: dict[Any, Any] = {}
    if data.language is not msgspec.UNSET:
        values[Person.language] = data.language
    if data.phone is not msgspec.UNSET:
        values[Person.phone] = _clean_phone(data.phone)
    if values:
        await Person.update(values).where(Person.id == actor.id)
    return await me(actor.id)


# --- devices ----------------------------------------------------------------------------------

async def list_devices(person_id: UUID, current_session: UUID | None) -> list[DeviceOut]:
    rows = await Session.objects().where(
        (Session.person == person_id) & Session.revoked_at.is_null() & (Session.expires_at > now())
    ).order_by(Session.last_seen_at, ascending=False)
    return [DeviceOut(id=r.id, label=r.device_label, kind=r.kind, created_at=r.created_at,
                      last_seen_at=r.last_seen_at, current=r.id == current_session) for r in rows]


async def revoke_device(person_id: UUID, device_id: UUID) -> None:
    revoked = await Session.update({Session.revoked_at: now()}).where(
        (Session.id == device_id) & (Session.person == person_id) & Session.revoked_at.is_null()
    ).returning(Session.id)
    if not revoked:
        raise NotFound()
    await push_reminders.deactivate_for_session(device_id)


# --- people (coach and admin) -----------------------------------------------------------------

def person_out(p: Person) -> PersonOut:
    return PersonOut(id=p.id, role=p.role, first_name=p.first_name, last_name=p.last_name, phone=p.phone,
                     email=p.email, language=p.language, active=p.active, organisation_id=p.organisation,
                     coach_id=p.coach, buddy_id=p.buddy, workplace_id=p.workplace, created_at=p.created_at,
                     deactivated_at=p.deactivated_at)


async def visible_person(actor: Actor, person_id: UUID) -> Person:
    """The person if the actor may see them; otherwise 404, so ids of other organisations stay secret."""
    person = await Person.objects().where(Person.id == person_id).first()
    visible_or_404(person is not None and can_see_person(actor, person))
    return person


async def manageable_person(actor: Actor, person_id: UUID) -> Person:
    """A person the actor may change: admins anyone, coaches the workers and buddies of their organisation."""
    person = await visible_person(actor, person_id)
    if not can_manage_person(actor, person):
        raise Forbidden()
    return person


async def list_people(actor: Actor, role: str | None, active: bool | None, mine: bool,
                      organisation_id: UUID | None) -> list[PersonOut]:
    query = Person.objects()
    conditions = []
    scope = organisation_scope(actor)
    if scope is not None:
        conditions.append(Person.organisation == scope)
    elif organisation_id is not None:
        conditions.append(Person.organisation == organisation_id)
    if role:
        conditions.append(Person.role == role)
    if active is not None:
        conditions.append(Person.active == active)
    if mine:
        conditions.append((Person.coach == actor.id) | (Person.id == actor.id))
    for condition in conditions:
        query = query.where(condition)
    rows = await query.order_by(Person.first_name).order_by(Person.last_name)
    return [person_out(r) for r in rows]


def _clean_phone(phone: str) -> str:
    phone = phone.strip()
    if phone and not PHONE_RE.match(phone):
        raise InvalidInput.field("phone", "phone_invalid")
    return phone


def _clean_email(email: str | None) -> str | None:
    if email is None:
        return None
    email = email.strip().lower()
    if not email:
        return None
    if not EMAIL_RE.match(email) or len(email) > 254:  # lower-casing can lengthen a text (İ → i̇)
        raise InvalidInput.field("email", "email_invalid")
    return email


async def _check_links(org_id: UUID, role: str, coach_id: UUID | None, buddy_id: UUID | None,
                       workplace_id: UUID | None) -> list[tuple[str, str, dict]]:
    """Every linked coach, buddy and workplace must exist in the same organisation."""
    errors: list[tuple[str, str, dict]] = []
    if role != Role.WORKER and (buddy_id or workplace_id):
        field = "buddyId" if buddy_id else "workplaceId"
        errors.append((field, "only_for_workers", {}))
    if coach_id and not await Person.exists().where(
        (Person.id == coach_id) & (Person.organisation == org_id) & (Person.role == Role.COACH)
    ):
        errors.append(("coachId", "coach_unknown", {}))
    if buddy_id and not await Person.exists().where(
        (Person.id == buddy_id) & (Person.organisation == org_id) & (Person.role == Role.BUDDY)
    ):
        errors.append(("buddyId", "buddy_unknown", {}))
    if workplace_id and not await Workplace.exists().where(
        (Workplace.id == workplace_id) & (Workplace.organisation == org_id)
    ):
        errors.append(("workplaceId", "workplace_unknown", {}))
    return errors


async def _email_taken(email: str | None, except_id: UUID | None = None) -> bool:
    if not email:
        return False
    query = Person.exists().where(Person.email == email)
    if except_id:
        query = query.where(Person.id != except_id)
    return await query


async def create_person(actor: Actor, data: PersonCreate) -> tuple[PersonOut, InviteOut | None]:
    """A coach adds a worker or buddy of their organisation; an admin may also add coaches."""
    if actor.role == Role.COACH and data.role not in INVITED_ROLES:
        raise Forbidden("role_not_allowed", role=data.role)
    errors: list[tuple[str, str, dict]] = []
    if not data.first_name.strip():
        errors.append(("firstName", "blank", {}))
    org_id = actor.organisation_id if actor.role == Role.COACH else data.organisation_id
    if org_id is None:
        errors.append(("organisationId", "organisation_required", {}))
    elif actor.role == Role.ADMIN and not await Organisation.exists().where(Organisation.id == org_id):
        errors.append(("organisationId", "organisation_unknown", {}))
        org_id = None
    try:
        email = _clean_email(data.email)
    except InvalidInput as exc:
        errors.extend(exc.field_errors)
        email = None
    try:
        phone = _clean_phone(data.phone)
    except InvalidInput as exc:
        errors.extend(exc.field_errors)
        phone = ""
    password_hash = None
    if data.role == Role.COACH:
        if not email:
            errors.append(("email", "email_required", {}))
        if not data.password:
            errors.append(("password", "password_required", {}))
        elif problem := password_problem(data.password, [email or "", data.first_name, data.last_name]):
            errors.append(("password", problem[0], problem[1]))
        else:
            password_hash = await hash_password_async(data.password)
    coach_id = data.coach_id
    if data.role == Role.WORKER and coach_id is None and actor.role == Role.COACH:
        coach_id = actor.id
    if org_id is not None:
        errors.extend(await _check_links(org_id, data.role, coach_id if data.role == Role.WORKER else None,
                                         data.buddy_id, data.workplace_id))
        if data.role != Role.WORKER and data.coach_id:
            errors.append(("coachId", "only_for_workers", {}))
    if errors:
        raise InvalidInput("invalid_input", field_errors=errors)
    # A taken e-mail is a conflict with another record (409, like the race the database catches:
    # two taps of "Toevoegen" at once both pass this check, and the unique index refuses the second).
    if email and await _email_taken(email):
        raise Conflict("email_taken", field_errors=[("email", "email_taken", {})])
    person = Person(
        organisation=org_id, role=data.role, first_name=data.first_name.strip(),
        last_name=data.last_name.strip(), email=email, phone=phone, password_hash=password_hash,
        language=data.language, coach=coach_id if data.role == Role.WORKER else None,
        buddy=data.buddy_id if data.role == Role.WORKER else None,
        workplace=data.workplace_id if data.role == Role.WORKER else None,
    )
    # The person and their invite, or neither.
    async with Person._meta.db.transaction():
        await person.save()
        invite = await create_invite(actor, person.id) if data.role in INVITED_ROLES else None
    return person_out(person), invite


async def update_person(actor: Actor, person_id: UUID, data: PersonUpdate) -> PersonOut:
    person = await manageable_person(actor, person_id)
    values: dict[Any, Any] = {}
    errors: list[tuple[str, str, dict]] = []
    if data.first_name is not msgspec.UNSET:
        if not data.first_name.strip():
            errors.append(("firstName", "blank", {}))
        values[Person.first_name] = data.first_name.strip()
    if data.last_name is not msgspec.UNSET:
        values[Person.last_name] = data.last_name.strip()
    if data.phone is not msgspec.UNSET:
        try:
            values[Person.phone] = _clean_phone(data.phone)
        except InvalidInput as exc:
            errors.extend(exc.field_errors)
    if data.email is not msgspec.UNSET:
        try:
            email = _clean_email(data.email)
            if email and await _email_taken(email, except_id=person.id):
                errors.append(("email", "email_taken", {}))
            elif email is None and person.role in STAFF_ROLES:
                errors.append(("email", "email_required", {}))
            values[Person.email] = email
        except InvalidInput as exc:
            errors.extend(exc.field_errors)
    if data.language is not msgspec.UNSET:
        values[Person.language] = data.language
    link = {name: getattr(data, name) for name in ("coach_id", "buddy_id", "workplace_id")}
    link = {k: v for k, v in link.items() if v is not msgspec.UNSET}
    if link:
        if person.role != Role.WORKER and any(v is not None for v in link.values()):
            errors.append((_camel(next(iter(link))), "only_for_workers", {}))
        elif person.organisation is not None:
            errors.extend(await _check_links(person.organisation, person.role, link.get("coach_id"),
                                             link.get("buddy_id"), link.get("workplace_id")))
        columns = {"coach_id": Person.coach, "buddy_id": Person.buddy, "workplace_id": Person.workplace}
        for name, value in link.items():
            values[columns[name]] = value
    if errors:
        raise InvalidInput("invalid_input", field_errors=errors)
    if values:
        await Person.update(values).where(Person.id == person.id)
    return person_out(await Person.objects().where(Person.id == person.id).first())


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def set_active(actor: Actor, person_id: UUID, active: bool) -> PersonOut:
    """Deactivating ends every session and unused invite of the person at once."""
    person = await manageable_person(actor, person_id)
    if person.id == actor.id:
        raise Forbidden("cannot_deactivate_self")
    stamp = now()
    async with Person._meta.db.transaction():
        await Person.update({Person.active: active, Person.deactivated_at: None if active else stamp}).where(
            Person.id == person.id)
        if not active:
            await Session.update({Session.revoked_at: stamp}).where(
                (Session.person == person.id) & Session.revoked_at.is_null())
            await Invite.update({Invite.revoked_at: stamp}).where(
                (Invite.person == person.id) & Invite.used_at.is_null() & Invite.revoked_at.is_null())
            await PushSubscription.update({PushSubscription.deactivated_at: stamp,
                                           PushSubscription.deactivation_reason: "person deactivated"}).where(
                (PushSubscription.person == person.id) & PushSubscription.deactivated_at.is_null())
    return person_out(await Person.objects().where(Person.id == person.id).first())


# --- invites ----------------------------------------------------------------------------------

def invite_url(token: str) -> str:
    # The token sits in the fragment: browsers never send it to the server or in a Referer.
    return f"{get_settings().public_url}/welkom#{token}"


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


async def create_invite(actor: Actor, person_id: UUID) -> InviteOut:
    """A new single-use invite (link, code, QR) valid for 7 days; earlier unused ones stop working."""
    person = await manageable_person(actor, person_id)
    if person.role not in INVITED_ROLES:
        raise InvalidInput.field("personId", "no_invite_for_role")
    if not person.active:
        raise Forbidden("person_inactive")
    token, code = new_token(), new_invite_code()
    stamp = now()
    expires = stamp + dt.timedelta(days=get_settings().invite_days)
    invite = Invite(person=person.id, created_by=actor.id, token_hash=token_hash(token),
                    code_hash=code_hash(code), expires_at=expires)
    async with Invite._meta.db.transaction():
        await Invite.update({Invite.revoked_at: stamp}).where(
            (Invite.person == person.id) & Invite.used_at.is_null() & Invite.revoked_at.is_null())
        await invite.save()
    url = invite_url(token)
    return InviteOut(id=invite.id, url=url, code=code, qr_svg=qr_svg(url), expires_at=expires)
