"""The inbox HTTP service (FastAPI): ``create_app(storage, packs, settings)`` assembles the routers.

One inbox serves one or several towns (one pack each, one :class:`~heritage_kit.inbox.service.InboxService`
per town over the one shared storage). The routers, one module per area in :mod:`heritage_kit.inbox.http`:

* ``devices`` — contributors: ``POST /v1/submissions``, ``GET /v1/submissions/{uuid}``;
* ``moderation`` — the moderation JSON API ``/v1/moderation/*`` and ``/v1/health``;
* ``desk`` — the moderation desk's pages under ``/desk/``;
* ``merchants`` — shop claims, the town-centre manager's desk pages, verified merchants' edits (issue 20).
* ``merchants_admin`` — revoking a verified merchant, re-issuing a token, reviewing a revoked one's edits.

Another area adds its router with ``create_app(..., routers=[my_router])`` (appended to :data:`ROUTERS`).
Every error is JSON ``{"error": {"code", "en", "fr", "fields"?}}`` (HTML pages under ``/desk/``); requests are
capped in size (413) and rate-limited per device token (429 + Retry-After). The OpenAPI spec is served at
``/openapi.json``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI

from heritage_kit.errors import ConfigurationError
from heritage_kit.inbox.http import desk, devices, merchants, merchants_admin, moderation
from heritage_kit.inbox.http.deps import InboxContext
from heritage_kit.inbox.http.errors import install_error_handlers
from heritage_kit.inbox.limits import install_limits
from heritage_kit.inbox.service import InboxService, InboxSettings
from heritage_kit.inbox.storage import Storage

__all__ = ["create_app", "ROUTERS"]

log = logging.getLogger("heritage_kit.inbox")

ROUTERS: tuple[APIRouter, ...] = (devices.router, moderation.router, desk.router, merchants.router,
                                  merchants_admin.router)
"""The routers every inbox serves, in order."""


def _packs(packs: Any) -> list[Any]:
    packs = list(packs) if isinstance(packs, Sequence) else [packs]
    if not packs:
        raise ConfigurationError("an inbox needs at least one town's pack")
    seen: set[str] = set()
    for p in packs:
        town = p.manifest.town_id
        if town in seen:
            raise ConfigurationError(f"town {town!r} is given twice (one pack per town)")
        seen.add(town)
    return packs


def create_app(storage: Storage, packs: Any, settings: InboxSettings | None = None, *,
               routers: Sequence[APIRouter] = (), publish_dir: str | None = None) -> FastAPI:
    """The inbox for ``packs`` (one pack or a list, one per town), storing into ``storage``.

    ``routers`` are served after :data:`ROUTERS`; ``publish_dir`` is where the desk's "Publish" writes the
    next pack versions (without it the desk shows what would be published but does not write).
    """
    settings = settings or InboxSettings()
    packs = _packs(packs)
    services = {p.manifest.town_id: InboxService(storage, p, settings) for p in packs}
    names = ", ".join(f"{p.manifest.town_name} (pack v{p.manifest.version})" for p in packs)
    app = FastAPI(title="heritage-kit inbox", version="1", description=f"Residents' contributions for {names}.")
    app.state.inbox = InboxContext(storage=storage, services=services, settings=settings, publish_dir=publish_dir)
    app.state.service = next(iter(services.values()))  # the first town's service (one-town callers)
    install_limits(app, settings)  # body limits per content type, bodies in flight, quiet client disconnects
    install_error_handlers(app)
    for router in (*ROUTERS, *routers):
        app.include_router(router)
    desk.install(app)
    _openapi_with_submission_schema(app)
    return app


def _openapi_with_submission_schema(app: FastAPI) -> None:
    """The Submission schema for the JSON request body in the OpenAPI document."""
    from heritage_kit.submissions.model import Submission

    original_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original_openapi()
        defs = Submission.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        comps.update(defs.pop("$defs", {}))
        comps["Submission"] = defs
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
