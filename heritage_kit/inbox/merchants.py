"""Shop claims and verified merchants: a merchant claims a shop, the town-centre manager verifies it, and the
verified merchant then edits the shop without a new verification.

* :meth:`Merchants.claim` — an existing shop of the town's pack (a ``commerce`` POI) or a new shop (name,
  category, location), with a contact e-mail (kept for the manager, never shown to visitors);
* :meth:`Merchants.verify` / :meth:`Merchants.refuse` — by an account of role ``town-centre manager`` (or
  ``admin``) given the claim's town (another town's claim is not found, as the desk's town scoping does);
  verifying gives the merchant token once, only its SHA-256 is kept;
* :meth:`Merchants.submit_edit` — with the merchant token: opening hours from the hours editor
  (:class:`heritage_kit.hours_editor.WeekForm` as JSON, or a value the strict parser accepts), a short
  description FR/EN, a photo (pixels only: :func:`heritage_kit.submissions.photos.sanitise_photo`), website,
  phone, step-free entrance; accepted at once (the merchant is verified) and audited;
* :func:`apply_merchant_edits` (pure) — the edits on the pack's POIs, each changed POI credited with the
  merchant source (:func:`merchant_source`, CC BY-SA 4.0), which is also how a POI is marked merchant-edited
  (:func:`is_merchant_edited`); :func:`publish_merchant_edits` is what ``publish`` runs over the storage;
* :func:`hours_changes` (pure) — accepted hours changes as ``(poi_id, new_value, when, source)`` records;
  :func:`merchant_osm_changes` is the ``heritage-kit inbox osm-changes`` provider built on it.

Revoking a merchant and re-issuing a token: :mod:`heritage_kit.inbox.merchants_admin` (a revoked token raises
:class:`~heritage_kit.errors.MerchantRevoked`; publishing leaves out a revoked merchant's edits until reviewed).
"""

from __future__ import annotations

import re
import secrets
import uuid as _uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any, NamedTuple

from heritage_kit import i18n
from heritage_kit.errors import (
    ClaimNotFound, HoursEditError, HoursError, MerchantError, MerchantRefused, MerchantRevoked, PhotoError,
)
from heritage_kit.hours import OpeningHours
from heritage_kit.hours_editor import DAYS, Closure, TimeRange, WeekForm, describe_form, from_value, to_value
from heritage_kit.inbox.accounts import MANAGER_ROLES, token_hash
from heritage_kit.inbox.merchants_store import Claim, MerchantEdit, MerchantStore, publishable
from heritage_kit.models import POI, Media, Source
from heritage_kit.submissions.model import SUBMISSION_LICENCE
from heritage_kit.submissions.photos import sanitise_photo
from heritage_kit.submissions.rules import check_plain_text

__all__ = ["Merchants", "HoursChange", "apply_merchant_edits", "publish_merchant_edits", "mark_merchant_edits", "hours_changes", "merchant_osm_changes",
           "merchant_source", "is_merchant_edited", "check_edit", "week_form", "reading", "pick_claim_town",
           "MERCHANT_SOURCE_NAME", "EDIT_FIELDS"]

MERCHANT_SOURCE_NAME = "Commerçant vérifié / verified merchant"
MAX_DESCRIPTION = 300
EDIT_FIELDS = ("hours", "opening_hours", "description", "website", "phone", "step_free")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{6,30}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]{2,300}$")


def _bad(field: str, fr: str, en: str) -> MerchantError:
    return MerchantError(f"{field}: {en}", field=field, fr=f"{field} : {fr}")


def new_merchant_token() -> str:
    return "mt_" + secrets.token_urlsafe(32)


def merchant_source(claim_id: str) -> Source:
    """The credit a merchant's edit leaves on the POI (origin: the verified merchant, licence CC BY-SA 4.0)."""
    return Source(name=MERCHANT_SOURCE_NAME, licence=SUBMISSION_LICENCE,
                  attribution=f"origin: merchant, claim {claim_id[:8]}")


def is_merchant_edited(poi: POI) -> bool:
    """Whether a verified merchant edited this POI (it carries the merchant source)."""
    return any(s.name == MERCHANT_SOURCE_NAME for s in poi.sources)


