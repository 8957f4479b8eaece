"""Content packs: a town's POIs, trails, streets and media, offline.

A pack is a folder, or the same files in one ``.zip``::

    manifest.json     PackManifest (files listed with SHA-256 and size)
    pois.geojson      RFC 7946 FeatureCollection of POIs
    trails.json       {"trails": [Trail, ...]}
    streets.geojson   optional walking network (see heritage_kit.routing)
    basemap.geojson   optional map layers: sea, water, parks, buildings… (see heritage_kit.basemap, docs/basemap.md)
    build.json        optional: the recipe the pack was built from (heritage_kit.packs.build)
    events.json       optional (format 1.2): {"events": [Event, ...]}, dated events (heritage_kit.events)
    media/...         images and audio referenced by POIs
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import time
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from heritage_kit.errors import PackError, PackSignatureError, PoiNotFound
from heritage_kit.models.compact import compact_pois
from heritage_kit.models.event import Event
from heritage_kit.models.manifest import (
    FORMAT_MINOR,
    FORMAT_VERSION,
    PackManifest,
    format_version_parts,
    format_version_problem,
    reader_min_version,
    release_tuple,
)
from heritage_kit.models.poi import POI
from heritage_kit.models.trail import Trail
from heritage_kit.packs.geojson import fast_read_pois, feature_to_poi_data, poi_to_feature
from heritage_kit.packs.report import ValidationReport
from heritage_kit.packs.storage import open_pack_files, write_pack_files
from heritage_kit.types import BBox

_log = logging.getLogger(__name__)

__all__ = ["ContentPack", "DerivedCache", "load_pack", "save_pack", "validate_pack", "pack_files"]

MANIFEST = "manifest.json"
POIS = "pois.geojson"
TRAILS = "trails.json"
STREETS = "streets.geojson"
BASEMAP = "basemap.geojson"
BUILD = "build.json"
EVENTS = "events.json"
REQUIRED = (MANIFEST, POIS, TRAILS)
SIGNATURE = "manifest.sig"  # optional: heritage_kit.packs.signing

_POIS_ADAPTER = TypeAdapter(list[POI])
_TRAILS_ADAPTER = TypeAdapter(list[Trail])
_EVENTS_ADAPTER = TypeAdapter(list[Event])


_T = TypeVar("_T")


class DerivedCache:
    """Data derived from a pack (spatial index, search words, walking network…), built once per key.

    The one policy for a pack's derived data: every cache lives here, owned by
    the pack, so :meth:`ContentPack.invalidate` forgets them all at once.
    """

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[Hashable, Any] = {}

    def get(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """The value under ``key``, built by ``build()`` the first time."""
        try:
            return self._items[key]
        except KeyError:
            value = self._items[key] = build()
            return value

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def keys(self) -> list[Hashable]:
        return list(self._items)

    def clear(self) -> None:
        self._items.clear()


class ContentPack:
    """One town's content, in memory.

    Derived data (the id lookup, :attr:`index`, the search words, the walking
    network) is built lazily through :meth:`derived` and dropped by
    :meth:`invalidate`, or by itself when ``pois`` is replaced or resized.
    """

    def __init__(
        self,
        manifest: PackManifest,
        pois: list[POI],
        trails: list[Trail] | None = None,
        *,
        streets: dict[str, Any] | None = None,
        media: dict[str, bytes] | None = None,
        source: str | None = None,
        build: dict[str, Any] | None = None,
        basemap: dict[str, Any] | None = None,
        events: list[Event] | None = None,
    ) -> None:
        self.manifest = manifest
        self.pois = list(pois)
        self.trails = list(trails or [])
        self.streets = streets
        self.media = dict(media or {})
        self.source = source
        self.build = build  # the recipe (build config) the pack was made from, if any
        self.basemap = basemap  # parsed basemap.geojson (a FeatureCollection), if any
        self.events = list(events or [])  # events.json: markets, concerts, heritage days… (heritage_kit.events)
        self._derived = DerivedCache()
        self._derived_stamp: tuple[int, int] = (id(self.pois), len(self.pois))

    # -- derived data (one policy) ------------------------------------------------
    def derived(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """Data derived from this pack under ``key``: built by ``build()`` once, until :meth:`invalidate`.

        Replacing or resizing ``pois`` also drops everything derived (a change in
        place of the same length needs :meth:`invalidate`).
        """
        stamp = (id(self.pois), len(self.pois))
        if stamp != self._derived_stamp:
            self._derived.clear()
            self._derived_stamp = stamp
        return self._derived.get(key, build)

    # -- lookups ---------------------------------------------------------
    @property
    def _by_id(self) -> dict[str, POI]:
        return self.derived("by_id", lambda: {p.id: p for p in self.pois})

    def poi(self, poi_id: str) -> POI:
        try:
            return self._by_id[poi_id]
        except KeyError:
            raise PoiNotFound(f"no POI {poi_id!r} in pack {self.manifest.town_id!r}") from None

    def trail(self, trail_id: str) -> Trail:
        for t in self.trails:
            if t.id == trail_id:
                return t
        raise PoiNotFound(f"no trail {trail_id!r} in pack {self.manifest.town_id!r}")

    @property
    def timezone(self):
        return self.manifest.tz

    # -- discovery (built lazily, once) ------------------------------------
    @property
    def index(self):
        """A :class:`heritage_kit.spatial.PoiIndex` over this pack's POIs (built once, see :meth:`derived`)."""
        from heritage_kit.spatial import PoiIndex

        return self.derived("index", lambda: PoiIndex(self.pois))

    def search(self, text: str | None = None, **kwargs):
        """See :func:`heritage_kit.search.search_pois`."""
        from heritage_kit.search import search_pois

        return search_pois(self, text, **kwargs)

    def invalidate(self) -> None:
        """Forget all derived data (index, search words, walking network…) after the pack was changed in place."""
        self._derived.clear()
        self._derived_stamp = (id(self.pois), len(self.pois))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ContentPack):
            return NotImplemented
        return (
            self.manifest == other.manifest
            and self.pois == other.pois
            and self.trails == other.trails
            and self.streets == other.streets
            and self.build == other.build
            and self.basemap == other.basemap
            and self.events == other.events
            and self.media == other.media
        )

    def __repr__(self) -> str:
        return f"<ContentPack {self.manifest.town_id} v{self.manifest.version}: {len(self.pois)} POIs, {len(self.trails)} trails>"

    # -- building ----------------------------------------------------------
    @classmethod
    def new(
        cls,
        *,
        town_id: str,
        town_name: str,
        pois: list[POI],
        trails: list[Trail] | None = None,
        attributions: list[dict],
        timezone: str = "Europe/Paris",
        country: str = "FR",
        languages: list[str] | None = None,
        version: int = 1,
        streets: dict | None = None,
        basemap: dict | None = None,
        media: dict[str, bytes] | None = None,
        events: list[Event] | None = None,
        centre: dict | None = None,
        description: dict[str, str] | str | None = None,
        created: datetime | None = None,
    ) -> "ContentPack":
        """A pack whose bbox, centre and languages are derived from its POIs.

        ``description`` is one text per language, ``{"fr": "…", "en": "…"}`` (a plain string, as format-1
        packs had, is still accepted and shown in every language).
        """
        if not pois:
            raise PackError(f"pack {town_id!r} would have no POI")
        bbox = BBox.around([p.location for p in pois])
        langs = languages or sorted({lang for p in pois for lang in p.name.languages})
        manifest = PackManifest(
            format_version=FORMAT_VERSION,
            town_id=town_id,
            town_name=town_name,
            centre=centre or {"lat": (bbox.south + bbox.north) / 2, "lon": (bbox.west + bbox.east) / 2},
            bbox=bbox,
            timezone=timezone,
            country=country,
            version=version,
            created=created or datetime.now(timezone_utc()),
            languages=langs,
            attributions=attributions,
            description=description,
        )
        return cls(manifest, pois, trails, streets=streets, media=media, basemap=basemap, events=events)


