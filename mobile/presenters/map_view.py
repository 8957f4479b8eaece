"""The offline map's geometry, without a window.

:class:`MapScene` projects a pack once into local metres (streets from
``streets.geojson`` as polylines, POI markers by kind). :class:`Viewport`
maps metres to screen pixels and back, pans, zooms around an anchor (pinch
or wheel) and finds the marker under a tap. The Kivy widget only draws what
these give it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from heritage_kit.geo import LocalProjection
from mobile.presenters.basemap import BasemapScene

__all__ = ["missing_data_notice", "scale_bar", "heading_of", "heading_arrow", "poi_ranks", "chain_lines", "MapScene", "Viewport", "StreetLine", "MAJOR_HIGHWAYS", "KIND_ORDER", "line_quads", "discs",
           "MAX_QUADS_PER_MESH", "MAX_DISCS_PER_MESH"]

# Kivy meshes index vertices with unsigned shorts: at most 65,536 vertices each.
MAX_QUADS_PER_MESH = 16_000
DISC_SEGMENTS = 14
MAX_DISCS_PER_MESH = 65_000 // (DISC_SEGMENTS + 1)

KIND_ORDER: tuple[str, ...] = ("heritage", "commerce", "service")
MAJOR_HIGHWAYS = frozenset(
    {"primary", "secondary", "tertiary", "trunk", "primary_link", "secondary_link", "tertiary_link", "trunk_link"}
)
PEDESTRIAN = frozenset({"pedestrian", "footway", "steps", "path", "living_street"})


@dataclass(repr=False, eq=False)
class StreetLine:
    xy: np.ndarray  # shape (n, 2), metres east/north of the scene origin
    major: bool = False
    pedestrian: bool = False
    name: str | None = None


@dataclass(repr=False, eq=False)
class MapScene:
    """A pack's drawable content in local metres.

    Compared by identity and with a short ``repr``: Kivy formats the value of every kv binding it
    sets with ``%r`` (``Lang: call_fn`` trace), and the generated dataclass ``repr`` of thousands of
    street arrays took 2.4 s per map widget at launch.
    """

    projection: LocalProjection
    streets: list[StreetLine]
    poi_ids: list[str]
    poi_kinds: np.ndarray  # int index into KIND_ORDER
    poi_xy: np.ndarray  # shape (n, 2)
    extent: tuple[float, float, float, float]  # min_x, min_y, max_x, max_y (metres)
    basemap: "BasemapScene | None" = None  # the pack's basemap.geojson in the same metres, if it has one
    poi_names: list = field(default_factory=list)  # LocalizedText per POI (map labels)
    poi_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # label importance, 0 = no label

    def poi_name(self, i: int, lang: str) -> str:
        return self.poi_names[i].get(lang) if i < len(self.poi_names) else ""

    def named_streets(self, major: bool) -> list[StreetLine]:
        """Named streets of one class, the OSM ways of one street chained end to end (cached): a label
        needs the street's whole length, not the 20 m piece between two junctions."""
        cache = self.__dict__.setdefault("_named", {})
        if major not in cache:
            groups: dict[str, list[np.ndarray]] = {}
            for st in self.streets:
                if st.name and st.major == major and len(st.xy) >= 2:
                    groups.setdefault(st.name, []).append(st.xy)
            cache[major] = [StreetLine(xy, major=major, name=name)
                            for name, lines in groups.items() for xy in chain_lines(lines)]
        return cache[major]

    def named_street_bounds(self, major: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per named street (:meth:`named_streets` order): lower corner, upper corner, length in metres."""
        cache = self.__dict__.setdefault("_named_bounds", {})
        if major not in cache:
            named = self.named_streets(major)
            lo = np.array([st.xy.min(axis=0) for st in named]).reshape(-1, 2)
            hi = np.array([st.xy.max(axis=0) for st in named]).reshape(-1, 2)
            length = np.array([float(np.hypot(*np.diff(st.xy, axis=0).T).sum()) for st in named])
            cache[major] = (lo, hi, length)
        return cache[major]

    def __repr__(self) -> str:
        return f"<MapScene {len(self.poi_ids)} POIs, {len(self.streets)} streets>"

    def segments(self, *, major: bool, tol_m: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Start and end points (n, 2) of every street segment of one class (cached).

        ``tol_m`` > 0 simplifies for a zoomed-out view: a vertex that falls in the same ``tol_m`` grid cell
        as the previous one of its line is dropped (line ends are kept), so no segment is much shorter than
        ``tol_m`` (error at most ``tol_m``·√2). The widget passes about a pixel: at town scale half of the
        street segments are shorter than one pixel and cost rasterisation for nothing.
        """
        tol_m = float(tol_m) if tol_m > 0 else 0.0
        key = (major, round(tol_m, 2))
        cache = self.__dict__.setdefault("_segments", {})
        if key not in cache:
            lines = [st.xy for st in self.streets if st.major == major and len(st.xy) >= 2]
            if not lines:
                a = b = np.zeros((0, 2))
            elif not tol_m:
                a = np.vstack([xy[:-1] for xy in lines])
                b = np.vstack([xy[1:] for xy in lines])
            else:
                xy = np.vstack(lines)
                ids = np.repeat(np.arange(len(lines)), [len(ln) for ln in lines])
                cell = np.floor(xy / tol_m).astype(np.int64)
                new_line = np.r_[True, ids[1:] != ids[:-1]]
                line_end = np.r_[ids[1:] != ids[:-1], True]
                moved = np.r_[True, (cell[1:] != cell[:-1]).any(axis=1)]
                keep = new_line | line_end | moved
                kxy, kid = xy[keep], ids[keep]
                same = kid[1:] == kid[:-1]
                a, b = kxy[:-1][same], kxy[1:][same]
            if len(cache) > 12:  # a few zoom levels are enough
                cache.clear()
            cache[key] = (a, b)
        return cache[key]

    @classmethod
    def from_pack(cls, pack) -> "MapScene":
        m = pack.manifest
        proj = LocalProjection(m.centre.lat, m.centre.lon)
        ids = [p.id for p in pack.pois]
        lats = np.fromiter((p.location.lat for p in pack.pois), float, len(ids))
        lons = np.fromiter((p.location.lon for p in pack.pois), float, len(ids))
        xs, ys = proj.to_xy(lats, lons) if ids else (np.zeros(0), np.zeros(0))
        kinds = np.fromiter((KIND_ORDER.index(p.kind) for p in pack.pois), int, len(ids))
        streets = list(_streets(pack.streets, proj)) if pack.streets else []
        pts = [np.column_stack([np.atleast_1d(xs), np.atleast_1d(ys)])] + [s.xy for s in streets]
        allxy = np.vstack([p for p in pts if len(p)]) if any(len(p) for p in pts) else np.zeros((1, 2))
        b = m.bbox
        bx, by = proj.to_xy(np.array([b.south, b.north]), np.array([b.west, b.east]))
        ext = (
            float(min(allxy[:, 0].min(), bx.min())),
            float(min(allxy[:, 1].min(), by.min())),
            float(max(allxy[:, 0].max(), bx.max())),
            float(max(allxy[:, 1].max(), by.max())),
        )
        basemap = getattr(pack, "basemap", None)
        bm = BasemapScene.from_geojson(basemap, proj) if basemap else None
        return cls(proj, streets, ids, kinds, np.column_stack([np.atleast_1d(xs), np.atleast_1d(ys)]), ext,
                   bm if bm else None, [p.name for p in pack.pois], poi_ranks(pack))

    def poi_extent(self, pad_m: float = 60.0) -> tuple[float, float, float, float]:
        if not len(self.poi_xy):
            return self.extent
        lo = self.poi_xy.min(axis=0) - pad_m
        hi = self.poi_xy.max(axis=0) + pad_m
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        return self.projection.to_xy(lat, lon)

    def line_xy(self, points: Iterable) -> np.ndarray:
        """A list of ``LatLon`` (route, trail geometry) as an (n, 2) array of metres."""
        pts = list(points)
        if not pts:
            return np.zeros((0, 2))
        x, y = self.projection.to_xy(np.array([p.lat for p in pts]), np.array([p.lon for p in pts]))
        return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def poi_ranks(pack) -> np.ndarray:
    """How much a POI's name deserves a map label: 3 a trail stop, 2 protected or documented heritage
    (Mérimée, Wikidata, Wikipedia, a text), 1 other heritage, 0 shops and services (their dots suffice)."""
    stops = {s for t in pack.trails for s in t.stops}
    out = np.zeros(len(pack.pois), int)
    for i, p in enumerate(pack.pois):
        if p.id in stops:
            out[i] = 3
        elif p.kind == "heritage":
            r = p.refs
            out[i] = 2 if (p.heritage is not None or r.merimee or r.wikidata or r.wikipedia or p.description) else 1
    return out


def chain_lines(lines: list[np.ndarray], tol_m: float = 0.5) -> list[np.ndarray]:
    """Join polylines that meet end to end (within ``tol_m``) into longer ones, reversing as needed."""
    def key(pt) -> tuple[int, int]:
        return int(round(pt[0] / tol_m)), int(round(pt[1] / tol_m))

    ends: dict[tuple[int, int], list[int]] = {}
    for i, ln in enumerate(lines):
        ends.setdefault(key(ln[0]), []).append(i)
        ends.setdefault(key(ln[-1]), []).append(i)
    used = [False] * len(lines)

    def take(k, skip: int) -> int | None:
        for j in ends.get(k, ()):
            if not used[j] and j != skip:
                return j
        return None

    out = []
    for i in range(len(lines)):
        if used[i]:
            continue
        used[i] = True
        parts = [lines[i]]
        for forward in (True, False):  # grow at the end, then at the start
            while True:
                tip = parts[-1][-1] if forward else parts[0][0]
                j = take(key(tip), i)
                if j is None:
                    break
                used[j] = True
                ln = lines[j]
                if forward:
                    parts.append(ln if key(ln[0]) == key(tip) else ln[::-1])
                else:
                    parts.insert(0, ln if key(ln[-1]) == key(tip) else ln[::-1])
        joined = np.vstack([parts[0]] + [p[1:] for p in parts[1:]])
        out.append(joined)
    return out


def _streets(fc: dict, proj: LocalProjection):
    """Street polylines in metres (every coordinate projected in one vectorised call)."""
    raw = list(_street_parts(fc))
    if not raw:
        return
    coords = np.vstack([arr for arr, *_ in raw])
    x, y = proj.to_xy(coords[:, 1], coords[:, 0])
    xy = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])
    i = 0
    for arr, major, pedestrian, name in raw:
        n = len(arr)
        yield StreetLine(xy[i : i + n], major=major, pedestrian=pedestrian, name=name)
        i += n