# -- which town a claim is for ---------------------------------------------------------------------------------
def pick_claim_town(packs: Mapping[str, Any], *, town: str | None, poi_id: str | None, shop: Any,
                    margin_m: float = 500.0) -> str:
    """The town of a claim: ``town`` when given, else the pack holding ``poi_id``, else the one whose box holds
    the new shop's point, else the only town (pure)."""
    if town:
        if town not in packs:
            raise _bad("town", f"la ville {town[:60]!r} n'est pas servie ici", f"town {town[:60]!r} is not served here")
        return town
    if len(packs) == 1:
        return next(iter(packs))
    for t, pack in packs.items():
        if poi_id and any(p.id == poi_id for p in pack.pois):
            return t
        if not poi_id and isinstance(shop, Mapping):
            try:
                lat, lon = float(shop.get("lat")), float(shop.get("lon"))
            except (TypeError, ValueError):
                continue
            box = pack.manifest.bbox
            if box is not None and box.contains(lat, lon, margin_m=margin_m):
                return t
    raise _bad("town", "donnez la ville du commerce", "give the shop's town")


# -- the hours editor's form as JSON ------------------------------------------------------------------------------
def _day_words(i: int, lang: str) -> str:
    name = i18n.text(f"hours.day.{i}", lang)
    return name[:1].upper() + name[1:]


def _ranges(raw: Any, field: str, day: int | None) -> tuple[TimeRange, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, (list, tuple)) or len(raw) > 6:
        raise _bad(field, "une liste de plages [ouverture, fermeture]", "a list of [opens, closes] ranges")
    out = []
    for k, r in enumerate(raw):
        if not isinstance(r, (list, tuple)) or len(r) != 2:
            raise _bad(f"{field}[{k}]", "une plage [ouverture, fermeture]", "a range [opens, closes]")
        try:
            out.append(TimeRange.of(*r))
        except (ValueError, TypeError):
            value = next((v for v in r if not _time_ok(v)), r[0])
            where = {lg: _day_words(day, lg) if day is not None else i18n.text("hours.edit.holidays", lg)
                     for lg in ("fr", "en")}
            fr, en = (i18n.text("hours.edit.bad_time", lg, where=where[lg], value=str(value)[:20]) for lg in ("fr", "en"))
            raise MerchantError(f"{field}[{k}]: {en}", field=f"{field}[{k}]", fr=fr) from None
    return tuple(out)


def _time_ok(v: Any) -> bool:
    try:
        TimeRange.of(v, v)
        return True
    except (ValueError, TypeError):
        return False