def timezone_utc():
    return timezone.utc


# -- serialisation -------------------------------------------------------------
def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def pack_files(pack: ContentPack) -> dict[str, bytes]:
    """Every file of ``pack`` as bytes, with a manifest listing their hashes."""
    files: dict[str, bytes] = {
        POIS: _dumps({"type": "FeatureCollection", "features": [poi_to_feature(p) for p in pack.pois]}),
        TRAILS: _dumps({"trails": [t.model_dump(mode="json", exclude_none=True) for t in pack.trails]}),
    }
    if pack.streets is not None:
        files[STREETS] = _dumps(pack.streets)
    if pack.basemap is not None:
        files[BASEMAP] = _dumps(pack.basemap)
    if pack.events:
        files[EVENTS] = json.dumps({"events": [e.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                                               for e in pack.events]},
                                   ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")
    if pack.build is not None:
        files[BUILD] = json.dumps(pack.build, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")
    for name, data in pack.media.items():
        files[name] = data
    entries = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in sorted(files.items())
    }
    written = _written_format(pack)
    reader = reader_min_version(written) if format_version_parts(written)[1] >= 1 else None
    manifest = pack.manifest.model_copy(update={"files": {}, "format_version": written, "reader_min_version": reader})
    manifest = PackManifest.model_validate({**manifest.model_dump(mode="json"), "files": entries})
    pack.manifest = manifest
    files[MANIFEST] = json.dumps(manifest.model_dump(mode="json", exclude_none=True), ensure_ascii=False, indent=1).encode()
    return files


def _written_format(pack: ContentPack) -> int | str:
    """The format a save writes: the pack's own (at most this library's minor: fields of a newer minor were
    dropped on reading), raised to 1.1 when the pack uses branding or extensions, to 1.2 when it has events or
    POIs with ``housed_in`` / ``support``."""
    major, minor = format_version_parts(pack.manifest.format_version)
    uses = pack.manifest.branding is not None or pack.manifest.extensions or any(p.extensions for p in pack.pois)
    uses_12 = bool(pack.events) or any(p.housed_in is not None or p.support is not None for p in pack.pois)
    minor = max(min(minor, FORMAT_MINOR), 2 if uses_12 else 1 if uses else 0)
    return major if minor == 0 else f"{major}.{minor}"


def _check_reader_version(manifest: PackManifest, report: ValidationReport) -> None:
    """A pack that says it needs a later heritage-kit than this one is read (its format is one we know) but the
    report says so: the writer knew something this release does not."""
    from heritage_kit import __version__

    needed = manifest.reader_min_version
    if needed and release_tuple(needed) > release_tuple(__version__):
        report.add(MANIFEST, f"this pack says it needs heritage-kit {needed} or later; this is {__version__}: "
                   "upgrade heritage-kit if something is missing", field="reader_min_version", severity="warning")


def save_pack(pack: ContentPack, path: str | os.PathLike) -> None:
    """Write ``pack`` to a folder (or a ``.zip``) atomically; updates its manifest's file list."""
    write_pack_files(pack_files(pack), path)


# -- reading and validation ------------------------------------------------------
def _json_constant(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


def _parse_json(reader, name: str, report: ValidationReport):
    try:
        raw = reader.read(name)
    except PackError:
        raise
    except Exception as exc:  # noqa: BLE001 - any read failure becomes a report line
        report.add(name, f"cannot read: {exc}")
        return None
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_json_constant)
    except UnicodeDecodeError:
        report.add(name, "not UTF-8 text")
    except (ValueError, RecursionError) as exc:
        report.add(name, f"not valid JSON: {exc}")
    return None


def _loc_field(loc: tuple) -> str:
    return ".".join(str(x) for x in loc) if loc else ""


def _pydantic_problems(report: ValidationReport, file: str, err: ValidationError, record_of) -> None:
    for e in err.errors(include_url=False):
        loc = e.get("loc", ())
        record, rest = record_of(loc)
        report.add(file, e.get("msg", "invalid"), record=record, field=_loc_field(rest) or None)


def _read(path: str | os.PathLike, public_key: str | None = None) -> tuple[ContentPack | None, ValidationReport]:
    report = ValidationReport(str(path))
    with open_pack_files(path, report) as reader:
        if public_key is not None and MANIFEST in reader:
            _verify_signature(reader, public_key)
        return _read_from(path, reader, report)


def _verify_signature(reader, public_key: str) -> None:
    """Raise :class:`PackSignatureError` unless ``manifest.sig`` is the town key's signature of the manifest."""
    from heritage_kit.packs.signing import SIGNATURE, verify_manifest

    signature = reader.read(SIGNATURE) if SIGNATURE in reader else None
    try:
        verify_manifest(reader.read(MANIFEST), signature, public_key)
    except PackSignatureError as exc:
        report = ValidationReport("pack")
        report.add(SIGNATURE, str(exc))
        raise PackSignatureError(f"refused pack: {exc}", report) from None


def _read_from(path, reader, report: ValidationReport) -> tuple[ContentPack | None, ValidationReport]:
    for name in REQUIRED:
        if name not in reader:
            report.add(name, "required file is missing")
    if MANIFEST not in reader:
        return None, report

    mdata = _parse_json(reader, MANIFEST, report)
    if mdata is None:
        return None, report
    newer_minor = False
    if isinstance(mdata, dict) and mdata.get("format_version") is not None:
        problem = format_version_problem(mdata["format_version"])
        if problem:
            report.add(MANIFEST, problem, field="format_version")
            return None, report
        newer_minor = format_version_parts(mdata["format_version"])[1] > FORMAT_MINOR
        if newer_minor:
            mdata = _drop_unknown(mdata, PackManifest, MANIFEST, report)
    try:
        manifest = PackManifest.model_validate(mdata)
    except ValidationError as err:
        _pydantic_problems(report, MANIFEST, err, lambda loc: (None, loc))
        return None, report
    _check_reader_version(manifest, report)

    # Files: listed ones exist with their hash; unlisted ones are refused.
    for name, entry in manifest.files.items():
        if name not in reader:
            report.add(MANIFEST, "listed file is missing from the pack", record=name, field="files")
    contents: dict[str, bytes] = {}
    for name in reader.names:
        if name in (MANIFEST, SIGNATURE):
            continue
        entry = manifest.files.get(name)
        if entry is None:
            report.add(name, "file is not listed in the manifest")
            continue
        try:
            data = reader.read(name)
        except PackError as exc:
            report.add(name, str(exc).split(": ", 1)[-1])
            continue
        except Exception as exc:  # noqa: BLE001 - bad CRC, truncated zip, I/O error: a report line, not a crash
            report.add(name, f"cannot read: {type(exc).__name__}: {exc}")
            continue
        if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            report.add(name, "content differs from the manifest's SHA-256/size (corrupt or tampered)")
            continue
        contents[name] = data

    pois: list[POI] = []
    if POIS in contents:
        pois = _read_pois(contents[POIS], report, drop_unknown=newer_minor)
    trails: list[Trail] = []
    if TRAILS in contents:
        trails = _read_trails(contents[TRAILS], report)
    streets = None
    if STREETS in contents:
        streets = _read_geojson(STREETS, contents[STREETS], manifest, report)
    build = None
    if BUILD in contents:
        build = _load_json_bytes(contents[BUILD], BUILD, report)
        if build is not None and not isinstance(build, dict):
            report.add(BUILD, "must be a JSON object (the build recipe)")
            build = None
    basemap = _read_geojson(BASEMAP, contents[BASEMAP], manifest, report) if BASEMAP in contents else None
    events = _read_events(contents[EVENTS], report, drop_unknown=newer_minor) if EVENTS in contents else []
    media = {n: d for n, d in contents.items() if n.startswith("media/")}
    for n in contents:
        if n not in (POIS, TRAILS, STREETS, BASEMAP, BUILD, EVENTS) and not n.startswith("media/"):
            report.add(n, "unexpected file (only manifest.json, pois.geojson, trails.json, streets.geojson, "
                          "basemap.geojson, build.json, events.json, media/)",
                       severity="warning")

    # Cross-references.
    logo = manifest.branding.logo if manifest.branding is not None else None
    if logo is not None and logo.startswith("media/") and logo not in media:
        report.add(MANIFEST, f"branding logo {logo!r} is not in the pack", field="branding.logo")
    ids = {p.id for p in pois}
    for p in pois:
        for i, m in enumerate(p.media):
            if m.path is not None and m.path not in media:
                report.add(POIS, f"media file {m.path!r} is not in the pack", record=p.id, field=f"media.{i}.path")
        if not manifest.bbox.contains(p.location.lat, p.location.lon, margin_m=2000):
            report.add(POIS, "location is outside the manifest bbox", record=p.id, field="location", severity="warning")
    for t in trails if POIS in contents else ():
        for s in t.stops:
            if s not in ids:
                report.add(TRAILS, f"stop {s!r} is not a POI of this pack", record=t.id, field="stops")
    if POIS in contents:
        _check_poi_links(pois, events, ids, report)
    tids = [t.id for t in trails]
    if len(set(tids)) != len(tids):
        seen: set[str] = set()
        for t in tids:
            if t in seen:
                report.add(TRAILS, "duplicate trail id", record=t, field="id")
            seen.add(t)

    pack = ContentPack(manifest, pois, trails, streets=streets, media=media, source=str(path), build=build,
                       basemap=basemap, events=events)
    return pack, report


def _load_json_bytes(data: bytes, name: str, report: ValidationReport):
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_json_constant)
    except UnicodeDecodeError:
        report.add(name, "not UTF-8 text")
    except (ValueError, RecursionError) as exc:
        report.add(name, f"not valid JSON: {exc}")
    return None


