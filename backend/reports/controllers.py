"""HTTP route of the impact report (JSON for the app, CSV for Excel)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

from dataclasses import dataclass

from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import Parameter

from backend import access
from backend.access import CurrentActor, staff_only
from backend.i18n import SUPPORTED, pick_language
from backend.reports import services
from backend.reports.schemas import ImpactReport

PeriodFrom = Annotated[dt.date, Parameter(query="from", description="First day, YYYY-MM-DD.")]
PeriodTo = Annotated[dt.date, Parameter(query="to", description="Last day (inclusive); at most 5 years after `from`.")]
OrganisationId = Annotated[UUID | None, Parameter(
    query="organisationId", required=False, description="Platform admins only; others always get their own.")]
Format = Annotated[Literal["json", "csv"], Parameter(query="format", required=False)]


@dataclass
class JsonOrCsvOperation(Operation):
    """The 200 answer is JSON, or with `format=csv` a CSV file: document both content types."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if ok is not None and getattr(ok, "content", None) is not None:
            ok.content["text/csv"] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


class ReportController(Controller):
    path = "/api/reports/impact"
    tags = ["reports"]
    guards = [staff_only]
    dependencies = access.dependencies

    @get("", operation_id="impactReport", operation_class=JsonOrCsvOperation, responses={200: ResponseSpec(
        data_container=ImpactReport, description="The report as JSON, or with format=csv as a CSV file "
        "(text/csv, UTF-8 with BOM, `;`-separated).")})
    async def impact(self, request: Request, actor: CurrentActor, first: PeriodFrom, last: PeriodTo,
                     organisation_id: OrganisationId = None, fmt: Format = "json") -> Response:
        """Anonymised impact of one organisation over a period; groups under 5 people are hidden."""
        report = await services.impact_report(actor, organisation_id, first, last,
                                              export=fmt == "csv")
        if fmt == "json":
            return Response(report)
        name = f"impact-{report.period_from.isoformat()}-{report.period_to.isoformat()}.csv"
        # The coach's own language (the download is a plain link: the browser's Accept-Language is
        # the phone's, not the app's); the header only for someone without one stored.
        language = actor.language if actor.language in SUPPORTED else pick_language(request.headers.get("accept-language"))
        body = services.report_csv(report, language)
        # Litestar adds "; charset=utf-8" to text types itself: naming it here would say it twice.
        return Response(body, media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES: list[Any] = [ReportController]
