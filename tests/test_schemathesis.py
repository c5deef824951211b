"""Schemathesis, with all of its default checks, against the running app's OpenAPI document, signed in
as a coach and as a worker, on both databases.

The checks include: no 5xx, every status code / content type / header / body as documented,
schema-invalid input refused (400) and schema-valid input accepted, authentication enforced
(the probes leave the session cookie off), Allow headers, unsupported methods (405).
Hooks in tests/schemathesis_hooks.py sign the requests in and say why one check is narrowed.

Each run gets its own people in its own organisation (a coach created by the admin; a worker, buddy
and workplace created by that coach), so nothing schemathesis does (deactivating people, revoking
devices, renaming things) can touch the shared personas of the other tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import pytest

from conftest import COACH_PASSWORD, Client, create_person, fresh_address, token_of

ST = str(Path(sys.executable).parent / "st")
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
SEED = 20261122  # fixed, so a failure can be replayed
# Under libfaketime (the suite is also run as `faketime -f '@2027-03-28 01:10:00' make test`) the worker
# thread of schemathesis' stateful phase dies and its runner waits for it for ever (seen here: the
# stateful phase alone passes in 20 s without faketime and never ends with it). The other phases run
# the same cases either way; the stateful one runs whenever the clock is the machine's own.
UNDER_FAKETIME = "faketime" in os.environ.get("LD_PRELOAD", "") or bool(os.environ.get("FAKETIME"))
PHASES = ["examples", "coverage", "fuzzing"] + ([] if UNDER_FAKETIME else ["stateful"])
# Both runs must end within this (the test's own timeout is 900 s): a run still going is a failure, and
# is killed, never left behind.
RUN_SECONDS = 780
MAX_EXAMPLES = int(os.environ.get("WERKMAAT_ST_MAX_EXAMPLES", "5"))

# Operations left out of the runs, and why. Everything else in the document is tested.
EXCLUDED_OPERATIONS = {
    # Signs the run's own session out: every later request would be a 401 and test nothing.
    # (Sign-out is covered by tests/test_accounts.py.) Revoking the run's own device
    # (DELETE /api/me/devices/{id}) stays in: the hooks swap only that one id for an unknown one.
    "logout": "ends the run's own session",
}


def own_people(personas, persona: str) -> Client:
    """A signed-in client like `persona` (coach_a or worker_a), in a fresh organisation of its own."""
    admin = personas["admin"]
    suffix = uuid.uuid4().hex[:8]
    org = admin.post("/api/organisations", json={"name": f"Schemathesis {suffix}", "kind": "lde",
                                                 "city": "Genk"})
    assert org.status_code == 201, org.text
    org_id = org.json()["id"]
    workplace = admin.post(f"/api/organisations/{org_id}/workplaces", json={
        "name": "Atelier", "street": "Henry Fordlaan 8", "postcode": "3600", "city": "Genk",
        "latitude": 50.9533, "longitude": 5.4440})
    assert workplace.status_code == 201, workplace.text
    email = f"schemathesis.{suffix}@test.werkmaat.be"
    create_person(admin, role="coach", firstName="Schema", lastName="Coach", email=email,
                  password=COACH_PASSWORD, organisationId=org_id)
    coach = Client(personas.server.url)
    assert coach.login(email, COACH_PASSWORD).status_code == 200
    buddy = create_person(coach, role="buddy", firstName="Marc", lastName="Buddy", phone="0472 10 20 30")
    worker = create_person(coach, role="worker", firstName="Ahmed", lastName="Worker", phone="0486 12 34 01",
                           buddyId=buddy["person"]["id"], workplaceId=workplace.json()["id"])
    if persona == "coach_a":
        return coach
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(worker["invite"])).status_code == 200
    return phone


def start_run(live_server, client: Client, output: IO[str]) -> subprocess.Popen:
    """Start `st run` for one signed-in client, writing to `output`."""
    current = [d["id"] for d in client.get("/api/me/devices").json() if d["current"]]
    assert len(current) == 1
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "WERKMAAT_ST_SESSION": client.cookies["werkmaat_session"],
        "WERKMAAT_ST_CSRF": client.csrf,
        "WERKMAAT_ST_PROTECTED_SESSION": current[0],
    }
    command = [
        ST, "run", f"{live_server.url}/schema/openapi.json",
        # Its own address: the run's failed sign-ins and invite codes lock out no other test.
        "--header", f"X-Forwarded-For: {fresh_address()}",
        *[arg for operation_id in EXCLUDED_OPERATIONS for arg in ("--exclude-operation-id", operation_id)],
        "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        "--generation-database", "none", "--no-color", "--request-timeout", "30",
        "--phases", ",".join(PHASES),
    ]
    # In the test's own directory, so nothing lands in the repository.
    return subprocess.Popen(command, cwd=Path(output.name).parent, env=env, stdout=output,
                            stderr=subprocess.STDOUT)


@pytest.mark.slow
@pytest.mark.timeout(900)  # the two runs take 2-3 minutes; on a busy machine more than the suite's 300 s
def test_schemathesis_default_checks_pass_for_coach_and_worker(live_server, personas, tmp_path):
    """Both runs at once: each spends much of its time waiting for the server, so together they
    take little longer than one (all four runs stay within a few minutes on two cores)."""
    clients = {persona: own_people(personas, persona) for persona in ("coach_a", "worker_a")}
    failed = []
    with ExitStack() as stack:
        outputs = {persona: stack.enter_context(open(tmp_path / f"{persona}.txt", "w")) for persona in clients}
        runs = {persona: start_run(live_server, client, outputs[persona]) for persona, client in clients.items()}
        # However the test ends (a timeout included), no `st` process outlives it.
        stack.callback(lambda: [run.kill() for run in runs.values()])
        deadline = time.monotonic() + RUN_SECONDS
        for persona, run in runs.items():
            try:
                run.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                failed.append(f"--- schemathesis as {persona} on {live_server.db}: still running after "
                              f"{RUN_SECONDS} s")
    for persona, run in runs.items():
        if run.returncode not in (0, None, -9):
            output = (tmp_path / f"{persona}.txt").read_text(errors="replace")
            failed.append(f"--- schemathesis as {persona} on {live_server.db}: exit {run.returncode}\n"
                          f"{output[-25000:]}")
    assert not failed, "\n".join(failed)
    assert "Unhandled error" not in live_server.log(), live_server.log()[-5000:]
    for persona, client in clients.items():
        assert client.get("/api/me").status_code == 200, f"{persona}: the run's persona is still signed in"
