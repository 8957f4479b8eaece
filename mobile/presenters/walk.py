"""Walk mode: next stop, distance and direction, route, arrival alerts, progress, open shops.

The presenter receives its collaborators:

- ``engine``: an :class:`ArrivalEngine` (in the app, the geofence engine of
  :mod:`heritage_kit.geofence` wrapped by :mod:`mobile.presenters.arrivals`),
  fed every position, answering which stops were just reached;
- ``router``: ``(from LatLon, to LatLon) -> list[LatLon] | None`` (in the app,
  :class:`heritage_kit.routing.WalkingGraph`), called when the next stop
  changes and, once when the walk starts, for every leg of the walker's
  planned path (here, then the remaining stops), given to an engine that has
  ``set_route`` (route mode of :class:`heritage_kit.geofence.GeofenceEngine`);
- ``badges``: opening hours for "open along the way".

:meth:`to_dict` / :meth:`restore` keep the walk across a restart: the visited
and skipped stops, the alerts already shown and the engine's own state, so a
restart never alerts again for a stop already announced.

A walk always finishes: :meth:`skip` ("Skip this stop") and :meth:`arrived`
("I'm here") move on without the engine, and reaching a later stop marks the
earlier unvisited ones as skipped instead of sending the walker back to them.
The end shows how many stops were visited and skipped.

Neighbours do not steal each other's arrival: when the engine reports a later stop while the
next stop is within :data:`NEIGHBOUR_M` (plus the fix's accuracy) of the walker, the next stop
is announced first and the later one on the following position (:attr:`_held`), instead of
marking the next stop skipped. :attr:`WalkView.markers` numbers the stops as the list does,
for the map's numbered markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Protocol

import numpy as np
import shapely

from heritage_kit.geo import LocalProjection, bearing_deg, haversine_m
from heritage_kit.types import LatLon
from mobile.i18n import Translator
from mobile.presenters.hours import HoursBadges
from mobile.presenters.location import Position
from mobile.presenters.markup import escape

__all__ = ["ArrivalEngine", "Alert", "WalkView", "WalkPresenter", "SHOP_CORRIDOR_M", "NEIGHBOUR_M", "arrival_audio"]

SHOP_CORRIDOR_M = 60.0
NEIGHBOUR_M = 35.0  # a later stop this close to the next one does not pass the next one over
STATE_VERSION = 1


class ArrivalEngine(Protocol):
    def update(self, position: Position) -> list[str]:
        """Ids of the stops entered with this position (each once)."""

    def set_next(self, next_id: str | None) -> None: ...

    # optional: def set_route(self, points: list[LatLon] | None) -> None — the walker's planned path

    def state_dict(self) -> dict: ...

    def load_state(self, data: dict) -> None: ...


Router = Callable[[LatLon, LatLon], "list[LatLon] | None"]


def arrival_audio(pack, poi_id: str, lang: str) -> tuple[str, str] | None:
    """What plays when a stop is reached with "audio on arrival" on (a setting, off by default):
    ``("file", media path)`` for the pack's audio in ``lang`` (a guide's recording before the
    synthetic voice), else ``("speech", text)`` for the phone's voice; None with neither."""
    from heritage_kit.export.audio import audio_for

    poi = pack.poi(poi_id)
    track = audio_for(poi, lang)
    if track is not None and track.path and track.path in pack.media:
        return ("file", track.path)
    desc = poi.description.get(lang) if poi.description else ""
    text = ". ".join(t for t in (poi.name.get(lang), desc) if t)
    return ("speech", text) if text else None


@dataclass(frozen=True)
class Alert:
    poi_id: str
    title: str  # plain text (notifications are not markup)
    body: str
    time: datetime


@dataclass
class WalkView:
    title: str  # escaped
    next_id: str | None
    next_name: str  # escaped
    distance: str  # escaped "120 m north-east"
    bearing: float | None
    progress: str  # escaped "Stop 2/5"
    done: int
    total: int
    finished: bool
    route: list[LatLon] = field(default_factory=list)
    open_shops: list[tuple[str, str]] = field(default_factory=list)  # (poi id, escaped line)
    stops: list[tuple[str, str, bool]] = field(default_factory=list)  # (poi id, escaped name, visited)
    skipped: list[str] = field(default_factory=list)  # poi ids passed over (skipped, or a later stop reached first)
    # (poi id, number in the list from 1, "next" | "visited" | "skipped" | "todo"): the map's numbered markers
    markers: list[tuple[str, int, str]] = field(default_factory=list)


