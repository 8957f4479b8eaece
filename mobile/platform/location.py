"""Location providers: device GPS (plyer), a simulated walk, a GPX replay.

Every provider calls ``on_position(Position)`` on the UI thread: callbacks
from plyer's GPS thread and results of loading a walk in a worker thread are
handed to ``schedule`` (``kivy.clock.Clock.schedule_once`` in the app), never
called directly. Replays advance with ``Clock`` too, or by :meth:`step` in tests.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Callable

from mobile.presenters.location import Position

__all__ = ["LocationProvider", "PlyerGpsProvider", "ReplayProvider", "gpx_positions", "simulated_positions"]

log = logging.getLogger(__name__)

OnPosition = Callable[[Position], None]
Schedule = Callable[[Callable[[], None]], None]


class LocationProvider:
    name = "none"

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.on_position: OnPosition | None = None
        self.on_error: Callable[[str], None] | None = None
        self.running = False

    def start(self, on_position: OnPosition, on_error: Callable[[str], None] | None = None) -> None:
        self.on_position = on_position
        self.on_error = on_error
        self.running = True

    def stop(self) -> None:
        self.running = False

    def _deliver(self, pos: Position) -> None:
        if self.running and self.on_position is not None:
            self.on_position(pos)

    def _fail(self, message: str) -> None:
        log.warning("%s: %s", self.name, message)
        if self.on_error is not None:
            self.on_error(message)


class PlyerGpsProvider(LocationProvider):
    """The phone's GPS through plyer (fine location permission asked on Android)."""

    name = "gps"

    def start(self, on_position: OnPosition, on_error=None) -> None:
        super().start(on_position, on_error)
        try:
            from plyer import gps

            gps.configure(on_location=self._on_location, on_status=self._on_status)
            gps.start(minTime=1000, minDistance=1)
        except Exception as exc:  # noqa: BLE001 - NotImplementedError on desktop, permission errors
            msg = str(exc) or type(exc).__name__
            self.schedule(lambda: self._fail(msg))

    def stop(self) -> None:
        super().stop()
        try:
            from plyer import gps

            gps.stop()
        except Exception:  # noqa: BLE001
            pass

    def _on_location(self, **kw) -> None:  # plyer's thread
        try:
            pos = Position(
                lat=float(kw["lat"]),
                lon=float(kw["lon"]),
                accuracy_m=float(kw.get("accuracy") or 30.0),
                time=datetime.now(timezone.utc),
                speed_mps=float(kw["speed"]) if kw.get("speed") is not None else None,
                bearing_deg=float(kw["bearing"]) if kw.get("bearing") is not None else None,
            )
        except (KeyError, TypeError, ValueError):
            return
        self.schedule(lambda: self._deliver(pos))

    def _on_status(self, stype, status) -> None:
        if stype == "provider-disabled":
            self.schedule(lambda: self._fail(str(status)))


class ReplayProvider(LocationProvider):
    """Replays a list of positions (a simulated walk or a GPX track).

    ``load`` runs in a worker thread (it may read a file or simulate a walk);
    then each position is delivered at its recorded pace divided by
    ``speedup``, through ``schedule_interval`` (``Clock.schedule_interval``),
    or one by one with :meth:`step` when ``schedule_interval`` is None.
    Positions are re-stamped with the current time, so opening hours are judged now.
    """

    def __init__(
        self,
        schedule: Schedule,
        load: Callable[[], list[Position]],
        *,
        name: str = "replay",
        speedup: float = 8.0,
        schedule_interval: Callable | None = None,
        restamp: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(schedule)
        self.name = name
        self.load = load
        self.speedup = speedup
        self.schedule_interval = schedule_interval
        self.restamp = restamp
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.positions: list[Position] = []
        self.index = 0
        self.loaded = threading.Event()
        self._event = None
        self._t0: datetime | None = None
        self._elapsed = 0.0

    def start(self, on_position: OnPosition, on_error=None) -> None:
        super().start(on_position, on_error)
        threading.Thread(target=self._load_worker, name=f"{self.name}-load", daemon=True).start()

    def _load_worker(self) -> None:
        try:
            positions = list(self.load())
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            msg = str(exc) or type(exc).__name__
            self.schedule(lambda: self._fail(msg))
            self.loaded.set()
            return
        self.schedule(lambda: self._loaded(positions))

    def _loaded(self, positions: list[Position]) -> None:
        self.positions = positions
        self.index = 0
        self._elapsed = 0.0
        self.loaded.set()
        if not positions:
            self._fail("empty track")
            return
        if self.schedule_interval is not None and self.running:
            self._event = self.schedule_interval(self._tick, 0.1)

    def _tick(self, dt: float) -> bool:
        if not self.running or self.index >= len(self.positions):
            return False
        self._elapsed += dt * self.speedup
        t_first = self.positions[0].time
        while self.index < len(self.positions):
            due = (self.positions[self.index].time - t_first).total_seconds()
            if due > self._elapsed:
                break
            self.step()
        return self.index < len(self.positions)

    def step(self) -> Position | None:
        """Deliver the next position now (tests, benchmarks); None at the end."""
        if self.index >= len(self.positions):
            return None
        pos = self.positions[self.index]
        self.index += 1
        if self.restamp:
            if self._t0 is None:
                self._t0 = self.clock()
            delta = pos.time - self.positions[0].time
            pos = Position(pos.lat, pos.lon, pos.accuracy_m, self._t0 + delta, pos.speed_mps, pos.bearing_deg)
        self._deliver(pos)
        return pos

    @property
    def finished(self) -> bool:
        return self.loaded.is_set() and self.index >= len(self.positions)

    def stop(self) -> None:
        super().stop()
        if self._event is not None:
            self._event.cancel()
            self._event = None


def gpx_positions(path: str, *, default_accuracy_m: float = 8.0) -> list[Position]:
    """The track points of a GPX file as positions (gpxpy; timeless points get 1 s steps)."""
    import gpxpy

    with open(path, encoding="utf-8") as fh:
        gpx = gpxpy.parse(fh)
    out: list[Position] = []
    base = datetime(2000, 1, 1, tzinfo=timezone.utc)
    points = [pt for trk in gpx.tracks for seg in trk.segments for pt in seg.points] or list(gpx.waypoints)
    from datetime import timedelta

    for i, pt in enumerate(points):
        t = pt.time or base + timedelta(seconds=i)
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        acc = pt.horizontal_dilution * 5.0 if getattr(pt, "horizontal_dilution", None) else default_accuracy_m
        out.append(Position(pt.latitude, pt.longitude, acc, t))
    if not out:
        raise ValueError(f"{path}: no track point")
    return out


def simulated_positions(pack, stop_ids: list[str], *, seed: int = 7) -> list[Position]:
    """A seeded walk through ``stop_ids`` with GPS noise, from :mod:`heritage_kit.simulate`."""
    from mobile.presenters.arrivals import simulate_walk

    return simulate_walk(pack, stop_ids, seed=seed)