def _street_parts(fc: dict):
    for feat in fc.get("features", ()):
        if not isinstance(feat, dict):
            continue
        geom = feat.get("geometry") or {}
        props = feat.get("properties") or {}
        hw = props.get("highway") if isinstance(props, dict) else None
        name = props.get("name") if isinstance(props, dict) else None
        t = geom.get("type")
        if t == "LineString":
            parts = [geom.get("coordinates") or []]
        elif t == "MultiLineString":
            parts = geom.get("coordinates") or []
        else:
            continue
        for coords in parts:
            if len(coords) < 2:
                continue
            try:
                arr = np.asarray(coords, dtype=float)[:, :2]
            except (ValueError, IndexError, TypeError):
                continue  # a malformed line is skipped, the rest of the map still draws
            if arr.ndim != 2 or arr.shape[1] != 2 or not np.isfinite(arr).all():
                continue
            yield arr, hw in MAJOR_HIGHWAYS, hw in PEDESTRIAN, name if isinstance(name, str) else None


@dataclass
class Viewport:
    """Metres <-> pixels. ``centre`` is the world point shown at the widget's centre."""

    width: float = 400.0
    height: float = 700.0
    cx: float = 0.0
    cy: float = 0.0
    scale: float = 1.0  # pixels per metre
    min_scale: float = 0.02
    max_scale: float = 20.0
    revision: int = field(default=0)

    # -- set-up --------------------------------------------------------------
    def resize(self, width: float, height: float) -> None:
        self.width, self.height = max(float(width), 1.0), max(float(height), 1.0)
        self.revision += 1

    def fit(self, extent: tuple[float, float, float, float], margin_px: float = 24.0) -> None:
        x0, y0, x1, y1 = extent
        self.cx, self.cy = (x0 + x1) / 2, (y0 + y1) / 2
        w = max(x1 - x0, 1.0)
        h = max(y1 - y0, 1.0)
        s = min((self.width - 2 * margin_px) / w, (self.height - 2 * margin_px) / h)
        self.scale = float(np.clip(s, self.min_scale, self.max_scale))
        self.revision += 1

    # -- transforms ------------------------------------------------------------
    def to_screen(self, x, y):
        sx = (np.asarray(x, dtype=float) - self.cx) * self.scale + self.width / 2
        sy = (np.asarray(y, dtype=float) - self.cy) * self.scale + self.height / 2
        if np.ndim(sx) == 0:
            return float(sx), float(sy)
        return sx, sy

    def to_world(self, sx: float, sy: float) -> tuple[float, float]:
        return (
            (sx - self.width / 2) / self.scale + self.cx,
            (sy - self.height / 2) / self.scale + self.cy,
        )

    def points(self, xy: np.ndarray) -> np.ndarray:
        """An (n, 2) metre array as a flat ``[x0, y0, x1, y1, …]`` pixel array (Kivy ``Line.points``)."""
        out = np.empty(xy.shape[0] * 2)
        out[0::2] = (xy[:, 0] - self.cx) * self.scale + self.width / 2
        out[1::2] = (xy[:, 1] - self.cy) * self.scale + self.height / 2
        return out

    # -- gestures ------------------------------------------------------------------
    def pan(self, dx_px: float, dy_px: float) -> None:
        """Move the map with the finger (content follows by ``dx, dy`` pixels)."""
        self.cx -= dx_px / self.scale
        self.cy -= dy_px / self.scale
        self.revision += 1

    def zoom(self, factor: float, anchor_px: tuple[float, float] | None = None) -> None:
        """Zoom by ``factor`` keeping the world point under ``anchor_px`` still."""
        if factor <= 0 or not math.isfinite(factor):
            return
        ax, ay = anchor_px if anchor_px is not None else (self.width / 2, self.height / 2)
        wx, wy = self.to_world(ax, ay)
        self.scale = float(np.clip(self.scale * factor, self.min_scale, self.max_scale))
        self.cx = wx - (ax - self.width / 2) / self.scale
        self.cy = wy - (ay - self.height / 2) / self.scale
        self.revision += 1

    def centre_on(self, x: float, y: float) -> None:
        self.cx, self.cy = float(x), float(y)
        self.revision += 1

    def visible(self, x: float, y: float, margin_px: float = 0.0) -> bool:
        sx, sy = self.to_screen(x, y)
        return -margin_px <= sx <= self.width + margin_px and -margin_px <= sy <= self.height + margin_px

    # -- picking --------------------------------------------------------------------
    def hit(self, scene: MapScene, sx: float, sy: float, radius_px: float = 22.0) -> str | None:
        """The id of the marker nearest to a tap within ``radius_px``, else None."""
        if not len(scene.poi_xy):
            return None
        px, py = self.to_screen(scene.poi_xy[:, 0], scene.poi_xy[:, 1])
        d2 = (px - sx) ** 2 + (py - sy) ** 2
        i = int(np.argmin(d2))
        return scene.poi_ids[i] if d2[i] <= radius_px * radius_px else None