def _read_geojson(name: str, data: bytes, manifest: PackManifest, report: ValidationReport) -> dict | None:
    """The parsed ``streets.geojson`` or ``basemap.geojson``, or None with every problem (feature index, field)
    in the report: finite lon/lat positions within 50 km of the manifest's bbox, lines of 2+ positions, closed
    rings (:mod:`heritage_kit.basemap.contract`)."""
    from heritage_kit.basemap.contract import check_basemap, check_streets

    doc = _load_json_bytes(data, name, report)
    if doc is None:
        return None
    problems, _positions = (check_streets if name == STREETS else check_basemap)(doc, bbox=manifest.bbox)
    for record, field, message in problems:
        report.add(name, message, record=record, field=field)
    return None if problems else doc


def _read_pois(data: bytes, report: ValidationReport, *, drop_unknown: bool = False) -> list[POI]:
    pois = fast_read_pois(data)  # a valid file in one pass; anything off takes the detailed path
    if pois is not None:
        _check_duplicates(pois, report)
        return pois
    return _read_pois_detailed(data, report, drop_unknown=drop_unknown)


def _drop_unknown(data: dict, model, file: str, report: ValidationReport, *, record: str | None = None,
                  seen: set[str] | None = None) -> dict:
    """``data`` without the keys ``model`` does not know (a pack of a newer minor format: optional fields this
    heritage-kit does not know are ignored, with one warning per key; saving writes this library's format)."""
    known = set(model.model_fields)
    unknown = [k for k in data if k not in known]
    if not unknown:
        return data
    for key in unknown:
        if seen is None or key not in seen:
            report.add(file, f"field {key!r:.60} of a newer pack format is not known here: ignored", record=record,
                       field=str(key)[:60], severity="warning")
            _log.info("%s: ignored field %r of a newer pack format", file, key)
            if seen is not None:
                seen.add(key)
    return {k: v for k, v in data.items() if k in known}


