"""Creating platform admins from the command line."""

from __future__ import annotations

import datetime as dt

from backend.access import Role
from backend.accounts.secrets import hash_password_async, password_problem
from backend.accounts.services import EMAIL_RE
from backend.accounts.tables import Person, Session
from backend.i18n import translate


async def create_admin(email: str, password: str, first_name: str = "Admin", reset: bool = False) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValueError("Geen geldig e-mailadres / not a valid e-mail address.")
    problem = password_problem(password, [email, first_name])
    if problem:
        key, params = problem
        raise ValueError(f"{translate(key, 'nl', **params)} / {translate(key, 'en', **params)}")
    existing = await Person.objects().where(Person.email == email).first()
    if existing is not None:
        if not reset or existing.role != Role.ADMIN:
            raise ValueError(f"{email} bestaat al / already exists (use --reset for an admin).")
        await Person.update({Person.password_hash: await hash_password_async(password),
                             Person.active: True}).where(Person.id == existing.id)
        # Whoever knew the old password is signed out.
        await Session.update({Session.revoked_at: dt.datetime.now(dt.timezone.utc)}).where(
            (Session.person == existing.id) & Session.revoked_at.is_null())
        return f"Wachtwoord van {email} vernieuwd / password reset."
    await Person.insert(Person(role=Role.ADMIN, first_name=first_name, email=email,
                               password_hash=await hash_password_async(password)))
    return f"Admin {email} aangemaakt / created."