def line_quads(a: np.ndarray, b: np.ndarray, half_width: float) -> list[tuple[list[float], list[int]]]:
    """Segments a->b as quads ``half_width`` wide (ends extended: square caps hide joints).

    Returns Kivy ``Mesh`` chunks of at most :data:`MAX_QUADS_PER_MESH` quads: (vertices [x, y, u, v]… as a
    float32 array, indices as uint16), which Kivy takes as memoryviews without a Python list per float.
    """
    d = b - a
    length = np.hypot(d[:, 0], d[:, 1])
    keep = length > 1e-9
    a, b, d, length = a[keep], b[keep], d[keep], length[keep]
    u = d / length[:, None] * half_width
    n = np.column_stack([-u[:, 1], u[:, 0]])
    a2, b2 = a - u, b + u
    quads = np.stack([a2 + n, a2 - n, b2 - n, b2 + n], axis=1)  # (m, 4, 2)
    out = []
    for start in range(0, len(quads), MAX_QUADS_PER_MESH):
        q = quads[start : start + MAX_QUADS_PER_MESH]
        m = len(q)
        verts = np.zeros((m * 4, 4), dtype=np.float32)
        verts[:, :2] = q.reshape(-1, 2)
        base = (np.arange(m, dtype=np.uint16) * 4)[:, None]
        idx = (base + np.array([0, 1, 2, 0, 2, 3], dtype=np.uint16)).ravel()
        out.append((verts.ravel(), idx))
    return out


