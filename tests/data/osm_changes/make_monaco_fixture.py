"""Cut ``monaco-shops.osm`` out of the real Monaco extract (see README.md next to this file).

    PYTHONPATH=. python tests/data/osm_changes/make_monaco_fixture.py      # from the repository root

Keeps the chosen elements exactly as the extract has them (id, version, timestamp, tags, node positions, way
node lists) plus the nodes of the way, so the file is a complete, loadable OSM file.
"""

from __future__ import annotations

import pathlib

import osmium

ROOT = pathlib.Path(__file__).resolve().parents[3]
SOURCE = ROOT / "data" / "raw" / "osm" / "monaco-2026-07.osm.pbf"
OUT = pathlib.Path(__file__).with_name("monaco-shops.osm")
# shops (and the tourist office, a way) with opening_hours in content/monaco; node/1661205474 (Lamborghini)
# is left out on purpose: the tests use it for "element not in the OSM file"
NODES = {267885935, 268113123, 274497719, 1712696722}
WAYS = {94399465}


def main() -> None:
    way_nodes: set[int] = set()
    for obj in osmium.FileProcessor(str(SOURCE), osmium.osm.WAY):
        if obj.id in WAYS:
            way_nodes.update(n.ref for n in obj.nodes)
    if OUT.exists():
        OUT.unlink()
    writer = osmium.SimpleWriter(str(OUT))
    try:
        for obj in osmium.FileProcessor(str(SOURCE), osmium.osm.NODE | osmium.osm.WAY):
            if obj.is_node() and (obj.id in NODES or obj.id in way_nodes):
                writer.add_node(obj)
            elif obj.is_way() and obj.id in WAYS:
                writer.add_way(obj)
    finally:
        writer.close()


if __name__ == "__main__":
    main()
