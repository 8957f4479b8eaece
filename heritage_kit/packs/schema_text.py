"""What every field of the pack files and of the build recipe means: the ``description`` of each property in
the generated JSON Schemas (:mod:`heritage_kit.packs.schema`); ``docs/guide.md`` says the same for people.

Keyed by the schema definition's name (the pydantic model's name; ``PackManifest``, ``POIProperties`` and
``BuildConfig`` for the top levels), then by field. A test checks that every property has its text.
"""

from __future__ import annotations

__all__ = ["FIELD_TEXT", "SCHEMA_ID_BASE"]

# The project's namespace (as for the GPX extension namespace https://heritage-kit.org/xmlschemas/gpx-fix/1);
# docs/schema/ is what is published there, one folder per pack format.
SCHEMA_ID_BASE = "https://heritage-kit.org/schema/pack/1.1/"

_LATLON = {"lat": "latitude, WGS 84 degrees (−90…90)", "lon": "longitude, WGS 84 degrees (−180…180)"}
_ATTRIBUTION = {
    "text": "the credit line shown in the app, e.g. \"© OpenStreetMap contributors\"",
    "licence": "the licence of that data, e.g. \"ODbL 1.0\", \"Licence Ouverte 2.0\"",
    "url": "an http(s) link to the source or the licence",
}

