"""Importer for OpenStreetMap data: XML (``.osm``, ``.osm.gz``, ``.osm.bz2``), PBF, Overpass JSON and
GeoJSON exports (overpass-turbo's "export as GeoJSON", ids like ``node/123``).

Files are read with pyosmium (it reads XML, compressed XML and PBF, resolves
node locations and assembles multipolygon areas); Overpass JSON
(``out geom``/``out center``) is read by :func:`import_overpass_json`. Both
feed the same conversion, :func:`poi_from_osm`:

* kind and categories come from the one tag table, :mod:`heritage_kit.importers.tags`;
* a node is a point; a way or a multipolygon relation becomes one POI at a
  representative point inside its area (shapely ``point_on_surface``) and
  keeps the area as its ``footprint``; an open way (a wall, a bridge) gets
  the middle of its line;
* ``name`` goes to the pack's local language (``lang``, French by default),
  ``name:xx`` to language ``xx``; likewise ``description``;
* opening_hours, address, phone, website, wheelchair, wikidata, wikipedia,
  ``ref:mhs`` (→ ``refs.merimee``), start_date, heritage protection (France:
  ``heritage=2`` + ``heritage:operator=mhs`` is *classé*, ``heritage=3``
  *inscrit*) are carried over; a malformed value is dropped with a warning in
  the import report, never silently.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from heritage_kit.compose.facts import OSM_FACT_KEYS
from heritage_kit.errors import SourceDataError
from heritage_kit.importers.clip import Clip
from heritage_kit.importers.report import ImportReport
from heritage_kit.importers.tags import INTERESTING_KEYS, classify
from heritage_kit.models.poi import POI
from heritage_kit.types import MAX_SHORT_TEXT, BBox

__all__ = [
    "OSM_ATTRIBUTION",
    "OsmImport",
    "import_osm",
    "read_osm",
    "import_overpass_json",
    "read_overpass_json",
    "import_osm_geojson",
    "poi_from_osm",
    "photo_references",
]

OSM_ATTRIBUTION = {
    "text": "© OpenStreetMap contributors",
    "licence": "ODbL 1.0",
    "url": "https://www.openstreetmap.org/copyright",
}
_OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf", ".xml", ".osc")
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_DOMAIN_RE = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", re.IGNORECASE)
_WIKIDATA_RE = re.compile(r"^Q\d+$")
_MERIMEE_RE = re.compile(r"^[A-Z]{2}(\d{2}|2[AB])\d{6}$")
_MAX_FOOTPRINT_POSITIONS = 5_000


@dataclass
class OsmImport:
    pois: list[POI]
    report: ImportReport


# -- conversion (pure) -------------------------------------------------------------
def _texts(tags: Mapping[str, str], key: str, lang: str, limit: int) -> dict[str, str]:
    out: dict[str, str] = {}
    prefix = key + ":"
    for k, v in tags.items():
        if k.startswith(prefix):
            code = k[len(prefix):]
            if _LANG_RE.match(code) and v.strip():
                out[code] = " ".join(v.split())[:limit]
    base = tags.get(key)
    if base and base.strip() and lang not in out:
        out[lang] = " ".join(base.split())[:limit]
    return out


def _first(tags: Mapping[str, str], *keys: str) -> str | None:
    for k in keys:
        v = tags.get(k)
        if v and v.strip():
            return v.strip()
    return None


def _rep_point(geom) -> tuple[float, float]:
    """(lon, lat) of a point that lies on the geometry."""
    if geom.geom_type == "Point":
        return geom.x, geom.y
    if geom.geom_type in ("LineString", "MultiLineString"):
        p = geom.interpolate(0.5, normalized=True)
        return p.x, p.y
    p = geom.point_on_surface()
    return p.x, p.y


def _footprint(geom) -> dict | None:
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        return None
    import shapely
    from shapely.geometry import mapping

    if shapely.get_num_coordinates(geom) > _MAX_FOOTPRINT_POSITIONS:
        geom = geom.simplify(0.00001, preserve_topology=True)  # ~1 m
    if shapely.get_num_coordinates(geom) > _MAX_FOOTPRINT_POSITIONS:
        return None
    geom = shapely.set_precision(geom, 1e-7) if not geom.is_empty else geom
    m = mapping(geom)

    def rings(poly):
        return [[[round(x, 7), round(y, 7)] for x, y, *_ in ring] for ring in poly]

    if m["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": rings(m["coordinates"])}
    if m["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [rings(p) for p in m["coordinates"]]}
    return None


def poi_from_osm(
    osm_type: str,
    osm_id: int,
    tags: Mapping[str, str],
    geom,
    *,
    lang: str = "fr",
    require_name: bool = True,
    report: ImportReport | None = None,
) -> POI | None:
    """One POI from an OSM object (``osm_type`` node|way|relation, a shapely geometry in lon/lat).

    Returns None when the object is not a POI we keep (no tag of interest, or
    no name when ``require_name``); the reason is counted in ``report``.
    """
    rep = report if report is not None else ImportReport("osm")
    found = classify(tags)
    if found is None:
        rep.skip("no tag of interest")
        return None
    kind, cats = found
    label = f"{osm_type}/{osm_id}"
    name = _texts(tags, "name", lang, MAX_SHORT_TEXT)
    if not name:
        if require_name:
            rep.skip("no name")
            return None
        from heritage_kit.categories import category_label

        name = {"fr": category_label(cats[0], "fr").capitalize(), "en": category_label(cats[0], "en").capitalize()}
    if geom is None or geom.is_empty:
        rep.skip("no geometry")
        return None
    lon, lat = _rep_point(geom)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        rep.add("geometry has no finite point", record=label, field="location")
        return None

    def warn(field: str, value: str, why: str) -> None:
        rep.add(f"{why}: {value!r:.80} dropped", record=label, field=field, severity="warning")

    data: dict[str, Any] = {
        "id": f"osm:{label}",
        "kind": kind,
        "categories": cats,
        "name": name,
        "location": {"lat": round(lat, 7), "lon": round(lon, 7)},
        "sources": [
            {
                "name": "OpenStreetMap",
                "url": f"https://www.openstreetmap.org/{label}",
                "licence": OSM_ATTRIBUTION["licence"],
                "attribution": OSM_ATTRIBUTION["text"],
            }
        ],
    }
    desc = _texts(tags, "description", lang, 2000)
    if desc:
        data["description"] = desc
    fp = _footprint(geom)
    if fp is not None:
        data["footprint"] = fp
    oh = _first(tags, "opening_hours")
    if oh:
        if len(oh) <= 1000:
            data["opening_hours"] = oh
        else:
            warn("opening_hours", oh, "longer than 1000 characters")
    addr = {
        k: " ".join(v.split())
        for k, v in (
            ("housenumber", tags.get("addr:housenumber")),
            ("street", tags.get("addr:street") or tags.get("addr:place")),
            ("postcode", tags.get("addr:postcode")),
            ("city", tags.get("addr:city")),
        )
        if v and v.strip() and len(v) <= MAX_SHORT_TEXT
    }
    if addr:
        data["address"] = addr
    phone = _first(tags, "phone", "contact:phone")
    if phone:
        if len(phone) <= 100:
            data["phone"] = phone
        else:
            warn("phone", phone, "longer than 100 characters")
    site = _first(tags, "website", "contact:website", "url")
    if site:
        site = site.split(";")[0].strip()
        if not _URL_RE.match(site) and _DOMAIN_RE.match(site):
            site = "https://" + site
        if _URL_RE.match(site) and len(site) <= 2000:
            data["website"] = site
        else:
            warn("website", site, "not an http(s) URL")
    wc = tags.get("wheelchair")
    if wc:
        if wc in ("yes", "no", "limited"):
            data["wheelchair"] = wc
        elif wc == "designated":
            data["wheelchair"] = "yes"
        else:
            warn("wheelchair", wc, "not yes/no/limited")
    refs: dict[str, str] = {"osm": label}
    wd = tags.get("wikidata")
    if wd:
        wd = wd.split(";")[0].strip()
        if _WIKIDATA_RE.match(wd):
            refs["wikidata"] = wd
        else:
            warn("refs.wikidata", wd, "not a Wikidata id")
    wp = tags.get("wikipedia")
    if wp and wp.strip():
        if len(wp) <= MAX_SHORT_TEXT:
            refs["wikipedia"] = wp.strip()
        else:
            warn("refs.wikipedia", wp, "too long")
    mhs = tags.get("ref:mhs")
    if mhs:
        mhs = mhs.split(";")[0].strip()
        if _MERIMEE_RE.match(mhs):
            refs["merimee"] = mhs
        else:
            warn("refs.merimee", mhs, "not a Mérimée reference")
    data["refs"] = refs
    heritage: dict[str, str] = {}
    if tags.get("heritage:operator") == "mhs" or "ref:mhs" in tags:
        if tags.get("heritage") == "2":
            heritage["protection"] = "classé"
        elif tags.get("heritage") == "3":
            heritage["protection"] = "inscrit"
    start = tags.get("start_date")
    if start and len(start) <= 500:
        heritage["dates"] = start.strip()
    if heritage and kind == "heritage":
        data["heritage"] = heritage
    if kind == "heritage":
        kept = {k: " ".join(tags[k].split()) for k in OSM_FACT_KEYS if tags.get(k, "").strip()}
        kept = {k: v for k, v in kept.items() if len(v) <= MAX_SHORT_TEXT}
        if kept:
            data["osm_tags"] = kept
    media = photo_references(tags, refs.get("wikidata"))
    if media:
        data["media"] = media
    try:
        return POI.model_validate(data)
    except ValidationError as err:
        e = err.errors(include_url=False)[0]
        rep.add(e["msg"], record=label, field=".".join(str(x) for x in e["loc"]) or None)
        return None


COMMONS_LICENCE = "not yet checked: a free licence on Wikimedia Commons, per file"
UNKNOWN_LICENCE = "not yet checked: unknown licence"


def photo_references(tags: Mapping[str, str], wikidata: str | None) -> list[dict]:
    """Media entries (``pending=True``) for the photos OSM points to: ``image``, ``wikimedia_commons``, and the
    Wikidata item (its image, P18). Not fetched; the licence says it is not checked yet."""
    out: list[dict] = []
    image = (tags.get("image") or "").split(";")[0].strip()
    commons = (tags.get("wikimedia_commons") or "").split(";")[0].strip()
    if image.startswith("File:") and not commons:
        commons, image = image, ""
    if _URL_RE.match(image) and len(image) <= 2000:
        licence = COMMONS_LICENCE if "wikimedia.org" in image.lower() else UNKNOWN_LICENCE
        out.append({"type": "image", "url": image, "licence": licence, "pending": True})
    if commons.startswith(("File:", "Category:")) and len(commons) <= 500:
        from urllib.parse import quote

        url = "https://commons.wikimedia.org/wiki/" + quote(commons.replace(" ", "_"), safe=":_(),'")
        out.append({"type": "image", "url": url, "licence": COMMONS_LICENCE, "pending": True})
    if wikidata and not out:
        out.append({"type": "image", "url": f"https://www.wikidata.org/wiki/{wikidata}#P18",
                    "licence": COMMONS_LICENCE, "pending": True})
    return out


# -- files through pyosmium ---------------------------------------------------------
def _check_path(path: Path) -> None:
    if not path.is_file():
        raise SourceDataError(f"{path}: no such file")
    name = path.name.lower()
    if not name.endswith(_OSM_SUFFIXES):
        raise SourceDataError(f"{path}: not an OSM file (expected {', '.join(_OSM_SUFFIXES)}, or .json from Overpass)")


def _iter_osm_file(path: Path, progress: bool) -> Iterable[tuple[str, int, dict, Any]]:
    """(type, id, tags, shapely geometry) of every tagged object of interest."""
    from shapely import wkb
    from shapely.geometry import LineString, Point

    from heritage_kit.extras import require

    osmium = require("osmium", feature="reading OSM files")
    tqdm = require("tqdm", feature="reading OSM files").tqdm

    factory = osmium.geom.WKBFactory()
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas()
    open_ways: dict[int, tuple[dict, Any]] = {}
    area_ways: set[int] = set()
    bar = tqdm(desc=f"reading {path.name}", unit=" objects", disable=not progress, mininterval=0.5)
    try:
        for obj in fp:
            bar.update(1)
            tags = obj.tags
            if not any(k in tags for k in INTERESTING_KEYS):
                continue
            if obj.is_node():
                if not obj.location.valid():
                    continue
                yield "node", obj.id, dict(tags), Point(obj.location.lon, obj.location.lat)
            elif obj.is_way():
                try:
                    coords = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                except Exception:  # noqa: BLE001 - missing node locations
                    coords = []
                geom = LineString(coords) if len(coords) >= 2 else (Point(coords[0]) if coords else None)
                open_ways[obj.id] = (dict(tags), geom)
            elif obj.is_area():
                try:
                    geom = wkb.loads(factory.create_multipolygon(obj), hex=True)
                except Exception:  # noqa: BLE001 - broken ring: fall back below
                    continue
                if obj.from_way():
                    area_ways.add(obj.orig_id())
                    yield "way", obj.orig_id(), dict(tags), geom
                else:
                    yield "relation", obj.orig_id(), dict(tags), geom
    except RuntimeError as exc:
        raise SourceDataError(f"{path}: cannot read OSM data: {exc}") from None
    finally:
        bar.close()
    for wid, (tags, geom) in open_ways.items():
        if wid not in area_ways:
            yield "way", wid, tags, geom


def _convert(objects, *, source: str, where: Clip, lang: str, require_name: bool) -> OsmImport:
    report = ImportReport(source)
    pois: list[POI] = []
    seen: set[str] = set()
    for osm_type, osm_id, tags, geom in objects:
        report.read += 1
        if where.active and geom is not None and not geom.is_empty:
            lon, lat = _rep_point(geom)
            if not where.contains(lat, lon):
                report.skip("outside the clip area")
                continue
        poi = poi_from_osm(osm_type, osm_id, tags, geom, lang=lang, require_name=require_name, report=report)
        if poi is None or poi.id in seen:
            continue
        seen.add(poi.id)
        pois.append(poi)
        report.imported += 1
    return OsmImport(pois, report)


def import_osm(
    path: str | os.PathLike,
    *,
    bbox: BBox | str | None = None,
    clip: Any = None,
    lang: str = "fr",
    require_name: bool = True,
    progress: bool = False,
) -> OsmImport:
    """POIs of an OSM file (XML, compressed XML, PBF; or Overpass ``.json``) with an import report."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return import_overpass_json(path, bbox=bbox, clip=clip, lang=lang, require_name=require_name)
    if path.suffix.lower() == ".geojson":
        return import_osm_geojson(path, bbox=bbox, clip=clip, lang=lang, require_name=require_name)
    _check_path(path)
    where = Clip(bbox=bbox, polygon=clip)
    return _convert(_iter_osm_file(path, progress), source=str(path), where=where, lang=lang,
                    require_name=require_name)