def discs(centres: np.ndarray, radii: np.ndarray, segments: int = DISC_SEGMENTS) -> list[tuple[list[float], list[int]]]:
    """Filled circles as triangle fans of ``segments`` triangles, Kivy ``Mesh`` chunks (vertices, indices)."""
    k = max(3, min(int(segments), DISC_SEGMENTS))
    ang = np.linspace(0, 2 * np.pi, k, endpoint=False)
    ring = np.column_stack([np.cos(ang), np.sin(ang)])  # (k, 2)
    out = []
    for start in range(0, len(centres), MAX_DISCS_PER_MESH):
        c = centres[start : start + MAX_DISCS_PER_MESH]
        r = np.broadcast_to(radii, (len(centres),))[start : start + MAX_DISCS_PER_MESH]
        m = len(c)
        pts = np.empty((m, k + 1, 2))
        pts[:, 0] = c
        pts[:, 1:] = c[:, None, :] + r[:, None, None] * ring[None]
        verts = np.zeros((m * (k + 1), 4), dtype=np.float32)
        verts[:, :2] = pts.reshape(-1, 2)
        base = (np.arange(m, dtype=np.uint16) * (k + 1))[:, None]
        j = np.arange(k)
        tri = np.stack([np.zeros(k, int), 1 + j, 1 + (j + 1) % k], axis=1).ravel().astype(np.uint16)  # (3k,)
        idx = (base + tri[None]).ravel()
        out.append((verts.ravel(), idx))
    return out


