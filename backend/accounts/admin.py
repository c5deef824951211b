"""Creating platform admins from the command line."""

from __future__ import annotations

from backend.accounts.secrets import MIN_PASSWORD_LENGTH, hash_password
from backend.accounts.services import EMAIL_RE
from backend.accounts.tables import Person


async def create_admin(email: str, password: str, first_name: str = "Admin", reset: bool = False) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValueError("Geen geldig e-mailadres / not a valid e-mail address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Wachtwoord te kort (min. {MIN_PASSWORD_LENGTH}) / password too short.")
    existing = await Person.objects().where(Person.email == email).first()
    if existing is not None:
        if not reset or existing.role != "admin":
            raise ValueError(f"{email} bestaat al / already exists (use --reset for an admin).")
        await Person.update({Person.password_hash: hash_password(password), Person.active: True}).where(
            Person.id == existing.id)
        return f"Wachtwoord van {email} vernieuwd / password reset."
    await Person.insert(Person(role="admin", first_name=first_name, email=email,
                               password_hash=hash_password(password)))
    return f"Admin {email} aangemaakt / created."