def _date(v: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise _bad(field, f"date illisible « {str(v)[:20]} » (AAAA-MM-JJ)",
                   f"unreadable date {str(v)[:20]!r} (YYYY-MM-DD)") from None


def week_form(data: Any) -> WeekForm:
    """The hours editor's form from its JSON: ``{"days": {"Mo": [["09:00", "12:00"], ["14:00", "19:00"]], …},
    "closures": [["2026-08-14", "2026-08-16"], ["2026-12-26"]], "holidays": "closed" | "as_usual" | "hours",
    "holiday_ranges": [...]}`` (a day left out is closed). Errors name the field (``hours.days.Mo[1]``)."""
    if not isinstance(data, Mapping):
        raise _bad("hours", "un objet {days, closures, holidays}", "an object {days, closures, holidays}")
    days_in = data.get("days") or {}
    if not isinstance(days_in, Mapping) or not set(days_in) <= set(DAYS):
        raise _bad("hours.days", f"un objet par jour ({', '.join(DAYS)})", f"an object by day ({', '.join(DAYS)})")
    days = tuple(_ranges(days_in.get(d), f"hours.days.{d}", i) for i, d in enumerate(DAYS))
    closures = []
    raw_closures = data.get("closures") or []
    if not isinstance(raw_closures, (list, tuple)) or len(raw_closures) > 50:
        raise _bad("hours.closures", "une liste de dates ou de périodes", "a list of dates or date ranges")
    for k, c in enumerate(raw_closures):
        c = [c] if isinstance(c, str) else list(c) if isinstance(c, (list, tuple)) else []
        if not 1 <= len(c) <= 2:
            raise _bad(f"hours.closures[{k}]", "une date ou [début, fin]", "a date or [start, end]")
        start = _date(c[0], f"hours.closures[{k}]")
        closures.append(Closure(start, _date(c[1], f"hours.closures[{k}]") if len(c) == 2 else None))
    holidays = data.get("holidays", "closed")
    if holidays not in ("closed", "as_usual", "hours"):
        raise _bad("hours.holidays", "closed, as_usual ou hours", "closed, as_usual or hours")
    return WeekForm(days=days, closures=tuple(closures), holidays=holidays,
                    holiday_ranges=_ranges(data.get("holiday_ranges"), "hours.holiday_ranges", None))


def reading(value: str, *, country: str = "FR") -> dict[str, list[str]]:
    """The plain French and English reading of an ``opening_hours`` value the editor wrote or reads."""
    got = from_value(value, country=country)
    if got.form is None:
        return {"fr": [got.fr], "en": [got.en]}
    return {lang: describe_form(got.form, lang) for lang in ("fr", "en")}


def _hours(fields: Mapping[str, Any], country: str) -> str | None:
    if fields.get("hours") is not None:
        try:
            return to_value(week_form(fields["hours"]), country=country)
        except HoursEditError as exc:
            found = {f"hours.{p.field}": (p.fr, p.en) for p in exc.problems}
            first = next(iter(found))
            raise MerchantError(f"{first}: {found[first][1]}", field=first, fields=found) from None
        except HoursError as exc:
            raise _bad("hours", str(exc), str(exc)) from None
    value = fields.get("opening_hours")
    if value is None or value == "":
        return None
    value = " ".join(str(value).split())[:1000]
    try:
        OpeningHours(value, country=country, lenient=False)
    except HoursError:
        raise MerchantError(f"opening_hours: {i18n.text('hours.edit.invalid', 'en', value=value[:80])}",
                            field="opening_hours", fr=i18n.text("hours.edit.invalid", "fr", value=value[:80])) from None
    return value


def check_edit(fields: Any, *, country: str = "FR") -> dict[str, Any]:
    """The edit as stored: only known fields, each checked (errors name the field, in French and English)."""
    if not isinstance(fields, Mapping):
        raise _bad("edit", "un objet de champs", "an object of fields")
    unknown = sorted(set(fields) - set(EDIT_FIELDS))
    if unknown:
        raise _bad(unknown[0], "champ inconnu", f"unknown field (known: {', '.join(EDIT_FIELDS)})")
    out: dict[str, Any] = {}
    hours = _hours(fields, country)
    if hours:
        out["opening_hours"] = hours
    d = fields.get("description")
    if d is not None:
        if not isinstance(d, Mapping) or not set(d) <= {"fr", "en"}:
            raise _bad("description", "un objet {fr, en}", "an object {fr, en}")
        d = {k: " ".join(str(v).split()) for k, v in d.items() if str(v or "").strip()}
        for k, v in d.items():  # the contributions' plain-text rule: length, no control or bidi characters
            refused = check_plain_text(v, max_len=MAX_DESCRIPTION)
            if refused is not None:
                raise _bad(f"description.{k}", refused.fr, refused.en)
        if d:
            out["description"] = d
    if fields.get("website"):
        if not _URL.match(str(fields["website"]).strip()):
            raise _bad("website", "une adresse http(s)://", "an http(s):// address")
        out["website"] = str(fields["website"]).strip()
    if fields.get("phone"):
        if not _PHONE.match(str(fields["phone"]).strip()):
            raise _bad("phone", "chiffres, espaces, + ( ) . -", "digits, spaces, + ( ) . -")
        out["phone"] = str(fields["phone"]).strip()
    if fields.get("step_free") is not None:
        if not isinstance(fields["step_free"], bool):
            raise _bad("step_free", "vrai ou faux", "true or false")
        out["step_free"] = fields["step_free"]
    return out


def _new_shop(shop: Any) -> dict:
    shop = shop if isinstance(shop, Mapping) else {}
    name = " ".join(str(shop.get("name") or "").split())
    if not name:
        raise _bad("shop.name", "le nom du commerce (1 à 120 caractères)", "the shop's name (1-120 characters)")
    refused = check_plain_text(name, max_len=120, name=True)  # as a contributed name: no invisible characters
    if refused is not None:
        raise _bad("shop.name", refused.fr, refused.en)
    try:
        lat, lon = float(shop["lat"]), float(shop["lon"])
    except (KeyError, TypeError, ValueError):
        raise _bad("shop.location", "où est le commerce (latitude, longitude)", "where the shop is (lat, lon)") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _bad("shop.location", "latitude ou longitude hors limites", "lat/lon out of range")
    return {"name": name, "category": str(shop.get("category") or "shop_other")[:40], "lat": lat, "lon": lon}


class Merchants:
    """The merchants' side of an inbox: claims, the manager's decisions, the verified merchants' edits."""

    def __init__(self, storage: Any) -> None:
        self.store = MerchantStore(storage)

    # -- claims ---------------------------------------------------------------------------------------------
    def claim(self, pack: Any, *, email: str, poi_id: str | None = None, shop: Any = None) -> Claim:
        """A pending claim of a shop of ``pack`` (``poi_id``) or of a new shop (``shop``: name, lat, lon)."""
        town = pack.manifest.town_id
        email = (email or "").strip()
        if not _EMAIL.match(email):
            raise _bad("email", "une adresse électronique de contact", "a contact e-mail address")
        if poi_id:
            poi = next((p for p in pack.pois if p.id == poi_id), None)
            if poi is None:
                raise _bad("poi_id", f"aucun lieu {poi_id[:60]!r} à {town}", f"no POI {poi_id[:60]!r} in {town}")
            if poi.kind != "commerce":
                raise _bad("poi_id", "ce lieu n'est pas un commerce", "this place is not a shop")
            shop = {}
        else:
            shop = _new_shop(shop)
        return self.store.add_claim(str(_uuid.uuid4()), town=town, poi_id=poi_id or None, shop=shop,
                                    email=email, actor="merchant:claim")

    def visible_claim(self, who: Any, claim_id: str) -> Claim:
        """The claim if ``who`` (a principal: ``role``, ``can_see``) manages its town; else not found / refused."""
        if who is None or who.role not in MANAGER_ROLES:
            raise MerchantRefused("only a town-centre manager decides shop claims")
        claim = self.store.claim(str(claim_id)[:100])
        if not who.can_see(claim.town):
            raise ClaimNotFound(f"no shop claim {claim_id[:60]!r}")  # another town's: as if it did not exist
        return claim

    def claims(self, who: Any, status: str | None = "pending") -> list[Claim]:
        if who is None or who.role not in MANAGER_ROLES:
            raise MerchantRefused("only a town-centre manager sees shop claims")
        return self.store.claims(who.towns_filter(), status)

    def verify(self, who: Any, claim_id: str) -> tuple[Claim, str]:
        """The verified claim and the merchant token (shown once; only its hash is kept)."""
        self.visible_claim(who, claim_id)
        token = new_merchant_token()
        return self.store.decide(claim_id, status="verified", actor=who.actor, token_hash=token_hash(token)), token

    def refuse(self, who: Any, claim_id: str, reason: str | None) -> Claim:
        self.visible_claim(who, claim_id)
        reason = " ".join((reason or "").split())[:500]
        if not reason:
            raise _bad("reason", "dites pourquoi la demande est refusée", "say why the claim is refused")
        return self.store.decide(claim_id, status="refused", actor=who.actor, reason=reason)

    # -- a verified merchant --------------------------------------------------------------------------------
    def merchant(self, token: str | None) -> Claim:
        claim = self.store.by_token(token_hash(token), revoked=True) if token and len(token) <= 200 else None
        if claim is None:
            raise MerchantRefused("not a verified merchant's token")
        if claim.status == "revoked":  # revoking and re-issuing: heritage_kit.inbox.merchants_admin
            raise MerchantRevoked(claim.id, claim.revoked)
        return claim

    def submit_edit(self, token: str | None, fields: Any, photo: bytes | None = None, *,
                    country: str = "FR", current_hours: str | None = None) -> MerchantEdit:
        """Store a checked edit; hours equal to ``current_hours`` (a form sent back unchanged) are left out."""
        claim = self.merchant(token)
        edit = check_edit(fields, country=country)
        if current_hours and edit.get("opening_hours") == current_hours:
            del edit["opening_hours"]
        clean = None
        if photo:
            try:
                clean = sanitise_photo(photo, field="photo").data
            except PhotoError as exc:
                m = (exc.messages or {}).get("photo")
                raise MerchantError(f"photo: {m.en if m else exc}", field="photo", fr=m.fr if m else "") from None
        if not edit and clean is None:
            raise _bad("edit", "rien à changer", "nothing to change")
        poi_id = claim.poi_id or f"hk:{claim.id}"
        return self.store.add_edit(str(_uuid.uuid4()), claim, poi_id, edit, clean, actor=f"merchant:{claim.id[:8]}")


# -- publishing ----------------------------------------------------------------------------------------------------
def apply_merchant_edits(pois: Sequence[POI], edits: Sequence[MerchantEdit], claims: Callable[[str], Claim],
                         photo: Callable[[str], bytes | None], *,
                         now: datetime | None = None) -> tuple[list[POI], dict[str, bytes], list[str]]:
    """The POIs with the merchants' edits applied, oldest first (pure): ``(pois, media files, applied ids)``.

    A claimed new shop becomes the POI ``hk:<claim id>``. Every changed POI gains the merchant source once.
    """
    now = now or datetime.now(timezone.utc)
    by_id = {p.id: p for p in pois}
    files: dict[str, bytes] = {}
    applied = []
    for e in edits:
        claim = claims(e.claim_id)
        poi = by_id.get(e.poi_id)
        if poi is None:
            if claim.poi_id or not claim.shop:
                continue  # the claimed shop left the pack
            poi = POI.model_validate({"id": e.poi_id, "kind": "commerce", "categories": [claim.shop["category"]],
                                      "name": {"fr": claim.shop["name"]},
                                      "location": {"lat": claim.shop["lat"], "lon": claim.shop["lon"]}})
        data = poi.model_dump()
        ed = e.edit
        if "opening_hours" in ed:
            data["opening_hours"] = ed["opening_hours"]
        if "description" in ed:
            old = poi.description.root if poi.description and poi.text_origin != "composed" else {}
            data["description"] = {**old, **ed["description"]}
            data["text_origin"] = "human"
        for k in ("website", "phone"):
            if k in ed:
                data[k] = ed[k]
        if "step_free" in ed:
            data["wheelchair"] = "yes" if ed["step_free"] else "no"
        if e.has_photo:
            jpeg = photo(e.id)
            if jpeg:
                path = f"media/merchant/{e.id}.jpg"
                files[path] = jpeg
                m = Media(type="image", path=path, author="merchant", licence=SUBMISSION_LICENCE).model_dump()
                if m not in data["media"]:
                    data["media"] = data["media"] + [m]
        src = merchant_source(claim.id).model_dump()
        if src not in data["sources"]:
            data["sources"] = (data["sources"] + [src])[-50:]
        data["updated"] = now
        by_id[poi.id] = POI.model_validate(data)
        applied.append(e.id)
    return list(by_id.values()), files, applied


def publish_merchant_edits(storage: Any, result: Any, *, now: datetime | None = None,
                           include_published: bool = False) -> list[str]:
    """Apply the town's unpublished merchant edits to ``result`` (a :class:`~heritage_kit.inbox.publish.PublishResult`
    being built: its ``pack`` and ``merchant_pois`` change); the edits' ids.

    Called by :func:`heritage_kit.inbox.publish.publish`, which marks them with :func:`mark_merchant_edits` once
    the pack is written, and by the desk's publish preview. ``include_published`` re-applies every edit (a pack
    rebuilt from its sources, as ``inbox publish --all``; applying twice is idempotent).
    """
    store = MerchantStore(storage)
    pack = result.pack
    edits = [e for e in store.edits(pack.manifest.town_id, unpublished=not include_published)
             if publishable(e, store.claim(e.claim_id))]  # a revoked merchant's edit waits for a reviewer
    if not edits:
        return []
    pois, files, applied = apply_merchant_edits(pack.pois, edits, store.claim, store.photo, now=now)
    if not applied:
        return []
    changed = {e.poi_id for e in edits if e.id in applied}
    result.merchant_pois = [p.id for p in pois if p.id in changed]
    from heritage_kit.inbox.publish import CONTRIBUTIONS_ATTRIBUTION
    from heritage_kit.packs import ContentPack

    m = pack.manifest
    attributions = list(m.attributions)
    if CONTRIBUTIONS_ATTRIBUTION not in attributions:
        attributions.append(CONTRIBUTIONS_ATTRIBUTION)
    manifest = m.model_copy(update={"attributions": attributions})
    result.pack = ContentPack(manifest, pois, pack.trails, streets=pack.streets, media={**pack.media, **files},
                              build=getattr(pack, "build", None), basemap=getattr(pack, "basemap", None),
                              events=getattr(pack, "events", None))
    return applied


def mark_merchant_edits(storage: Any, edit_ids: Sequence[str], version: int) -> None:
    """Record that ``edit_ids`` went into pack ``version`` (a later publish does not apply them again)."""
    if edit_ids:
        MerchantStore(storage).mark_published(list(edit_ids), version)


# -- back to OpenStreetMap ------------------------------------------------------------------------------------------
class HoursChange(NamedTuple):
    """An accepted merchant change of a shop's hours: what ``heritage-kit inbox osm-changes`` proposes to OSM."""

    poi_id: str
    new_value: str
    when: datetime
    source: Source


def hours_changes(edits: Sequence[MerchantEdit], *, latest_only: bool = True) -> list[HoursChange]:
    """The hours changes among merchant ``edits`` (pure), oldest first; ``latest_only``: the last per POI."""
    out = [HoursChange(e.poi_id, e.edit["opening_hours"], datetime.fromisoformat(e.created), merchant_source(e.claim_id))
           for e in sorted(edits, key=lambda e: (e.created, e.id)) if "opening_hours" in e.edit]
    if latest_only:
        last = {c.poi_id: c for c in out}
        out = [c for c in out if last[c.poi_id] is c]
    return out


def merchant_osm_changes(storage: Any, pack: Any, base: Any = None) -> list[Any]:
    """A ``heritage-kit inbox osm-changes`` provider (``CHANGE_PROVIDERS``): the town's accepted merchant hours
    changes, last per shop (a shop without an OSM ref has ``osm_ref=""``: reported, not exported), as :class:`heritage_kit.export.osmchange.HoursChange`.

    The old value is the shop's hours in ``base`` (default ``pack``); without ``base``, when the pack's hours are a
    published merchant edit's, the imported value is unknown (``old_known=False``).
    """
    from heritage_kit.export.osmchange import HoursChange as OsmHoursChange

    store = MerchantStore(storage)
    edits = [e for e in store.edits(pack.manifest.town_id) if publishable(e, store.claim(e.claim_id))]
    pois = {p.id: p for p in pack.pois}
    base_pois = {p.id: p for p in (base or pack).pois}
    published = {(e.poi_id, e.edit["opening_hours"]) for e in edits
                 if "opening_hours" in e.edit and e.published_version is not None}
    out = []
    for c in hours_changes(edits):
        poi = pois.get(c.poi_id)
        if poi is None:
            continue  # the shop left the pack
        before = base_pois.get(c.poi_id)
        old = before.opening_hours if before is not None else None
        known = before is not None and (base is not None or (c.poi_id, (old or "").strip()) not in published)
        when = c.when if c.when.tzinfo else c.when.replace(tzinfo=timezone.utc)
        out.append(OsmHoursChange(poi_id=poi.id, osm_ref=poi.refs.osm or "", old_value=old, new_value=c.new_value, when=when,
                                  source="merchant", note=f"verified merchant, {c.source.attribution}",
                                  name=poi.display_name("fr"), lat=poi.lat, lon=poi.lon, old_known=known))
    return out
