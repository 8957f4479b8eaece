"""Regenerate overpass_monaco_rocher.json: the Rocher part of the real Monaco OSM extract, written in the
exact shape the Overpass API answers `[out:json]; nwr[...](bbox); out geom;` (no internet here, so the
answer is converted from data/raw/osm/monaco-2026-07.osm.pbf rather than recorded live).

Run from the repository root: python tests/data/make_overpass_fixture.py
"""

import json
import pathlib

import osmium

from heritage_kit.importers.tags import INTERESTING_KEYS

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "data/raw/osm/monaco-2026-07.osm.pbf"
S, W, N, E = 43.7290, 7.4180, 43.7330, 7.4290


def inside(lat, lon):
    return S <= lat <= N and W <= lon <= E


def overpass_answer(elements: list) -> dict:
    """An Overpass ``[out:json]`` answer holding ``elements`` (as converted from the Monaco extract)."""
    return {
        "version": 0.6,
        "generator": "Overpass API 0.7.62 (shape); converted from data/raw/osm/monaco-2026-07.osm.pbf",
        "osm3s": {"timestamp_osm_base": "2026-07-10T00:00:00Z",
                  "copyright": "The data included in this document is from www.openstreetmap.org. "
                               "The data is made available under ODbL."},
        "elements": elements,
    }


def main():
    way_geom = {}
    elements = []
    for o in osmium.FileProcessor(str(SRC)).with_locations():
        if o.is_way():
            way_geom[o.id] = [{"lat": round(n.lat, 7), "lon": round(n.lon, 7)} for n in o.nodes if n.location.valid()]
    for o in osmium.FileProcessor(str(SRC)).with_locations():
        tags = dict(o.tags)
        if not any(k in tags for k in INTERESTING_KEYS):
            continue
        if o.is_node() and inside(o.location.lat, o.location.lon):
            elements.append({"type": "node", "id": o.id, "lat": round(o.location.lat, 7),
                             "lon": round(o.location.lon, 7), "tags": tags})
        elif o.is_way():
            g = way_geom.get(o.id) or []
            if any(inside(p["lat"], p["lon"]) for p in g):
                elements.append({"type": "way", "id": o.id, "nodes": [n.ref for n in o.nodes], "geometry": g,
                                 "tags": tags})
        elif o.is_relation() and tags.get("type") == "multipolygon":
            members = [{"type": "way", "ref": m.ref, "role": m.role, "geometry": way_geom.get(m.ref, [])}
                       for m in o.members if m.type == "w"]
            if any(inside(p["lat"], p["lon"]) for m in members for p in m["geometry"]):
                elements.append({"type": "relation", "id": o.id, "members": members, "tags": tags})
    doc = overpass_answer(elements)
    out = pathlib.Path(__file__).with_name("overpass_monaco_rocher.json")
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {out}: {len(elements)} elements")


if __name__ == "__main__":
    main()
