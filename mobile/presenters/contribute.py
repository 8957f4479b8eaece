"""Contribute: a new entry at my position or a tapped point, photo, licence consent,
duplicate warning, saved to the outbox offline; "My submissions" with their status.

Built on :mod:`heritage_kit.submissions` (the ``Submission`` model, its
bilingual per-field validation, ``duplicate_hints``, the durable ``Outbox`` and
``InboxClient``). The presenter does no I/O itself: the app runs :meth:`save`,
:meth:`my_submissions` and :meth:`send_now` (SQLite, the photo file, HTTP) off
the UI thread. ``outbox`` may be an ``Outbox`` or a callable returning one, so
that the SQLite file is opened on the worker thread too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from heritage_kit.categories import CATEGORIES, category_label
from heritage_kit.errors import SubmissionError
from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.markup import escape

__all__ = ["ContributionForm", "ContributePresenter", "SubmissionRow", "SaveResult", "SyncOutcome"]

KINDS = ("heritage", "commerce", "service")
FORM_FIELDS = ("name", "category", "description", "place", "photo", "author", "consent", "form")
TEXT_FIELDS = ("name", "description", "author")  # form fields that are ContributionForm text attributes


def text_limits() -> dict[str, int]:
    """The library's length limits of the form's text fields (``heritage_kit.submissions.rules``)."""
    from heritage_kit.submissions.rules import MAX_DESCRIPTION, MAX_NAME, MAX_PSEUDONYM

    return {"name": MAX_NAME, "description": MAX_DESCRIPTION, "author": MAX_PSEUDONYM}


@dataclass
class ContributionForm:
    kind: str = "heritage"
    category: str | None = None
    name: str = ""
    description: str = ""
    location: LatLon | None = None
    photo_path: str | None = None
    author: str = ""
    consent: bool = False

    def reset(self) -> None:
        self.__init__(kind=self.kind, author=self.author)

    def is_blank(self) -> bool:
        """Nothing entered for a new entry yet (the kind and the pseudonym are kept between entries)."""
        return (not self.name.strip() and not self.description.strip() and self.category is None
                and self.location is None and self.photo_path is None)


@dataclass(frozen=True)
class OwnEntry:
    """One of the user's own submissions (outbox, sent or not), in the shape ``duplicate_hints`` reads."""

    id: str
    name: dict[str, str]
    location: LatLon


@dataclass(frozen=True)
class SaveResult:
    ok: bool
    text: str  # escaped message for the screen
    uuid: str | None = None


@dataclass(frozen=True)
class SubmissionRow:
    uuid: str
    title: str  # escaped
    detail: str  # escaped
    status: str  # escaped, translated
    status_code: str
    message: str = ""  # escaped: the server's or moderator's message, in the user's language when it has one


@dataclass(frozen=True)
class SyncOutcome:
    """What "Send now" did: a translated, escaped summary and the refreshed rows."""

    ok: bool
    text: str
    rows: list[SubmissionRow]


