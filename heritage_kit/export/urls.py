"""Where a POI's or a trail's web page lives: one rule shared by the static site and the leaflet's QR codes.

Layout of a site built by ``heritage-kit site build``::

    {base}/{lang}/index.html
    {base}/{lang}/poi/{slug}.html      slug of the POI id: "osm:node/42" -> "osm-node-42"
    {base}/{lang}/trail/{trail_id}.html
"""

from __future__ import annotations

import re

__all__ = ["slug", "poi_path", "trail_path", "page_url"]

_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def slug(identifier: str) -> str:
    """A file-name-safe, stable form of an id (lower case, ``[a-z0-9_-]``)."""
    s = _UNSAFE.sub("-", identifier.lower()).strip("-")
    return s or "x"


def poi_path(lang: str, poi_id: str) -> str:
    return f"{lang}/poi/{slug(poi_id)}.html"


def trail_path(lang: str, trail_id: str) -> str:
    return f"{lang}/trail/{slug(trail_id)}.html"


def page_url(base_url: str, path: str) -> str:
    """``base_url`` joined with a site path (exactly one slash between them)."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")
