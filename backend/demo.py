"""Demo data: a maatwerkbedrijf in Genk with two workplaces, two coaches, ten workers, four buddies.

Idempotent: people are found by name and e-mail and not duplicated. Every run hands out fresh
invite links (older unused ones stop working) because only their hashes are stored.
"""

from __future__ import annotations

from backend.access import Actor, Role
from backend.accounts.secrets import hash_password
from backend.accounts.services import create_invite
from backend.accounts.tables import Person
from backend.organisations.tables import Organisation, Workplace

DEMO_PASSWORD = "werkmaat-demo-2026"
ORG_NAME = "De Sleutel Maatwerk Genk"

WORKPLACES = [
    # name, street, postcode, city, latitude, longitude (real places in Genk, Limburg)
    ("Atelier Genk-Zuid", "Henry Fordlaan 8", "3600", "Genk", 50.9533, 5.4440),
    ("Groendienst Winterslag", "Noordlaan 31", "3600", "Genk", 50.9772, 5.4862),
]
COACHES = [
    ("Sofie", "Peeters", "sofie.peeters@demo.werkmaat.be", "0470 11 22 33"),
    ("Mehmet", "Yilmaz", "mehmet.yilmaz@demo.werkmaat.be", "0471 22 33 44"),
]
BUDDIES = [
    # first, last, phone, drives
    ("Marc", "Hendrickx", "0472 10 20 30", True),
    ("Ria", "Geerts", "0473 20 30 40", True),
    ("Luc", "Vandeput", "0474 30 40 50", True),
    ("An", "Smeets", "0475 40 50 60", False),
]
WORKERS = [
    # first, last, phone, language, coach index, workplace index, buddy index or None
    ("Ahmed", "El Amrani", "0486 12 34 01", "nl", 0, 0, 0),
    ("Kevin", "Janssens", "0486 12 34 02", "nl", 0, 0, 1),
    ("Fatma", "Demir", "0486 12 34 03", "nl", 0, 1, None),
    ("Jelle", "Vos", "0486 12 34 04", "nl", 0, 1, 2),
    ("Nadia", "Boukhari", "0486 12 34 05", "en", 0, 0, 3),
    ("Dirk", "Wouters", "0486 12 34 06", "nl", 1, 0, None),
    ("Elif", "Kaya", "0486 12 34 07", "en", 1, 1, 0),
    ("Tom", "Claes", "0486 12 34 08", "nl", 1, 1, None),
    ("Ayoub", "Benali", "0486 12 34 09", "nl", 1, 0, 1),
    ("Lotte", "Maes", "0486 12 34 10", "nl", 1, 1, 2),
]
ADMIN_EMAIL = "admin@demo.werkmaat.be"


async def _get_or_create(table, where, **values):
    row = await table.objects().where(where).first()
    if row is None:
        row = table(**values)
        await row.save()
    return row


async def _demo_schedule(org_id, coaches, workplaces, workers) -> None:
    """A working week for every demo worker and a VCA training on Friday (created once)."""
    import datetime as dt

    from backend.schedule.schemas import ItemCreate, PlaceIn, SeriesCreate
    from backend.schedule.services import create_item, create_series
    from backend.schedule.tables import ScheduleSeries

    if await ScheduleSeries.exists().where(ScheduleSeries.organisation == org_id):
        return
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    for coach_index, coach in enumerate(coaches):
        actor = Actor(id=coach.id, role=Role.COACH, organisation_id=org_id, first_name=coach.first_name, language="nl",
                      session_id=coach.id)
        for wp_index, workplace in enumerate(workplaces):
            mine = [w.id for w, spec in zip(workers, WORKERS) if spec[4] == coach_index and spec[5] == wp_index]
            if not mine:
                continue
            await create_series(actor, SeriesCreate(
                title="Productie in het atelier" if wp_index == 0 else "Groenonderhoud", kind="shift",
                worker_ids=mine, weekdays=[1, 2, 3, 4], start_time="08:00", end_time="16:00" if wp_index == 0
                else "15:30", valid_from=monday, place=PlaceIn(workplace_id=workplace.id),
                contact_name=f"{coach.first_name} {coach.last_name}", contact_phone=coach.phone,
                bring=["safety_shoes", "work_clothes", "lunch"] if wp_index == 0 else ["work_clothes", "gloves", "lunch"]))
        friday = monday + dt.timedelta(days=4 if today.weekday() <= 4 else 11)
        start = dt.datetime.combine(friday, dt.time(9, 0))
        await create_item(actor, ItemCreate(
            title="VCA-opleiding (veiligheid)", kind="training",
            worker_ids=[w.id for w, spec in zip(workers, WORKERS) if spec[4] == coach_index],
            starts_at=start, ends_at=start + dt.timedelta(hours=3, minutes=30),
            place=PlaceIn(address="Kempische Steenweg 293, 3500 Hasselt", latitude=50.9395, longitude=5.3521),
            contact_name="Jan Claessens (lesgever)", contact_phone="0470 55 66 77", bring=["id_card", "pen", "drink"],
            note="Meld je aan bij het onthaal op de eerste verdieping."))


