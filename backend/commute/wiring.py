"""Plug the rides and the transit planner into the packages that only offer hooks for them.

`install` runs once per process (the web app and `werkmaat worker`), before any request or job.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from backend.coaching import caseload, timeline
    from backend.commute import live, services
    from backend.mobility import hooks, overview, reporting
    from backend.reports import sections
    from backend.transit import commute

    caseload.set_tomorrow_provider(services.tomorrow)
    commute.set_providers(home=services.home_point, rides=services.rides_to)
    commute.set_disruption_provider(live.disruption_for)
    hooks.set_alternative(services.alternative_to)
    overview.set_transit_filler(services.fill_overview)
    timeline.add_timeline_source(reporting.ride_timeline)
    if reporting.__name__ not in sections.PROVIDER_MODULES:
        sections.PROVIDER_MODULES.append(reporting.__name__)
    _installed = True
