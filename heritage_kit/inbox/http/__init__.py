"""The inbox's HTTP layer: one router module per area, assembled by :func:`heritage_kit.inbox.app.create_app`.

* :mod:`.errors` — the JSON error body and every exception handler (HTML pages for the desk);
* :mod:`.deps` — the shared :class:`~.deps.InboxContext` and the auth dependencies (device token,
  moderator key or desk session, CSRF);
* :mod:`.devices` — contributors' endpoints (``/v1/submissions``);
* :mod:`.moderation` — the moderation JSON API (``/v1/moderation/*``, ``/v1/health``);
* :mod:`.desk` — the moderation desk's server-rendered pages (``/desk/``).

Only this package (and ``app.py``) imports FastAPI; it is loaded lazily by ``heritage_kit.inbox``.
"""