def read_osm(path: str | os.PathLike, **options: Any) -> list[POI]:
    """The POIs of an OSM file (see :func:`import_osm` for the options)."""
    return import_osm(path, **options).pois


# -- Overpass JSON ----------------------------------------------------------------
def read_json_file(path: str | os.PathLike) -> Any:
    """The decoded JSON of a file; an unreadable or invalid file is a :class:`SourceDataError` naming it."""
    path = Path(path)
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise SourceDataError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SourceDataError(f"{path}: not valid JSON: {exc}") from None


def _overpass_geometry(el: dict, label: str):
    from shapely.geometry import LineString, Point, Polygon
    from shapely.ops import linemerge, polygonize, unary_union

    t = el.get("type")
    if t == "node":
        lat, lon = el.get("lat"), el.get("lon")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            raise ValueError("node without numeric lat/lon")
        return Point(lon, lat)
    geometry = el.get("geometry")
    if t == "way" and isinstance(geometry, list) and len(geometry) >= 2:
        coords = [(g["lon"], g["lat"]) for g in geometry if isinstance(g, dict) and "lat" in g and "lon" in g]
        if len(coords) >= 4 and coords[0] == coords[-1]:
            poly = Polygon(coords)
            if poly.is_valid and poly.area > 0:
                return poly
        return LineString(coords) if len(coords) >= 2 else None
    if t == "relation" and isinstance(el.get("members"), list):
        outer, inner = [], []
        for m in el["members"]:
            g = m.get("geometry") if isinstance(m, dict) else None
            if m.get("type") != "way" or not isinstance(g, list):
                continue
            coords = [(p["lon"], p["lat"]) for p in g if isinstance(p, dict) and "lat" in p and "lon" in p]
            if len(coords) >= 2:
                (inner if m.get("role") == "inner" else outer).append(LineString(coords))
        if outer:
            polys = list(polygonize(linemerge(outer)))
            if polys:
                shape = unary_union(polys)
                holes = list(polygonize(linemerge(inner))) if inner else []
                if holes:
                    shape = shape.difference(unary_union(holes))
                if not shape.is_empty:
                    return shape
    center = el.get("center")
    if isinstance(center, dict) and isinstance(center.get("lat"), (int, float)) and isinstance(center.get("lon"), (int, float)):
        return Point(center["lon"], center["lat"])
    bounds = el.get("bounds")
    if isinstance(bounds, dict):
        try:
            return Point((bounds["minlon"] + bounds["maxlon"]) / 2, (bounds["minlat"] + bounds["maxlat"]) / 2)
        except (KeyError, TypeError):
            pass
    return None


