"""Every guard of every route is one of `backend.access`'s, which never look at the route handler:
`app.guards_without_copies` hands them the handler itself instead of Litestar's per-request copy,
and that is only right for guards that ignore it."""

from __future__ import annotations

from litestar.routes import HTTPRoute

from backend import access
from backend.app import create_app

KNOWN = {access.signed_in, access.staff_only, access.admin_only, access.buddy_only}


def test_every_guard_is_one_of_access_and_runs_without_a_copy():
    app = create_app()
    guarded = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            guards = set(handler.resolve_guards())
            assert guards <= KNOWN, (route.path, guards - KNOWN)
            if guards:
                guarded += 1
                assert type(handler).authorize_connection.__name__ == "_authorize_without_copy", route.path
    assert guarded > 20
