"""Regenerate overpass_monaco_basemap.json: the basemap objects around the Rocher (and its coastline) in the
shape the Overpass API answers ``[out:json]; nwr[building|natural|...](bbox); out geom;``, converted from the
project's Monaco extract (no internet on these machines, so it is converted rather than recorded live).

Run from the repository root: python tests/data/make_overpass_basemap_fixture.py
"""

import json
import pathlib

import osmium

from heritage_kit.basemap.extract import BASEMAP_KEYS, _wanted
from make_overpass_fixture import overpass_answer  # same folder: run as a script from the repository root

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = ROOT / "data/raw/osm/monaco-2026-07.osm.pbf"
BOX = (43.7290, 7.4180, 43.7330, 7.4290)  # S, W, N, E: the Rocher, the Palace square and the sea south of it


def _in_box(p):
    return BOX[0] <= p["lat"] <= BOX[2] and BOX[1] <= p["lon"] <= BOX[3]


def main():
    ways = {o.id: [{"lat": round(n.lat, 7), "lon": round(n.lon, 7)} for n in o.nodes if n.location.valid()]
            for o in osmium.FileProcessor(str(SRC), osmium.osm.NODE | osmium.osm.WAY).with_locations()
            if o.is_way()}
    elements = []
    for o in osmium.FileProcessor(str(SRC)).with_locations().with_filter(osmium.filter.KeyFilter(*BASEMAP_KEYS)):
        tags = dict(o.tags)
        if not any(_wanted(tags)):
            continue  # what the basemap does not draw (Overpass would be asked only for what it draws)
        if o.is_node():
            p = {"lat": round(o.location.lat, 7), "lon": round(o.location.lon, 7)}
            if _in_box(p):
                elements.append({"type": "node", "id": o.id, **p, "tags": tags})
        elif o.is_way() and any(_in_box(p) for p in ways.get(o.id, ())):
            elements.append({"type": "way", "id": o.id, "nodes": [n.ref for n in o.nodes],
                             "geometry": ways[o.id], "tags": tags})
        elif o.is_relation() and tags.get("type") == "multipolygon":
            members = [{"type": "way", "ref": m.ref, "role": m.role, "geometry": ways.get(m.ref, [])}
                       for m in o.members if m.type == "w"]
            if any(_in_box(p) for m in members for p in m["geometry"]):
                elements.append({"type": "relation", "id": o.id, "members": members, "tags": tags})
    doc = overpass_answer(elements)
    out = pathlib.Path(__file__).with_name("overpass_monaco_basemap.json")
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {out}: {len(elements)} elements, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