class ContributePresenter:
    def __init__(self, pack, tr: Translator, outbox=None) -> None:
        self.pack = pack
        self.tr = tr
        self._outbox = outbox
        self.form = ContributionForm()
        self.own: list[OwnEntry] = []  # the user's submissions, for the duplicate warning (load_own)

    @property
    def outbox(self):
        """The outbox (opened on first use when a factory was given: call from the worker thread)."""
        if callable(self._outbox) and not hasattr(self._outbox, "enqueue"):
            self._outbox = self._outbox()
        return self._outbox

    # -- form helpers ---------------------------------------------------------
    def categories(self) -> list[tuple[str, str]]:
        """Categories of the chosen kind, by label."""
        cats = [(c, category_label(c, self.tr.lang)) for c, cat in CATEGORIES.items() if cat.kind == self.form.kind]
        return sorted(cats, key=lambda t: t[1].lower())

    def where_text(self) -> str:
        loc = self.form.location
        if loc is None:
            return escape(self.tr.tr("contrib.where_unknown"))
        return escape(self.tr.tr("contrib.where", lat=f"{loc.lat:.5f}", lon=f"{loc.lon:.5f}"))

    def photo_text(self) -> str:
        p = self.form.photo_path
        return escape(self.tr.tr("contrib.photo", name=os.path.basename(p)) if p else self.tr.tr("contrib.no_photo"))

    def duplicate_warning(self, name: str | None = None) -> str:
        """The duplicate warning (escaped) when a POI with a similar name is near the chosen place."""
        from heritage_kit.submissions import duplicate_hints

        name = (name if name is not None else self.form.name).strip()
        loc = self.form.location
        if not name or loc is None:
            return ""
        hints = duplicate_hints(self.pack.pois, name={self.tr.lang: name}, lat=loc.lat, lon=loc.lon, limit=1)
        if not hints:
            mine = duplicate_hints(self.own, name={self.tr.lang: name}, lat=loc.lat, lon=loc.lon, limit=1)
            if not mine:
                return ""
            entry = next(e for e in self.own if e.id == mine[0].poi_id)
            own_name = entry.name.get(self.tr.lang) or next(iter(entry.name.values()))
            return escape(self.tr.tr("contrib.duplicate_own", name=own_name, distance=self.tr.distance(mine[0].distance_m)))
        h = hints[0]
        poi_name = self.pack.poi(h.poi_id).name.get(self.tr.lang) if h.poi_id else h.name
        return escape(self.tr.tr("contrib.duplicate", name=poi_name, distance=self.tr.distance(h.distance_m)))

    # -- submission -------------------------------------------------------------
    def build(self, *, clip: bool = False):
        """The :class:`~heritage_kit.submissions.Submission` for the form (not yet checked).

        ``clip`` cuts the texts at the library's limits, so that the other rules can still be
        checked while a text is too long (:meth:`field_errors` reports the length itself).
        """
        from heritage_kit.submissions import Proposal, Submission

        f = self.form
        lang = self.tr.lang
        limits = text_limits() if clip else {}
        name, description, author = (getattr(f, k).strip()[: limits.get(k)] for k in TEXT_FIELDS)
        proposal = Proposal(
            name={lang: name} if name else None,
            description={lang: description} if description else None,
            category=f.category,
            location=f.location,
        )
        return Submission(kind="new_poi", proposal=proposal, contributor=author, consent=f.consent)

    def length_hint(self, field: str, text: str | None = None, *, near: float = 0.0) -> str:
        """"123 / 5000 characters" for a text field, shown while typing (not escaped); "" below
        ``near`` × the limit (the name's counter only appears when it matters)."""
        limit = text_limits()[field]
        n = len((text if text is not None else getattr(self.form, field)).strip())
        if n < near * limit:
            return ""
        return self.tr.tr("contrib.length", n=n, max=limit)

    def _too_long(self) -> dict[str, str]:
        from heritage_kit.submissions import message

        return {k: message("too_long", max=limit).get(self.tr.lang) for k, limit in text_limits().items()
                if len(getattr(self.form, k).strip()) > limit}

    def field_errors(self) -> dict[str, str]:
        """What is wrong, per form field (``FORM_FIELDS``), in the user's language (not escaped).

        The rules are the library's (:func:`heritage_kit.submissions.validate_submission`,
        with the town's bounds), so the form and the server agree.
        A category must be chosen (the form starts without one); a text over its limit is
        reported on its own field with the limit, never as a raw pydantic message.
        """
        from heritage_kit.submissions import message, validate_submission

        too_long = self._too_long()
        try:
            sub = self.build(clip=True)
        except ValueError:  # a structure the library refuses before its rules run
            return too_long or {"form": message("invalid").get(self.tr.lang)}
        errors = self._by_form_field(validate_submission(sub, pack=self.pack,
                                                         photo_count=1 if self.form.photo_path else 0))
        if self.form.category is None:
            errors["category"] = self.tr.tr("contrib.category_required")
        errors.update(too_long)
        return {f: errors[f] for f in FORM_FIELDS if f in errors}

    def _by_form_field(self, errors) -> dict[str, str]:
        out: dict[str, str] = {}
        for field, m in errors.items():
            out.setdefault(form_field(field), m.get(self.tr.lang) if hasattr(m, "get") else str(m))
        return out

    def describe(self, errors: dict[str, str]) -> str:
        """``errors`` (per form field) as one translated sentence, fields in form order (not escaped)."""
        parts = [self.tr.tr("contrib.field_error", field=self.tr.tr("field." + f), message=errors[f])
                 for f in FORM_FIELDS if f in errors]
        return self.tr.tr("contrib.invalid", message=" ".join(parts))

    def precheck(self) -> str | None:
        """Every problem of the form, translated, before touching the outbox; ``None`` when it can be saved."""
        errors = self.field_errors()
        return self.describe(errors) if errors else None

    def set_place(self, latlon: LatLon | None) -> None:
        """The entry's place: my position (``app.position.latlon``) or a point tapped on the map."""
        if latlon is not None:
            self.form.location = LatLon(lat=latlon.lat, lon=latlon.lon)

    def set_place_from_map(self, scene, x: float, y: float) -> None:
        """A point tapped on the map, in the scene's metres."""
        lat, lon = scene.projection.to_latlon(x, y)
        self.form.location = LatLon(lat=float(lat), lon=float(lon))

    def save(self, read_file=None) -> SaveResult:
        """Validate and enqueue in the outbox (call off the UI thread: SQLite and the photo file).

        The photo is cleaned by the outbox (EXIF and GPS removed) before it is stored.
        """
        problems = self.precheck()
        if problems:
            return SaveResult(False, escape(problems))
        photos: list[bytes] = []
        if self.form.photo_path:
            try:
                photos.append((read_file or _read_bytes)(self.form.photo_path))
            except OSError as exc:
                return SaveResult(False, escape(self.tr.tr("common.error", message=exc.strerror or str(exc))))
        try:
            item = self.outbox.enqueue(self.build(), photos)
        except SubmissionError as exc:
            errors = self._by_form_field(getattr(exc, "messages", None) or {}) or {"name": str(exc)}
            return SaveResult(False, escape(self.describe(errors)))
        except ValueError as exc:  # pydantic structure errors
            return SaveResult(False, escape(self.tr.tr("contrib.invalid", message=str(exc).splitlines()[0])))
        self._remember(item)
        self.form.reset()
        return SaveResult(True, escape(self.tr.tr("contrib.saved_outbox")), item.uuid)

    def load_own(self) -> None:
        """Read the user's submissions for the duplicate warning (call off the UI thread: SQLite)."""
        self.own = [e for e in map(_own_entry, self.outbox.items()) if e is not None]

    def _remember(self, item) -> None:
        entry = _own_entry(item)
        if entry is not None:
            self.own = [*self.own, entry]

    def my_submissions(self) -> list[SubmissionRow]:
        """The outbox's items, newest first, with their status (call off the UI thread)."""
        from mobile.i18n import CATALOG
        from mobile.presenters.towns import in_guide

        rows = []
        is_in = in_guide(self.pack)
        for item in sorted(self.outbox.items(), key=lambda i: i.created, reverse=True):
            p = item.submission.proposal
            name = (p.name or {}).get(self.tr.lang) or next(iter((p.name or {}).values()), "") or self._target_name(item)
            cat = category_label(p.category, self.tr.lang) if p.category else ""
            if p.opening_hours:  # an edit from the hours editor
                cat = self.tr.tr("hours_editor.edit_detail", value=p.opening_hours)
            when = item.submission.created.astimezone(self.pack.timezone).strftime("%Y-%m-%d %H:%M")
            photos = self.tr.tr("contrib.photos", n=item.photo_count) if item.photo_count else ""
            detail = " · ".join(x for x in (cat, when, photos) if x)
            key = f"status.{item.status}"
            status = self.tr.tr(key) if key in CATALOG else self.tr.tr("status.unknown")
            if item.status == "queued" and item.last_error:
                status = self.tr.tr("status.queued_retry", status=status)
            if item.status == "approved" and is_in(item.uuid):  # the pack update carrying it is installed
                status = f"{status} · {self.tr.tr('towns.in_guide', town=self.pack.manifest.town_name)}"
            rows.append(SubmissionRow(item.uuid, escape(name), escape(detail), escape(status), item.status,
                                      escape(self._item_message(item))))
        return rows

    def _target_name(self, item) -> str:
        """An edit's or photo's place: its name in the open pack, else its id."""
        target = item.submission.target
        try:
            return self.pack.poi(target).name.get(self.tr.lang) if target else "—"
        except LookupError:
            return target

    def _item_message(self, item) -> str:
        """The server's reasons per field in the user's language, else its message as sent."""
        if item.field_messages:
            parts = []
            for field, m in item.field_messages.items():
                text = m.get(self.tr.lang) if hasattr(m, "get") else str(m)
                key = form_field(field)
                parts.append(self.tr.tr("contrib.field_error", field=self.tr.tr("field." + key), message=text)
                             if key != "form" else text)
            return "; ".join(parts)
        return item.message or ""

    def send_due(self, url: str, token: str, *, client_factory=None, sleep=None) -> SyncOutcome | None:
        """The background send: the queued items whose next attempt is due (the outbox's persisted
        backoff is kept, unlike "Send now"); None when nothing is queued (no request made).
        Call off the UI thread."""
        if not self.outbox.items(status="queued"):
            return None
        return self.send_now(url, token, client_factory=client_factory, max_attempts=3, sleep=sleep, force=False)

    def send_now(self, url: str, token: str, *, client_factory=None, max_attempts: int = 2,
                 sleep=None, force: bool = True) -> SyncOutcome:
        """Send the queued items and refresh the statuses ("Send now"; call off the UI thread).

        ``url`` is the inbox server from the settings; without one nothing is sent
        and nothing is lost. ``client_factory(url, token)`` defaults to
        :class:`heritage_kit.submissions.InboxClient`.
        """
        from heritage_kit.errors import ConfigurationError
        from heritage_kit.submissions import InboxClient

        url = (url or "").strip()
        if not url:
            return SyncOutcome(False, escape(self.tr.tr("sync.no_server")), self.my_submissions())
        try:
            client = (client_factory or InboxClient)(url, token)
        except ConfigurationError as exc:
            return SyncOutcome(False, escape(self.tr.tr("sync.bad_server", message=str(exc))), self.my_submissions())
        kwargs = {"force": force, "max_attempts": max_attempts}
        if sleep is not None:
            kwargs["sleep"] = sleep
        report = self.outbox.sync(client, **kwargs)
        if report.error:
            code = getattr(report, "error_code", None)
            reason = self.tr.tr(f"sync.reason.{code}") if code else report.error
            text = self.tr.tr("sync.failed", message=reason, n=report.remaining)
        else:
            text = self.tr.tr("sync.done", sent=len(report.sent), refused=len(report.refused),
                              updated=len(report.refreshed), n=report.remaining)
        return SyncOutcome(report.error is None, escape(text), self.my_submissions())


def form_field(field: str) -> str:
    """The form field a library field belongs to (``proposal.name.fr`` -> ``name``, ``photos.0`` -> ``photo``)."""
    parts = field.split(".")
    head = parts[1] if parts[0] == "proposal" and len(parts) > 1 else parts[0]
    return {"location": "place", "contributor": "author", "photos": "photo", "": "form"}.get(
        head, head if head in FORM_FIELDS else "form")


def _own_entry(item) -> OwnEntry | None:
    p = item.submission.proposal
    if not p.name or p.location is None:
        return None
    return OwnEntry(f"outbox:{item.uuid}", dict(p.name), p.location)


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()