async def _demo_trajectories(org_id, coaches, workers) -> None:
    """The LDE trajectory for every demo worker; the first workers have passed their intake."""
    from backend.coaching.schemas import ApplyTemplateIn, MilestoneUpdate
    from backend.coaching.tables import Milestone, TrajectoryTemplate
    from backend.coaching.trajectory import apply_template, ensure_default_template, update_milestone

    await ensure_default_template(org_id)
    template = await TrajectoryTemplate.select(TrajectoryTemplate.id).where(
        TrajectoryTemplate.organisation == org_id).first()
    for index, (worker, spec) in enumerate(zip(workers, WORKERS)):
        coach = coaches[spec[4]]
        actor = Actor(id=coach.id, role=Role.COACH, organisation_id=org_id, first_name=coach.first_name, language="nl",
                      session_id=coach.id)
        stones = await apply_template(actor, worker.id, ApplyTemplateIn(template_id=template["id"]))
        if index % 2 == 0 and stones and stones[0].status == "planned":
            await update_milestone(actor, stones[0].id, MilestoneUpdate(status="reached", evidence="Intakegesprek"))
        if index % 4 == 0 and len(stones) > 1 and stones[1].status == "planned":
            await Milestone.update({Milestone.status: "in_progress"}).where(Milestone.id == stones[1].id)


async def load_demo() -> str:
    """Create what is missing and return the text to print: who can sign in, and how."""
    org = await _get_or_create(Organisation, Organisation.name == ORG_NAME, name=ORG_NAME,
                               kind="maatwerkbedrijf", city="Genk")
    workplaces = []
    for name, street, postcode, city, lat, lon in WORKPLACES:
        workplaces.append(await _get_or_create(
            Workplace, (Workplace.organisation == org.id) & (Workplace.name == name), organisation=org.id,
            name=name, street=street, postcode=postcode, city=city, latitude=lat, longitude=lon))
    password_hash = hash_password(DEMO_PASSWORD)
    await _get_or_create(Person, Person.email == ADMIN_EMAIL, role="admin", first_name="Admin",
                         last_name="Werkmaat", email=ADMIN_EMAIL, password_hash=password_hash)
    coaches = []
    for first, last, email, phone in COACHES:
        coaches.append(await _get_or_create(
            Person, Person.email == email, organisation=org.id, role="coach", first_name=first,
            last_name=last, email=email, phone=phone, password_hash=password_hash))

    def same(role, first, last):
        return ((Person.organisation == org.id) & (Person.role == role) & (Person.first_name == first)
                & (Person.last_name == last))

    buddies = []
    for first, last, phone, _drives in BUDDIES:
        buddies.append(await _get_or_create(
            Person, same("buddy", first, last), organisation=org.id, role="buddy", first_name=first,
            last_name=last, phone=phone))
    workers = []
    for first, last, phone, lang, coach_i, wp_i, buddy_i in WORKERS:
        workers.append(await _get_or_create(
            Person, same("worker", first, last), organisation=org.id, role="worker", first_name=first,
            last_name=last, phone=phone, language=lang, coach=coaches[coach_i].id,
            workplace=workplaces[wp_i].id, buddy=buddies[buddy_i].id if buddy_i is not None else None))

    actor = Actor(id=coaches[0].id, role=Role.COACH, organisation_id=org.id, first_name=coaches[0].first_name,
                  language="nl", session_id=coaches[0].id)
    await _demo_schedule(org.id, coaches, workplaces, workers)
    from backend.mobility.demo import load_demo_rides

    await load_demo_rides(org.id, workplaces, workers, buddies, [b[3] for b in BUDDIES])
    await _demo_trajectories(org.id, coaches, workers)
    from backend.schedule.recurrence import local_today
    from backend.transit.demo import load_demo_transit

    transit_line = await load_demo_transit(local_today())
    lines = [f"Werkmaat demo: {ORG_NAME}", "",
             f"Coaches and admin sign in with e-mail and password '{DEMO_PASSWORD}':"]
    lines += [f"  admin  {ADMIN_EMAIL}"] + [f"  coach  {c.email}  ({c.first_name} {c.last_name})" for c in coaches]
    lines += ["", "Workers and buddies: open the link on the phone, or type the code (valid 7 days, single use):"]
    for person in workers + buddies:
        if not person.active:
            continue
        invite = await create_invite(actor, person.id)
        name = f"{person.first_name} {person.last_name}"
        lines.append(f"  {person.role:<6} {name:<20} {invite.code}  {invite.url}")
    if transit_line:
        lines += ["", transit_line]
    return "\n".join(lines)
