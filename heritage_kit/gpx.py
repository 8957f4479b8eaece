"""GPX 1.1 read/write for GPS traces (an adapter, with gpxpy).

A trace of :class:`~heritage_kit.geofence.Fix` becomes one ``<trk>`` named
``fixes``; each point's time is UTC, and the reported accuracy, speed and
bearing go in ``<extensions>`` under the heritage-kit namespace
(``hk:accuracy`` in metres, ``hk:speed`` m/s, ``hk:bearing`` degrees). An
optional true track (from a simulated walk) becomes a second ``<trk>`` named
``truth``, so a trace can be replayed in the app or compared with a real device.

Reading accepts any GPX: without ``hk:accuracy``, a point's accuracy is its
``<hdop>`` × ``uere_m`` (5 m), else ``default_accuracy_m``.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Sequence

import gpxpy
import gpxpy.gpx

from heritage_kit.errors import GeofenceError
from heritage_kit.geo import haversine_m
from heritage_kit.geofence.model import Fix
from heritage_kit.types import LatLon

__all__ = ["HK_GPX_NS", "fixes_to_gpx", "gpx_to_fixes", "read_gpx", "write_gpx"]

HK_GPX_NS = "https://heritage-kit.org/xmlschemas/gpx-fix/1"


def _ext(tag: str, value: float) -> ET.Element:
    el = ET.Element(f"{{{HK_GPX_NS}}}{tag}")
    el.text = repr(round(float(value), 3))
    return el


def fixes_to_gpx(
    fixes: Sequence[Fix],
    *,
    truth: Sequence[tuple[float, LatLon]] | None = None,
    name: str | None = None,
) -> str:
    """GPX 1.1 text for ``fixes`` (and an optional true track of (timestamp, LatLon))."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "heritage-kit"
    gpx.nsmap["hk"] = HK_GPX_NS
    if name:
        gpx.name = name
    trk = gpxpy.gpx.GPXTrack(name="fixes")
    seg = gpxpy.gpx.GPXTrackSegment()
    for f in fixes:
        p = gpxpy.gpx.GPXTrackPoint(f.lat, f.lon, time=datetime.fromtimestamp(f.timestamp, tz=timezone.utc))
        p.extensions.append(_ext("accuracy", f.accuracy_m))
        if f.speed is not None:
            p.extensions.append(_ext("speed", f.speed))
        if f.bearing is not None:
            p.extensions.append(_ext("bearing", f.bearing))
        seg.points.append(p)
    trk.segments.append(seg)
    gpx.tracks.append(trk)
    if truth is not None:
        ttrk = gpxpy.gpx.GPXTrack(name="truth")
        tseg = gpxpy.gpx.GPXTrackSegment()
        for ts, pos in truth:
            tseg.points.append(
                gpxpy.gpx.GPXTrackPoint(pos.lat, pos.lon, time=datetime.fromtimestamp(ts, tz=timezone.utc))
            )
        ttrk.segments.append(tseg)
        gpx.tracks.append(ttrk)
    return gpx.to_xml(version="1.1")


def gpx_to_fixes(
    text: str,
    *,
    track: str | int = 0,
    default_accuracy_m: float = 10.0,
    uere_m: float = 5.0,
    source: str = "<gpx>",
    speed_mps: float | None = None,
    start_time: datetime | None = None,
) -> list[Fix]:
    """The fixes of one track (by index or name) of a GPX document.

    Raises :class:`GeofenceError` naming ``source``, the track and point when
    the GPX is malformed or a point has no time. With ``speed_mps`` a track
    with no times (a drawn route) is read as walked at that speed from
    ``start_time`` (default 2026-07-01 10:00 UTC), one second at least per point.
    """
    if speed_mps is not None and not speed_mps > 0:
        raise GeofenceError(f"speed must be > 0 m/s, got {speed_mps!r}")
    try:
        gpx = gpxpy.parse(text)
    except Exception as exc:  # gpxpy raises several kinds
        raise GeofenceError(f"{source}: not a readable GPX file ({exc})") from None
    tracks = gpx.tracks
    if isinstance(track, str):
        named = [t for t in tracks if t.name == track]
        if not named:
            raise GeofenceError(f"{source}: no track named {track!r}")
        trk = named[0]
    else:
        if not 0 <= track < len(tracks):
            raise GeofenceError(f"{source}: no track number {track} ({len(tracks)} tracks)")
        trk = tracks[track]
    fixes: list[Fix] = []
    clock = (start_time or datetime(2026, 7, 1, 10, tzinfo=timezone.utc)).timestamp()
    last = None
    for si, seg in enumerate(trk.segments):
        for pi, p in enumerate(seg.points):
            where = f"{source}: track {trk.name or track!r}, segment {si}, point {pi}"
            if p.time is None:
                if speed_mps is None:
                    raise GeofenceError(f"{where}: field 'time' is missing (give a walking speed to replay a "
                                        "track without times, e.g. --speed 1.25)")
                if last is not None:
                    clock += max(1.0, float(haversine_m(last[0], last[1], p.latitude, p.longitude)) / speed_mps)
                last = (p.latitude, p.longitude)
                when = datetime.fromtimestamp(clock, tz=timezone.utc)
            else:
                when = p.time if p.time.tzinfo else p.time.replace(tzinfo=timezone.utc)
            ext: dict[str, float] = {}
            for el in p.extensions:
                tag = el.tag.rsplit("}", 1)[-1]
                try:
                    ext[tag] = float(el.text or "")
                except ValueError:
                    raise GeofenceError(f"{where}: extension {tag!r} is not a number") from None
            if "accuracy" in ext:
                acc = ext["accuracy"]
            elif p.horizontal_dilution is not None:
                acc = float(p.horizontal_dilution) * uere_m
            else:
                acc = default_accuracy_m
            speed = ext.get("speed", p.speed)
            try:
                fixes.append(Fix(p.latitude, p.longitude, acc, when.timestamp(), speed, ext.get("bearing")))
            except GeofenceError as exc:
                raise GeofenceError(f"{where}: {exc}") from None
    return fixes


def write_gpx(
    path: str | os.PathLike,
    fixes: Sequence[Fix],
    *,
    truth: Sequence[tuple[float, LatLon]] | None = None,
    name: str | None = None,
) -> None:
    """Write a GPX file (UTF-8)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(fixes_to_gpx(fixes, truth=truth, name=name))


def read_gpx(path: str | os.PathLike, **kwargs) -> list[Fix]:
    """Read the fixes of a GPX file (see :func:`gpx_to_fixes` for options)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise GeofenceError(f"{os.fspath(path)}: cannot read ({exc.strerror})") from None
    return gpx_to_fixes(text, source=os.fspath(path), **kwargs)