def _read_pois_detailed(data: bytes, report: ValidationReport, *, drop_unknown: bool = False) -> list[POI]:
    """Feature by feature, every problem reported with its feature id (or index) and field."""
    fc = _load_json_bytes(data, POIS, report)
    if fc is None:
        return []
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection" or not isinstance(fc.get("features"), list):
        report.add(POIS, "must be a GeoJSON FeatureCollection with a 'features' list")
        return []
    features = fc["features"]
    dropped: set[str] = set()
    rows: list[dict] = []
    labels: list[str] = []
    for i, feat in enumerate(features):
        fid = feat.get("id") if isinstance(feat, dict) else None
        label = fid if isinstance(fid, str) and len(fid) <= 200 else f"#{i}"
        try:
            row = feature_to_poi_data(feat)
            if drop_unknown:
                row = _drop_unknown(row, POI, POIS, report, seen=dropped)
            rows.append(row)
            labels.append(label)
        except ValueError as exc:
            report.add(POIS, str(exc), record=label)
    try:
        pois = _POIS_ADAPTER.validate_python(rows)
    except ValidationError as err:
        bad: set[int] = set()

        def record_of(loc):
            idx = loc[0] if loc and isinstance(loc[0], int) else None
            if idx is None:
                return None, loc
            bad.add(idx)
            return labels[idx], loc[1:]

        _pydantic_problems(report, POIS, err, record_of)
        pois = []
        for i, row in enumerate(rows):
            if i not in bad:
                pois.append(POI.model_validate(row))
    compact_pois(pois)  # as the fast path does (heritage_kit.models.compact)
    _check_duplicates(pois, report)
    return pois