def import_overpass_json(
    source: str | os.PathLike | dict,
    *,
    bbox: BBox | str | None = None,
    clip: Any = None,
    lang: str = "fr",
    require_name: bool = True,
    label: str | None = None,
) -> OsmImport:
    """POIs of an Overpass API JSON answer (a path, or the decoded dict)."""
    if isinstance(source, dict):
        doc, name = source, label or "overpass"
    else:
        name = str(source)
        doc = read_json_file(source)
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        raise SourceDataError(f"{name}: not an Overpass JSON answer (no 'elements' list)")
    if doc.get("remark") and (not doc["elements"] or "runtime error" in str(doc["remark"])):
        # a runtime error (timeout, out of memory) comes after a partial answer: never build from half a town
        raise SourceDataError(f"{name}: Overpass answered with an error: {str(doc['remark'])[:200]}")
    where = Clip(bbox=bbox, polygon=clip)
    report = ImportReport(name)

    def objects():
        for i, el in enumerate(doc["elements"]):
            if not isinstance(el, dict) or el.get("type") not in ("node", "way", "relation"):
                report.add("element is not a node, way or relation", record=f"#{i}")
                continue
            eid = el.get("id")
            tags = el.get("tags")
            if not isinstance(eid, int) or not isinstance(tags, dict):
                if isinstance(eid, int) and tags is None:
                    continue  # an untagged geometry node
                report.add("element needs an integer id and a tags object", record=f"#{i}")
                continue
            if not any(k in tags for k in INTERESTING_KEYS):
                continue
            tags = {str(k): str(v) for k, v in tags.items()}
            try:
                geom = _overpass_geometry(el, f"{el['type']}/{eid}")
            except (ValueError, TypeError, KeyError) as exc:
                report.add(f"bad geometry: {exc}", record=f"{el['type']}/{eid}", field="geometry")
                continue
            yield el["type"], eid, tags, geom

    result = _convert(objects(), source=name, where=where, lang=lang, require_name=require_name)
    problems = report.problems + result.report.problems
    result.report.problems = problems
    return result