MIN_HEADING_SPEED_MPS = 0.4  # below this a GPS bearing is noise (a walker standing still)


def heading_of(position) -> float | None:
    """The direction to draw on the position dot (degrees clockwise from north), or None: the provider's
    bearing when it gives one and the walker is moving (speed unknown counts as moving)."""
    b = getattr(position, "bearing_deg", None)
    if b is None or not math.isfinite(b):
        return None
    speed = getattr(position, "speed_mps", None)
    if speed is not None and speed < MIN_HEADING_SPEED_MPS:
        return None
    return float(b) % 360.0


def heading_arrow(x: float, y: float, bearing_deg: float, r: float) -> list[float]:
    """A pointed wedge ahead of a dot of radius ``r`` at (x, y), toward ``bearing_deg`` (clockwise from
    north, map north up): Kivy ``Mesh`` vertices ``[x, y, u, v]`` × 4 for a triangle fan (tip, left, notch,
    right)."""
    b = math.radians(bearing_deg)
    fx, fy = math.sin(b), math.cos(b)  # forward
    sx, sy = fy, -fx  # to the right
    tip = (x + fx * r * 2.9, y + fy * r * 2.9)
    left = (x + fx * r * 0.6 - sx * r * 1.2, y + fy * r * 0.6 - sy * r * 1.2)
    notch = (x + fx * r * 1.6, y + fy * r * 1.6)
    right = (x + fx * r * 0.6 + sx * r * 1.2, y + fy * r * 0.6 + sy * r * 1.2)
    out: list[float] = []
    for px, py in (tip, left, notch, right):
        out += [px, py, 0.0, 0.0]
    return out


NICE_LENGTHS_M = (5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


def scale_bar(metres_per_px: float, max_px: float) -> tuple[int, float]:
    """The longest round length (metres) whose bar fits in ``max_px`` pixels, and that bar's length in pixels."""
    fits = [m for m in NICE_LENGTHS_M if m / metres_per_px <= max_px]
    metres = fits[-1] if fits else NICE_LENGTHS_M[0]
    return metres, metres / metres_per_px


def missing_data_notice(scene, tr) -> str:
    """What the pack lacks, said plainly over the map instead of a blank map or an empty list (issue 13): no
    street map (no streets and no basemap: routes are straight lines), no shop data (no shop POI at all);
    "" when the pack has both (or no pack is open)."""
    if scene is None:
        return ""
    lines = []
    if not scene.streets and scene.basemap is None:
        lines.append(tr.tr("map.no_street_map"))
    if not (np.asarray(scene.poi_kinds) == KIND_ORDER.index("commerce")).any():
        lines.append(tr.tr("explore.no_shop_data") + ".")
    return "\n".join(lines)