class WalkPresenter:
    def __init__(
        self,
        pack,
        trail,
        *,
        tr: Translator,
        engine: ArrivalEngine,
        router: Router | None = None,
        badges: HoursBadges | None = None,
        stops: list[str] | None = None,
        title: str | None = None,
    ) -> None:
        self.pack = pack
        self.trail = trail
        self.stop_ids: list[str] = list(stops if stops is not None else trail.stops)
        self.title = title or (trail.title.get(tr.lang) if trail is not None else "")
        self.tr = tr
        self.engine = engine
        self.router = router
        self.badges = badges
        self.visited: list[str] = []
        self.skipped: list[str] = []
        self.alerted: set[str] = set()
        self.position: Position | None = None
        self._route: list[LatLon] = []
        self._route_for: str | None = None
        self._route_set = False  # the engine was given the planned path (kept in its saved state)
        self._shops: list[tuple[str, str]] = []
        self._held: list[str] = []  # later stops reached next to the next stop: announced on the following fix
        self._proj = LocalProjection(pack.manifest.centre.lat, pack.manifest.centre.lon)
        self._tell_next()

    def _tell_next(self) -> None:
        set_next = getattr(self.engine, "set_next", None)
        if set_next is not None:
            set_next(self.next_id)

    # -- state -------------------------------------------------------------
    @property
    def next_id(self) -> str | None:
        for sid in self.stop_ids:
            if sid not in self.visited and sid not in self.skipped:
                return sid
        return None

    def _remaining(self) -> list[str]:
        return [s for s in self.stop_ids if s not in self.visited and s not in self.skipped]

    def to_dict(self) -> dict:
        return {
            "version": STATE_VERSION,
            "town_id": self.pack.manifest.town_id,
            "trail_id": self.trail.id if self.trail is not None else None,
            "title": self.title,
            "stops": self.stop_ids,
            "visited": self.visited,
            "skipped": self.skipped,
            "alerted": sorted(self.alerted),
            "held": list(self._held),  # reached next to the next stop, not announced yet
            "route_set": self._route_set,
            "engine": self.engine.state_dict(),
        }

    def restore(self, data: dict) -> bool:
        """Take back a saved walk of the same pack and stops; False (and no change) otherwise."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return False
        if data.get("town_id") != self.pack.manifest.town_id or data.get("stops") != self.stop_ids:
            return False
        ids = set(self.stop_ids)
        self.visited = [s for s in data.get("visited", []) if s in ids]
        self.skipped = [s for s in data.get("skipped", []) if s in ids and s not in self.visited]  # absent before
        self.alerted = {s for s in data.get("alerted", []) if s in ids}
        self._held = [s for s in data.get("held", []) if s in ids and s not in self.visited]  # absent before
        if isinstance(data.get("engine"), dict):
            self.engine.load_state(data["engine"])
        self._tell_next()
        self._route_for = None
        self._route_set = bool(data.get("route_set"))  # an older save: the route is given on the next fix
        return True

    # -- updates -------------------------------------------------------------
    def on_position(self, position: Position) -> list[Alert]:
        """Feed one position; returns the alerts to show now (each stop at most once)."""
        self.position = position
        if not self._route_set:
            self._give_route()
        alerts: list[Alert] = []
        entered = [s for s in self._held if s not in self.visited]
        self._held = []
        entered += [s for s in self.engine.update(position) if s in self.stop_ids and s not in entered]
        entered.sort(key=self.stop_ids.index)  # the next stop first, then in the trail's order
        for sid in entered:
            if alerts:  # one announcement per fix: the others follow on the next ones
                self._held.append(sid)
                continue
            nid = self.next_id
            if sid != nid and nid is not None and sid not in self.visited and self._near(nid, position):
                # a neighbour of the next stop: the next stop is reached first, the neighbour on the next fix
                self._held.append(sid)
                sid = nid
            self._arrive(sid, position, alerts)
        if self._route_for != self.next_id:
            self._refresh_leg()
        return alerts

    def _arrive(self, sid: str, position: Position, alerts: list[Alert]) -> None:
        """``sid`` reached: visited, and its alert added when not shown before."""
        self._visit(sid)
        if sid in self.alerted:
            return
        self.alerted.add(sid)
        name = self.pack.poi(sid).name.get(self.tr.lang)
        alerts.append(Alert(sid, self.tr.tr("walk.arrived", name=name), self.tr.tr("walk.arrived_body"), position.time))

    def _near(self, sid: str, position: Position) -> bool:
        loc = self.pack.poi(sid).location
        d = float(haversine_m(position.lat, position.lon, loc.lat, loc.lon))
        return d <= NEIGHBOUR_M + max(float(position.accuracy_m), 0.0)

    def locate(self, position: Position) -> None:
        """Where the walker already is when the walk starts (the dot on the map): distance, direction
        and route to the first stop at once, not "Waiting for a position…". No arrival check here."""
        self.position = position
        self._refresh_leg()

    def _visit(self, sid: str) -> None:
        """``sid`` reached: visited; earlier stops not yet reached are skipped, not waited for."""
        if sid not in self.visited:
            self.visited.append(sid)
        if sid in self.skipped:
            self.skipped.remove(sid)
        for earlier in self.stop_ids[: self.stop_ids.index(sid)]:
            if earlier not in self.visited and earlier not in self.skipped:
                self.skipped.append(earlier)  # the engine's path still passes it: reached later, it counts

    def skip(self) -> str | None:
        """"Skip this stop": the next stop is passed over (it still counts if reached later); returns its id."""
        nid = self.next_id
        if nid is not None:
            self.skipped.append(nid)
            self._moved_on()
        return nid

    def arrived(self) -> str | None:
        """"I'm here": the next stop counts as visited now (no alert for it later); returns its id."""
        nid = self.next_id
        if nid is not None:
            self.visited.append(nid)
            self.alerted.add(nid)
            self._moved_on()
        return nid

    def _moved_on(self) -> None:
        self._route_set = False  # the planned path is given again from the next position
        self._refresh_leg()

    def _refresh_leg(self) -> None:
        nid = self.next_id
        self._route_for = nid
        self._tell_next()
        self._route = []
        if nid is None or self.position is None:
            self._shops = []
            return
        self._route = self._leg(self.position.latlon, self.pack.poi(nid).location)
        self._shops = self._open_shops_along(self._route, self.position.time)

    def _leg(self, a: LatLon, b: LatLon) -> list[LatLon]:
        """The router's geometry from ``a`` to ``b``; the straight line without one."""
        geometry = None
        if self.router is not None:
            try:
                geometry = self.router(a, b)
            except LookupError:  # RouteNotFound: fall back to the straight line
                geometry = None
        return list(geometry) if geometry else [a, b]

    def _give_route(self) -> None:
        """Tell the engine the walker's planned path: from here through the remaining stops."""
        self._route_set = True
        set_route = getattr(self.engine, "set_route", None)
        if set_route is None or self.position is None:
            return
        points = [self.position.latlon] + [self.pack.poi(s).location for s in self._remaining()]
        if len(points) < 2:
            return
        path = [points[0]]
        for a, b in zip(points, points[1:]):
            path.extend(self._leg(a, b)[1:])
        set_route(path)

    def _open_shops_along(self, path: list[LatLon], now: datetime) -> list[tuple[str, str]]:
        if self.badges is None or len(path) < 2:
            return []
        shops = [p for p in self.pack.pois if p.kind == "commerce" and p.opening_hours]
        if not shops:
            return []
        x, y = self._proj.to_xy(np.array([p.lat for p in path]), np.array([p.lon for p in path]))
        line = shapely.linestrings(np.column_stack([x, y]))
        sx, sy = self._proj.to_xy(np.array([p.location.lat for p in shops]), np.array([p.location.lon for p in shops]))
        d = shapely.distance(shapely.points(sx, sy), line)
        near = [(float(d[i]), shops[i]) for i in np.flatnonzero(d <= SHOP_CORRIDOR_M)]
        near.sort(key=lambda t: t[0])
        out = []
        for _dist, p in near:
            if self.badges.state(p.opening_hours, now) != "open":
                continue
            b = self.badges.badge(p.opening_hours, now, self.tr.lang, "")
            out.append((p.id, escape(f"{p.name.get(self.tr.lang)} — {b.text}")))
            if len(out) >= 5:
                break
        return out

    # -- view ----------------------------------------------------------------
    def view(self) -> WalkView:
        total = len(self.stop_ids)
        done = sum(1 for s in self.stop_ids if s in self.visited)
        nid = self.next_id
        stops = [(s, escape(self.pack.poi(s).name.get(self.tr.lang)), s in self.visited) for s in self.stop_ids]
        title = escape(self.tr.tr("walk.title", trail=self.title))
        skipped = [s for s in self.stop_ids if s in self.skipped]
        markers = [(s, i + 1, "next" if s == nid else "visited" if s in self.visited
                    else "skipped" if s in self.skipped else "todo") for i, s in enumerate(self.stop_ids)]
        if nid is None:
            end = self.tr.tr("walk.finished")
            if skipped:
                end = self.tr.tr("walk.finished_summary", visited=done, skipped=len(skipped))
            return WalkView(title, None, escape(end), "", None,
                            escape(self.tr.tr("walk.progress", n=done, m=total)), done, total, True, [], [], stops,
                            skipped, markers)
        poi = self.pack.poi(nid)
        if self.position is None:
            dist, bearing = escape(self.tr.tr("walk.waiting_fix")), None
        else:
            p = self.position
            metres = float(haversine_m(p.lat, p.lon, poi.location.lat, poi.location.lon))
            bearing = bearing_deg(p.lat, p.lon, poi.location.lat, poi.location.lon)
            dist = escape(self.tr.tr("walk.distance", distance=self.tr.distance(metres), direction=self.tr.direction(bearing)))
        return WalkView(
            title,
            nid,
            escape(self.tr.tr("walk.next", name=poi.name.get(self.tr.lang))),
            dist,
            bearing,
            escape(self.tr.tr("walk.progress", n=done, m=total)),
            done,
            total,
            False,
            list(self._route),
            list(self._shops),
            stops,
            skipped,
            markers,
        )