def read_overpass_json(source: str | os.PathLike | dict, **options: Any) -> list[POI]:
    """The POIs of an Overpass JSON answer (see :func:`import_overpass_json`)."""
    return import_overpass_json(source, **options).pois


# -- GeoJSON exports (overpass-turbo / osmtogeojson) ----------------------------------------
_OSM_ID_RE = re.compile(r"^(node|way|relation)/(\d+)$")


def import_osm_geojson(
    path: str | os.PathLike,
    *,
    bbox: BBox | str | None = None,
    clip: Any = None,
    lang: str = "fr",
    require_name: bool = True,
) -> OsmImport:
    """POIs of an OSM GeoJSON export: features with an ``id`` (or ``@id``) such as ``node/123``, tags as properties."""
    from shapely.geometry import shape

    path = Path(path)
    doc = read_json_file(path)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise SourceDataError(f"{path}: not a GeoJSON FeatureCollection with a 'features' list")
    report = ImportReport(str(path))

    def objects():
        for i, feat in enumerate(doc["features"]):
            props = feat.get("properties") if isinstance(feat, dict) else None
            if not isinstance(props, dict):
                report.add("feature has no properties object", record=f"#{i}")
                continue
            fid = feat.get("id") if isinstance(feat.get("id"), str) else props.get("@id")
            m = _OSM_ID_RE.match(fid) if isinstance(fid, str) else None
            if m is None:
                report.add(f"no OSM id like node/123: {fid!r:.40}", record=f"#{i}", field="id")
                continue
            tags = {str(k): str(v) for k, v in props.items() if not str(k).startswith("@") and v is not None}
            if not any(k in tags for k in INTERESTING_KEYS):
                report.skip("no tag of interest")
                continue
            try:
                geom = shape(feat["geometry"])
                if not geom.is_valid:
                    geom = geom.buffer(0)
            except Exception as exc:  # noqa: BLE001 - any malformed geometry is one report line
                report.add(f"bad geometry: {exc}", record=fid, field="geometry")
                continue
            yield m.group(1), int(m.group(2)), tags, geom

    result = _convert(objects(), source=str(path), where=Clip(bbox=bbox, polygon=clip), lang=lang,
                      require_name=require_name)
    result.report.problems = report.problems + result.report.problems
    result.report.skipped.update(report.skipped)
    result.report.read += sum(report.skipped.values()) + len(report.problems)
    return result
