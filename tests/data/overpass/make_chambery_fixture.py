"""Regenerate chambery-centre.json.gz: the answer the Overpass API would give to
``build_query(CENTRE, streets=True)`` (heritage_kit/importers/_overpass.py), converted from the real
OSM extract data/raw/osm/chambery-faubourg-montmelian.osm.gz (no internet here: a stand-in, not a live
recording; see README.md).

Run from the repository root: PYTHONPATH=. python tests/data/overpass/make_chambery_fixture.py

The query's statements are read from the query text itself (``nwr["shop"](S,W,N,E);``,
``way["highway"](S,W,N,E);``), and evaluated as Overpass does: a node matches when it is inside the box;
a way when one of its segments touches the box; a relation when one of its members does. ``out geom``
prints nodes with lat/lon and tags, ways with bounds, node ids, full geometry and tags, relations with
bounds, members (ways with their geometry, nodes with lat/lon) and tags; sorted by type then id, as
Overpass sorts a union.
"""

from __future__ import annotations

import gzip
import json
import pathlib
import re

import osmium

from heritage_kit.importers._overpass import build_query
from heritage_kit.types import BBox

ROOT = pathlib.Path(__file__).resolve().parents[3]
SRC = ROOT / "data/raw/osm/chambery-faubourg-montmelian.osm.gz"
HERE = pathlib.Path(__file__).resolve().parent
# the centre of the Faubourg Montmélian: its shops, the post office and the Sacré-Cœur church (~300 x 430 m)
CENTRE = BBox(south=45.5645, west=5.9290, north=45.5672, east=5.9345)
OSM_BASE = "2021-01-01T00:00:00Z"  # the extract's download time is not recorded; its newest object is of 2020


def _statements(query: str) -> list[tuple[str, str]]:
    return re.findall(r'^\s*(nwr|node|way|relation)\["([^"]+)"\]\(', query, flags=re.M)


def _inside(lat: float, lon: float, b: BBox) -> bool:
    return b.south <= lat <= b.north and b.west <= lon <= b.east


def _segment_touches(p: tuple[float, float], q: tuple[float, float], b: BBox) -> bool:
    """Liang-Barsky: does the segment p-q (lat, lon) meet the box?"""
    t0, t1 = 0.0, 1.0
    dy, dx = q[0] - p[0], q[1] - p[1]
    for d, lo, hi, v in ((dx, b.west, b.east, p[1]), (dy, b.south, b.north, p[0])):
        if d == 0:
            if v < lo or v > hi:
                return False
            continue
        a, c = (lo - v) / d, (hi - v) / d
        t0, t1 = max(t0, min(a, c)), min(t1, max(a, c))
        if t0 > t1:
            return False
    return True


def _way_touches(geom: list[dict], b: BBox) -> bool:
    pts = [(g["lat"], g["lon"]) for g in geom]
    if any(_inside(la, lo, b) for la, lo in pts):
        return True
    return any(_segment_touches(p, q, b) for p, q in zip(pts, pts[1:]))


def _bounds(geom: list[dict]) -> dict:
    return {"minlat": min(g["lat"] for g in geom), "minlon": min(g["lon"] for g in geom),
            "maxlat": max(g["lat"] for g in geom), "maxlon": max(g["lon"] for g in geom)}


def answer(query: str, bbox: BBox) -> dict:
    stmts = _statements(query)
    wanted = {t: [k for s, k in stmts if s in (t, "nwr")] for t in ("node", "way", "relation")}
    nodes, ways, rels = {}, {}, []
    for o in osmium.FileProcessor(str(SRC)).with_locations():
        tags = dict(o.tags)
        if o.is_node():
            nodes[o.id] = (round(o.location.lat, 7), round(o.location.lon, 7), tags)
        elif o.is_way():
            geom = [{"lat": round(n.lat, 7), "lon": round(n.lon, 7)} for n in o.nodes]
            ways[o.id] = ([n.ref for n in o.nodes], geom, tags)
        else:
            rels.append((o.id, [(m.type, m.ref, m.role) for m in o.members], tags))
    out = []
    for nid in sorted(nodes):
        lat, lon, tags = nodes[nid]
        if any(k in tags for k in wanted["node"]) and _inside(lat, lon, bbox):
            out.append({"type": "node", "id": nid, "lat": lat, "lon": lon, "tags": tags})
    for wid in sorted(ways):
        refs, geom, tags = ways[wid]
        if any(k in tags for k in wanted["way"]) and _way_touches(geom, bbox):
            out.append({"type": "way", "id": wid, "bounds": _bounds(geom), "nodes": refs, "geometry": geom,
                        "tags": tags})
    for rid, members, tags in sorted(rels):
        if not any(k in tags for k in wanted["relation"]):
            continue
        ms, touches, allg = [], False, []
        for typ, ref, role in members:
            if typ == "w" and ref in ways:
                g = ways[ref][1]
                ms.append({"type": "way", "ref": ref, "role": role, "geometry": g})
                touches |= _way_touches(g, bbox)
                allg += g
            elif typ == "n" and ref in nodes:
                la, lo, _ = nodes[ref]
                ms.append({"type": "node", "ref": ref, "role": role, "lat": la, "lon": lo})
                touches |= _inside(la, lo, bbox)
                allg.append({"lat": la, "lon": lo})
        if touches:
            out.append({"type": "relation", "id": rid, "bounds": _bounds(allg), "members": ms, "tags": tags})
    return {
        "version": 0.6,
        "generator": "Overpass API 0.7.62.1 087ceb2e (stand-in: converted by tests/data/overpass/make_chambery_fixture.py"
                     " from data/raw/osm/chambery-faubourg-montmelian.osm.gz)",
        "osm3s": {"timestamp_osm_base": OSM_BASE,
                  "copyright": "The data included in this document is from www.openstreetmap.org. "
                               "The data is made available under ODbL."},
        "elements": out,
    }


def main() -> None:
    query = build_query(CENTRE, streets=True)
    (HERE / "chambery-centre.overpassql").write_text(query, encoding="utf-8")
    body = json.dumps(answer(query, CENTRE), ensure_ascii=False, indent=1).encode("utf-8")
    # mtime=0: the same input gives the same bytes
    (HERE / "chambery-centre.json.gz").write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    print(f"{len(body)} bytes of JSON, {len(json.loads(body)['elements'])} elements")


if __name__ == "__main__":
    main()