FIELD_TEXT: dict[str, dict[str, str]] = {
    "PackManifest": {
        "format_version": "pack format: 1 (= 1.0) or \"MAJOR.MINOR\" such as \"1.1\"; a reader accepts a higher minor "
                          "(drops the optional fields it does not know, with a warning) and refuses a higher major",
        "town_id": "stable identifier of the town, lower case letters, digits, '-' and '_' (e.g. \"chartres\")",
        "town_name": "the town's name as shown to visitors",
        "centre": "where the map opens",
        "bbox": "the area the pack covers; POIs more than 2 km outside are flagged",
        "timezone": "IANA timezone used to read opening hours (e.g. \"Europe/Paris\")",
        "country": "ISO 3166 country code whose public holidays apply to 'PH' in opening hours",
        "version": "the pack's own version, raised at each new edition (the app updates on a higher one)",
        "created": "when this edition was built (ISO 8601 date-time)",
        "languages": "languages the texts are written in, first the main one",
        "attributions": "every data source's credit and licence (at least one), shown in the app",
        "files": "every other file of the pack with its SHA-256 and size; written by save_pack and `pack rehash`",
        "description": "a line about the pack per language ({\"fr\": …, \"en\": …}; a plain string is still read)",
        "branding": "format 1.1: the town's name, colours, logo and links shown in the app",
        "extensions": "format 1.1: the town's own data by namespace ({\"chartres\": {…}}), kept as is, never read "
                      "by heritage-kit; namespace 'hk' is reserved",
        "reader_min_version": "format 1.1: the lowest heritage-kit release that reads this pack (written by "
                              "save_pack from the format; a catalogue's min_app_version is at least this)",
    },
    "Attribution": _ATTRIBUTION,
    "BBox": {"south": "southern latitude", "west": "western longitude", "north": "northern latitude",
             "east": "eastern longitude"},
    "LatLon": _LATLON,
    "FileEntry": {"sha256": "SHA-256 of the file's bytes, 64 lower-case hex digits", "size": "size in bytes"},
    "Branding": {
        "name": "the pack's name per language (default: town_name)",
        "colours": "header and accent colours",
        "logo": "a media/… image of the pack (.png, .jpg, .webp) or an https URL",
        "links": "links of the about box (https only, at most 10)",
        "organisation": "who publishes the pack (e.g. \"Ville de Chartres\")",
    },
    "BrandColours": {"primary": "header colour, #RRGGBB", "secondary": "second colour, #RRGGBB",
                     "accent": "buttons and highlights, #RRGGBB"},
    "BrandLink": {"label": "the link's text per language", "url": "an https:// address"},
    "POIProperties": {
        "kind": "heritage, commerce or service",
        "categories": "one or more names of the category list (docs/guide.md#categories); a listed synonym or "
                      "label (\"plaque\", \"boulangerie\") is mapped to its category, an unknown one refused",
        "name": "the place's name per language",
        "description": "a text about the place per language",
        "footprint": "the building's outline, a GeoJSON Polygon or MultiPolygon (lon, lat)",
        "media": "images and audio: files of the pack (media/…) or URLs, each with its licence",
        "opening_hours": "OpenStreetMap opening_hours syntax (e.g. \"Mo-Sa 09:00-12:00,14:00-19:00; PH off\"); "
                         "frequent mistakes are repaired, unreadable values are 'unknown', never 'open'",
        "address": "street address",
        "phone": "phone number as written",
        "website": "an http(s) link",
        "wheelchair": "yes, limited or no (OSM's wheelchair=*)",
        "refs": "identifiers in other databases (OSM, Mérimée, Wikidata, Wikipedia)",
        "heritage": "protection and dates of a heritage site",
        "sources": "where the data comes from, with licences",
        "updated": "when this POI's data was last changed",
        "text_origin": "human (written by a person) or composed (from the sourced facts)",
        "osm_tags": "OSM tags kept as sourced facts for composed texts",
        "extensions": "format 1.1: the town's own data by namespace, kept as is",
        "housed_in": "format 1.2: the id of the listed building (a heritage POI) this shop is in; computed at "
                     "pack build from the monument's footprint or its mapped building",
        "support": "format 1.2: how to help this monument (restoration fund, Fondation du patrimoine campaign, "
                   "donation page), set by the town; https only",
    },
    "SupportLink": {"url": "an https:// address", "label": "the link's text per language"},
    "Event": {
        "id": "stable identifier of the event (lower case letters, digits, '.', ':', '_', '-')",
        "kind": "market, sale, concert, heritage_days, guided_visit, festival, exhibition, closure or other",
        "title": "the event's title per language",
        "text": "a text about it per language",
        "start": "first occurrence's start, local time without offset (\"2026-09-19T09:00\"); the pack's timezone "
                 "applies",
        "end": "first occurrence's end, local time without offset, after start",
        "recurrence": "how it repeats (weekly, monthly, yearly); none: it happens once",
        "poi": "the POI it takes place at (a POI id of the pack)",
        "location": "where it takes place, when not at a POI (or more precisely)",
        "opens_poi": "the POI is open during the event (default: true for a market or a sale at a POI)",
        "closes_poi": "the POI is closed to visitors during the event (the trail planner leaves it out)",
        "url": "a page about the event",
        "source": "where the event comes from, with its licence (required)",
    },
    "Recurrence": {
        "freq": "weekly, monthly or yearly",
        "interval": "every how many weeks / months / years (default 1)",
        "weekdays": "MO…SU: weekly, the days it is held; monthly/yearly with nth, the weekday",
        "nth": "monthly/yearly: which of those weekdays in the month (1…5, -1 the last)",
        "months": "yearly: the months (1…12; default: start's month)",
        "until": "last day it may be held (local date, included)",
        "count": "how many occurrences in all",
        "except_dates": "cancelled dates",
        "on_public_holiday": "keep, skip, day_before or day_after: what an occurrence on a public holiday of "
                             "the pack's country does",
    },
    "events.json": {"events": "the pack's dated events"},
    "Feature": {"type": "always \"Feature\"", "id": "the POI's stable id: osm:node/123, merimee:PA00082725, hk:<uuid>, "
                "or the town's own scheme", "geometry": "a GeoJSON Point", "properties": "the POI's fields"},
    "Address": {"housenumber": "house number", "street": "street name", "postcode": "postal code", "city": "town"},
    "Footprint": {"type": "Polygon or MultiPolygon", "coordinates": "GeoJSON rings of [lon, lat]"},
    "HeritageFacts": {
        "protection": "classé, inscrit, classé et inscrit, or other",
        "protection_act": "the legal act as written in the source (Mérimée)",
        "dates": "dates of construction or changes, as written",
        "period": "century or period",
    },
    "Media": {
        "type": "image or audio",
        "path": "a file of the pack, media/…",
        "url": "or an http(s) URL",
        "author": "who made it",
        "licence": "its licence (required)",
        "caption": "a caption per language",
        "lang": "audio: the language spoken",
        "transcript": "audio: what is said",
        "origin": "audio: recorded (a voice) or synthesised",
        "duration_s": "audio: length in seconds",
        "pending": "a reference found in the source, not yet in the pack and whose licence is not checked; "
                   "never shown",
    },
    "Refs": {"osm": "node/…, way/… or relation/…", "merimee": "Mérimée reference, PA + 8 characters",
             "wikidata": "Q…", "wikipedia": "lang:Title"},
    "Source": {"name": "the source's name", "url": "a link to the record", "licence": "its licence",
               "attribution": "the credit it asks for"},
    "Trail": {
        "id": "stable identifier of the trail",
        "title": "title per language",
        "description": "text per language",
        "stops": "POI ids in walking order",
        "geometry": "the walking line, if known",
        "length_m": "walking length in metres (along the streets when known)",
        "duration_min": "walking time at 4.5 km/h, without visits",
        "tags": "free labels (heritage, shopping, loop, step-free…)",
    },
    "pois.geojson": {"type": "always \"FeatureCollection\"", "features": "one Point Feature per POI"},
    "trails.json": {"trails": "the pack's curated trails"},
    "BuildConfig": {
        "town_id": "the pack's town_id",
        "town_name": "the pack's town_name",
        "timezone": "the pack's timezone",
        "country": "the pack's country (public holidays)",
        "languages": "the pack's languages",
        "description": "the pack's description per language",
        "centre": "where the map opens (default: the middle of the POIs)",
        "version": "the pack's version",
        "created": "fixed creation date, so a rebuild gives the same bytes",
        "clip": "keep only what lies in this bbox and/or polygon",
        "sources": "the open-data files (or Overpass endpoint) to import, in order",
        "merge": "how Mérimée and OSM records of one place are matched",
        "keep": "which kinds of POIs to keep",
        "poi_overrides": "POI id -> fields to replace (names, texts, categories…): your own texts",
        "trails": "the curated trails (their stops are POI ids of the pack)",
        "streets": "an OSM file (or \"overpass\") to build the walking network from",
        "basemap": "true, or an OSM / Overpass file: extract the map layers",
        "audio": "true: read every heritage text aloud (espeak-ng and sox on the build machine)",
        "events": "an events file ({\"events\": [Event, …]}, as the pack's events.json), relative to the recipe",
        "housed_in": "which buildings house shops: \"listed\" (default: Mérimée monuments / protected), "
                     "\"heritage\" (every heritage POI with a footprint), or \"off\"",
        "attributions": "every source's credit and licence",
    },
    "SourceSpec": {
        "type": "merimee, osm or overpass",
        "path": "a file, relative to the recipe's folder (then its parents)",
        "url": "overpass only: an Overpass API endpoint queried at build time",
        "lang": "language of the source's names",
        "require_name": "skip places without a name",
    },
    "ClipSpec": {"bbox": "\"south,west,north,east\" in degrees", "polygon": "a GeoJSON Polygon"},
    "MergeSpec": {"max_distance_m": "farthest apart two records of one place may be (metres)",
                  "min_name_score": "how alike their names must be (0–100)"},
    "KeepSpec": {"kinds": "any of heritage, commerce, service"},
}


def describe(schema: dict, top: str | None = None) -> dict:
    """``schema`` with a ``description`` on every property :data:`FIELD_TEXT` knows (in place; returned);
    ``top`` names the model of the top level."""
    groups = [(top, schema)] + list(schema.get("$defs", {}).items())
    for name, node in groups:
        texts = FIELD_TEXT.get(name or "", {})
        for field, prop in node.get("properties", {}).items():
            if field in texts and isinstance(prop, dict):
                prop.setdefault("description", texts[field])
    return schema