def _check_duplicates(pois: list[POI], report: ValidationReport) -> None:
    seen: set[str] = set()
    for p in pois:
        if p.id in seen:
            report.add(POIS, "duplicate POI id", record=p.id, field="id")
        seen.add(p.id)


def _read_trails(data: bytes, report: ValidationReport) -> list[Trail]:
    doc = _load_json_bytes(data, TRAILS, report)
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("trails"), list):
        report.add(TRAILS, "must be an object with a 'trails' list")
        return []
    raw = doc["trails"]
    try:
        return _TRAILS_ADAPTER.validate_python(raw)
    except ValidationError as err:

        def record_of(loc):
            if loc and isinstance(loc[0], int):
                t = raw[loc[0]]
                tid = t.get("id") if isinstance(t, dict) else None
                return (tid if isinstance(tid, str) and len(tid) <= 100 else f"#{loc[0]}"), loc[1:]
            return None, loc

        _pydantic_problems(report, TRAILS, err, record_of)
        return []


def _read_events(data: bytes, report: ValidationReport, *, drop_unknown: bool = False) -> list[Event]:
    """``events.json``'s events; every problem reported with the event's id (or index) and field."""
    doc = _load_json_bytes(data, EVENTS, report)
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        report.add(EVENTS, "must be an object with an 'events' list")
        return []
    raw = doc["events"]
    if drop_unknown:
        seen: set[str] = set()
        raw = [_drop_unknown(e, Event, EVENTS, report, seen=seen) if isinstance(e, dict) else e for e in raw]
    labels = []
    for i, e in enumerate(raw):
        eid = e.get("id") if isinstance(e, dict) else None
        labels.append(eid if isinstance(eid, str) and len(eid) <= 100 else f"#{i}")
    events: list[Event] = []
    for i, e in enumerate(raw):
        try:
            events.append(Event.model_validate(e))
        except ValidationError as err:
            _pydantic_problems(report, EVENTS, err, lambda loc, i=i: (labels[i], loc))
    seen_ids: set[str] = set()
    for ev in events:
        if ev.id in seen_ids:
            report.add(EVENTS, "duplicate event id", record=ev.id, field="id")
        seen_ids.add(ev.id)
    return events


