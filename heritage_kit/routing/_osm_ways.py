"""Adapter: read foot-accessible ways from an OSM file (PBF, XML, .osm.gz) with osmium.

This is the only routing module that touches files. It returns plain edge
records that :class:`heritage_kit.routing.graph.WalkingGraph` turns into a graph
(:func:`osm_street_records`, behind ``WalkingGraph.from_osm``).

Foot rule set (documented in docs/architecture.md, "Routing"):

* ``highway`` must be one of :data:`FOOT_HIGHWAYS` — footways, paths, steps,
  pedestrian streets, living streets, residential/service/unclassified roads,
  tertiary/secondary/primary roads and their links (French town centres have
  pavements along them), tracks, corridors, elevators and platforms;
  ``cycleway`` and ``bridleway`` only with an explicit ``foot=yes|designated|permissive``;
  motorways and trunks only with an explicit positive ``foot`` tag; never
  ``construction``, ``proposed``, ``raceway``, ``bus_guideway``, ``abandoned``.
* ``foot=no|use_sidepath`` excludes the way; ``foot=yes|designated|permissive|destination``
  includes it whatever ``access`` says; otherwise ``access=no|private|military``
  excludes it.
* ``oneway:foot=yes`` makes the way walkable only along its drawing direction,
  ``oneway:foot=-1`` only against it. Plain ``oneway`` (for vehicles) is ignored.
* ``highway=steps`` is flagged as steps, with ``step_count`` when tagged.
  Escalators (``conveying=*``) are steps too (not step-free); ``conveying=forward|backward``
  makes them one-way (unless ``oneway:foot`` says otherwise). Steps with
  ``ramp:wheelchair=yes`` stay steps but remain usable on step-free routes (by the ramp).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from heritage_kit.errors import SourceDataError
from heritage_kit.types import BBox

__all__ = ["FOOT_HIGHWAYS", "OsmWay", "is_walkable", "read_osm_ways", "osm_street_records"]

FOOT_HIGHWAYS = frozenset(
    {
        "footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
        "unclassified", "road", "track", "tertiary", "tertiary_link", "secondary", "secondary_link",
        "primary", "primary_link", "corridor", "elevator", "platform",
    }
)
_NEEDS_FOOT_TAG = frozenset({"cycleway", "bridleway", "trunk", "trunk_link", "motorway", "motorway_link", "busway"})
_NEVER = frozenset({"construction", "proposed", "raceway", "bus_guideway", "abandoned", "disused", "razed"})
_FOOT_YES = frozenset({"yes", "designated", "permissive", "destination", "official"})
_FOOT_NO = frozenset({"no", "use_sidepath", "private"})
_ACCESS_NO = frozenset({"no", "private", "military", "agricultural", "forestry"})


def is_walkable(tags: dict[str, str]) -> bool:
    """The foot rule set applied to one way's tags."""
    hw = tags.get("highway")
    if hw is None or hw in _NEVER:
        return False
    foot = tags.get("foot")
    if foot in _FOOT_NO:
        return False
    if foot in _FOOT_YES:
        return True
    if hw in _NEEDS_FOOT_TAG or hw not in FOOT_HIGHWAYS:
        return False
    if tags.get("access") in _ACCESS_NO:
        return False
    return True


@dataclass(slots=True)
class OsmWay:
    """One walkable way: its node ids and positions, and foot-relevant tags."""

    way_id: int
    node_ids: list[int]
    lats: list[float]
    lons: list[float]
    highway: str
    steps: bool
    step_count: int | None
    oneway: int  # 0 both ways, 1 along the drawing, -1 against it
    name: str | None
    ramp: bool = False  # steps with a wheelchair ramp


def _step_count(value: str | None) -> int | None:
    if not value:
        return None
    try:
        n = int(value.strip())
    except ValueError:
        return None
    return n if 0 < n < 10_000 else None


def _oneway(value: str | None) -> int:
    if value in ("yes", "true", "1"):
        return 1
    if value == "-1":
        return -1
    return 0


def _way_oneway(tags: dict[str, str]) -> int:
    if "oneway:foot" in tags:
        return _oneway(tags["oneway:foot"])
    conveying = tags.get("conveying")
    if conveying == "forward":
        return 1
    if conveying == "backward":
        return -1
    return 0


def read_osm_ways(path: str | os.PathLike, *, bbox: BBox | None = None) -> list[OsmWay]:
    """Every walkable way of the OSM file at ``path`` (runs of nodes inside ``bbox`` only).

    A way whose nodes leave ``bbox`` (or have no location, as in a clipped
    extract) is cut into the runs that remain inside.
    """
    from heritage_kit.extras import require

    osmium = require("osmium", feature="reading OSM files")

    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, "No such file", path)
    out: list[OsmWay] = []
    try:
        fp = osmium.FileProcessor(path, osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for obj in fp:
            if not obj.is_way():
                continue
            tags = {t.k: t.v for t in obj.tags}
            if not is_walkable(tags):
                continue
            hw = tags["highway"]
            run_ids: list[int] = []
            run_lat: list[float] = []
            run_lon: list[float] = []
            runs = []
            for n in obj.nodes:
                loc = n.location
                ok = loc.valid() and (bbox is None or bbox.contains(loc.lat, loc.lon))
                if ok:
                    if run_ids and run_ids[-1] == n.ref:
                        continue  # repeated node
                    run_ids.append(n.ref)
                    run_lat.append(loc.lat)
                    run_lon.append(loc.lon)
                else:
                    if len(run_ids) >= 2:
                        runs.append((run_ids, run_lat, run_lon))
                    run_ids, run_lat, run_lon = [], [], []
            if len(run_ids) >= 2:
                runs.append((run_ids, run_lat, run_lon))
            for ids, lats, lons in runs:
                out.append(
                    OsmWay(
                        way_id=obj.id,
                        node_ids=ids,
                        lats=lats,
                        lons=lons,
                        highway=hw,
                        steps=hw == "steps",
                        step_count=_step_count(tags.get("step_count")) if hw == "steps" else None,
                        oneway=_way_oneway(tags),
                        name=tags.get("name"),
                        ramp=hw == "steps" and tags.get("ramp:wheelchair") == "yes",
                    )
                )
    except RuntimeError as exc:  # osmium reports unreadable input as RuntimeError
        raise SourceDataError(f"{path}: cannot read OSM data: {exc}") from exc
    return out


def osm_street_records(path: str | os.PathLike, *, bbox: BBox | None = None) -> list:
    """The walkable ways of an OSM file as street records for :func:`heritage_kit.routing._build.build_edges`."""
    ways = read_osm_ways(path, bbox=bbox)
    if not ways:
        raise SourceDataError(f"{os.fspath(path)}: no walkable way" + (" inside the bbox" if bbox else ""))
    return [
        (w.node_ids, w.lats, w.lons, w.oneway, dict(highway=w.highway, steps=w.steps, step_count=w.step_count, name=w.name, ramp=w.ramp))
        for w in ways
    ]
