"""HTTP routes: GDPR export and erasure of one person, retention settings, the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody, Parameter

from backend import access
from backend.access import CurrentActor, admin_only, staff_only
from backend.errors import error_responses
from backend.privacy import auditlog, services
from backend.privacy.schemas import AuditPage, EraseIn, EraseOut, RetentionSettings, RetentionUpdate


class PrivacyController(Controller):
    path = "/api/people"
    tags = ["privacy"]
    dependencies = access.dependencies
    guards = [staff_only]

    @get("/{person_id:uuid}/export", operation_id="exportPerson")
    async def export(self, actor: CurrentActor, person_id: FromPath[UUID]) -> Response[dict[str, Any]]:
        """Everything stored about one person (GDPR access), as a JSON download; secrets redacted."""
        body = await services.export_person(actor, person_id)
        return Response(body, headers={"Content-Disposition": f'attachment; filename="werkmaat-{person_id}.json"'})

    @post("/{person_id:uuid}/erase", operation_id="erasePerson", status_code=200,
          responses=error_responses(409))
    async def erase(self, actor: CurrentActor, person_id: FromPath[UUID], data: JSONBody[EraseIn]) -> EraseOut:
        """Anonymise a person on request (admins): `confirm` is their first name. Counts stay."""
        rows = await services.erase_person(actor, person_id, data.confirm)
        return EraseOut(person_id=person_id, erased_at=services.now(), rows=rows)


class RetentionController(Controller):
    path = "/api/organisations/{organisation_id:uuid}/retention"
    tags = ["privacy"]
    dependencies = access.dependencies
    guards = [staff_only]  # a coach may learn only that they may not (403 after the lookup)

    @get("", operation_id="getRetentionSettings")
    async def get_settings(self, actor: CurrentActor, organisation_id: FromPath[UUID]) -> RetentionSettings:
        return await auditlog.get_retention(actor, organisation_id)

    @put("", operation_id="setRetentionSettings")
    async def set_settings(self, actor: CurrentActor, organisation_id: FromPath[UUID],
                           data: JSONBody[RetentionUpdate]) -> RetentionSettings:
        """Months to keep ended workers' data (1-120) and audit entries (6-240)."""
        return await auditlog.set_retention(actor, organisation_id, data)


class AuditController(Controller):
    path = "/api/audit"
    tags = ["privacy"]
    dependencies = access.dependencies
    guards = [admin_only]

    @get("", operation_id="listAudit")
    async def list_audit(
        self, actor: CurrentActor,
        subject: Annotated[UUID | None, Parameter(query="subject", required=False)] = None,
        actor_id: Annotated[UUID | None, Parameter(query="actor", required=False)] = None,
        first: Annotated[dt.date | None, Parameter(query="from", required=False)] = None,
        last: Annotated[dt.date | None, Parameter(query="to", required=False)] = None,
        organisation_id: Annotated[UUID | None, Parameter(query="organisationId", required=False)] = None,
        page: Annotated[int, Parameter(query="page", ge=1, le=100000)] = 1,
        page_size: Annotated[int, Parameter(query="pageSize", ge=1, le=200)] = 50,
    ) -> AuditPage:
        """Who viewed or changed whose file, exported or erased, newest first (admins)."""
        return await auditlog.list_audit(actor, subject, actor_id, first, last, organisation_id,
                                         page, page_size)


ROUTES: list[Any] = [PrivacyController, RetentionController, AuditController]