def _check_poi_links(pois: list[POI], events: list[Event], ids: set[str], report: ValidationReport) -> None:
    """Events name POIs of the pack; ``housed_in`` names another POI of the pack."""
    for ev in events:
        if ev.poi is not None and ev.poi not in ids:
            report.add(EVENTS, f"poi {ev.poi!r} is not a POI of this pack", record=ev.id, field="poi")
    for p in pois:
        if p.housed_in is not None and (p.housed_in not in ids or p.housed_in == p.id):
            report.add(POIS, f"housed_in {p.housed_in!r} is not another POI of this pack", record=p.id,
                       field="housed_in")


def validate_pack(path: str | os.PathLike, *, public_key: str | None = None) -> ValidationReport:
    """Every problem of the pack at ``path`` (never raises for bad content); with ``public_key`` (the town's,
    hex), a missing or wrong ``manifest.sig`` is one."""
    try:
        with _gc_paused():
            _pack, report = _read(path, public_key)
    except PackError as exc:
        report = exc.report or ValidationReport(str(path))
        if not report.problems:
            report.add(str(path), str(exc))
    return report


@contextmanager
def _gc_paused():
    """Pause the cyclic GC while building many objects at once (they form no cycles).

    Loading 44,480 POIs creates about a million GC-tracked objects; with the
    collector on, the growing heap is rescanned again and again (3x the load
    time). Afterwards ``freeze(); unfreeze()`` moves every tracked object
    straight to the oldest generation instead of leaving a million young
    objects for the next collections to scan: nothing stays frozen, nothing
    leaks, garbage is still collected by the next full collection.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def load_pack(path: str | os.PathLike, *, public_key: str | None = None) -> ContentPack:
    """Load a pack folder or zip; raises :class:`PackError` carrying the report.

    With ``public_key`` (the town's Ed25519 key, hex) the pack must carry ``manifest.sig``, its signature of the
    manifest (:mod:`heritage_kit.packs.signing`), else :class:`PackSignatureError`; without one, unsigned packs
    are accepted.
    """
    started = time.perf_counter()
    with _gc_paused():
        pack, report = _read(path, public_key)
    if pack is None or not report.ok:
        first = report.errors[0] if report.errors else None
        _log.warning("pack %s refused: %d error(s), first: %s", path, len(report.errors), first)
        raise PackError(f"invalid content pack {path}: {first}", report)
    for warning in report.warnings:
        _log.warning("pack %s: %s", path, warning)
    _log.info("loaded pack %s (%s v%s, format %s): %d POIs, %d trails in %.2f s", path, pack.manifest.town_id,
              pack.manifest.version, pack.manifest.format_version, len(pack.pois), len(pack.trails),
              time.perf_counter() - started)
    return pack
