"""Contribute: a new entry at my position or a tapped point, photo, licence consent,
duplicate warning, saved to the outbox offline; "My submissions" with their status.

Built on :mod:`heritage_kit.submissions` (the ``Submission`` model, its
bilingual per-field validation, ``duplicate_hints`` and the durable
``Outbox``). The presenter does no I/O itself: the app runs :meth:`save` and
:meth:`my_submissions` (SQLite, reading the photo file) off the UI thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from heritage_kit.categories import CATEGORIES, category_label
from heritage_kit.errors import SubmissionError
from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.markup import escape

__all__ = ["ContributionForm", "ContributePresenter", "SubmissionRow", "SaveResult"]

KINDS = ("heritage", "commerce", "service")


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


class ContributePresenter:
    def __init__(self, pack, tr: Translator, outbox=None) -> None:
        self.pack = pack
        self.tr = tr
        self.outbox = outbox
        self.form = ContributionForm()

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
            return ""
        h = hints[0]
        poi_name = self.pack.poi(h.poi_id).name.get(self.tr.lang) if h.poi_id else h.name
        return escape(self.tr.tr("contrib.duplicate", name=poi_name, distance=self.tr.distance(h.distance_m)))

    # -- submission -------------------------------------------------------------
    def build(self):
        """The :class:`~heritage_kit.submissions.Submission` for the form (not yet checked)."""
        from heritage_kit.submissions import Proposal, Submission

        f = self.form
        lang = self.tr.lang
        proposal = Proposal(
            name={lang: f.name.strip()} if f.name.strip() else None,
            description={lang: f.description.strip()} if f.description.strip() else None,
            category=f.category,
            location=f.location,
        )
        return Submission(kind="new_poi", proposal=proposal, contributor=f.author.strip(), consent=f.consent)

    def precheck(self) -> str | None:
        """The first thing the user must still do, translated (before touching the outbox)."""
        f = self.form
        if not f.name.strip():
            return self.tr.tr("contrib.need_name")
        if f.location is None:
            return self.tr.tr("contrib.need_place")
        if not f.consent:
            return self.tr.tr("contrib.need_consent")
        return None

    def save(self, read_file=None) -> SaveResult:
        """Validate and enqueue in the outbox (call off the UI thread: SQLite and the photo file)."""
        missing = self.precheck()
        if missing:
            return SaveResult(False, escape(missing))
        photos: list[bytes] = []
        if self.form.photo_path:
            try:
                photos.append((read_file or _read_bytes)(self.form.photo_path))
            except OSError as exc:
                return SaveResult(False, escape(self.tr.tr("common.error", message=exc.strerror or str(exc))))
        try:
            item = self.outbox.enqueue(self.build(), photos)
        except SubmissionError as exc:
            return SaveResult(False, escape(self.tr.tr("contrib.invalid", message=self._messages(exc))))
        except ValueError as exc:  # pydantic structure errors
            return SaveResult(False, escape(self.tr.tr("contrib.invalid", message=str(exc).splitlines()[0])))
        self.form.reset()
        return SaveResult(True, escape(self.tr.tr("contrib.saved")), item.uuid)

    def _messages(self, exc: SubmissionError) -> str:
        msgs = getattr(exc, "messages", None) or {}
        if msgs:
            return "; ".join(f"{_field_label(k, self.tr)}: {m.get(self.tr.lang)}" for k, m in msgs.items())
        errs = getattr(exc, "errors", None) or {}
        if errs:
            return "; ".join(f"{_field_label(k, self.tr)}: {v}" for k, v in errs.items())
        return str(exc)

    def my_submissions(self) -> list[SubmissionRow]:
        """The outbox's items, newest first (call off the UI thread)."""
        rows = []
        for item in sorted(self.outbox.items(), key=lambda i: i.created, reverse=True):
            p = item.submission.proposal
            name = (p.name or {}).get(self.tr.lang) or next(iter((p.name or {}).values()), "") or item.submission.target or "—"
            cat = category_label(p.category, self.tr.lang) if p.category else ""
            when = item.submission.created.astimezone(self.pack.timezone).strftime("%Y-%m-%d %H:%M")
            detail = " · ".join(x for x in (cat, when, self.tr.tr("contrib.photo", name=item.photo_count) if item.photo_count else "") if x)
            key = f"status.{item.status}"
            from mobile.i18n import CATALOG

            status = self.tr.tr(key) if key in CATALOG else self.tr.tr("status.unknown")
            if item.message:
                status = f"{status} — {item.message}"
            rows.append(SubmissionRow(item.uuid, escape(name), escape(detail), escape(status), item.status))
        return rows


def _field_label(field: str, tr: Translator) -> str:
    head = field.split(".")[0] if not field.startswith("proposal.") else field.split(".")[1]
    key = {
        "name": "contrib.name",
        "description": "contrib.description",
        "category": "contrib.category",
        "contributor": "contrib.author",
        "consent": "contrib.consent",
        "location": "contrib.where_unknown",
    }.get(head)
    return tr.tr(key).split(":")[0] if key else field


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()
