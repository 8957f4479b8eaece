"""The offline map's colours and label sizes: the one place they are defined (issue 13).

Two styles, picked from the app's theme by :func:`style_for`:

* **normal** — a light, warm land colour; buildings a shade darker with a darker outline, parks green, water
  and sea blue, pedestrian squares lighter than the land, white streets with a grey-brown casing, main streets
  pale amber. Every area colour differs from the land by a clear lightness step (not only by hue), so the map
  stays readable in sunlight on a dimmed phone screen and by colour-blind walkers.
* **high contrast** — black land, areas in dark saturated tones, light-grey streets, white main streets,
  white labels on a black halo, yellow place names: contrast ratio ≥ 7:1 for every label (WCAG AAA).

The widget draws every map colour from here: areas, streets, labels, and (:func:`map_features`) the features
that carry meaning — POI dots (in the app theme's kind colours, ``Theme.heritage`` …, so the legend and the
lists show the same colours as the map), the route and the user's position, each with its ring or halo.

**Non-text contrast (WCAG 2.2, 1.4.11)**: each of those features holds at least 3:1 against every area and
street it can lie on (land, buildings, parks, water, sea, squares, streets), by its fill or by its ring — the
test ``tests/mobile/test_mobile_contrast.py`` computes every pair in both styles. In the normal style the fills
carry it (a white ring on a light map adds nothing): the route is a deep violet, the position a deep blue. In
high contrast the fills are bright and the rings black, so a dot on a light-grey or white street keeps its edge.

Labels have a halo (outline) of the halo colour; their size is multiplied by the large-text setting's
``font_scale`` (:func:`label_px`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MapStyle", "NORMAL_MAP", "HIGH_CONTRAST_MAP", "style_for", "label_px", "LABEL_SIZES", "map_features",
           "FEATURE_BACKGROUNDS", "MarkFeature"]

RGBA = tuple[float, float, float, float]


def _hex(h: str, a: float = 1.0) -> RGBA:
    h = h.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, a)


@dataclass(frozen=True)
class MapStyle:
    land: RGBA
    sea: RGBA
    water: RGBA
    park: RGBA
    pedestrian: RGBA
    building: RGBA
    building_outline: RGBA
    railway: RGBA
    street: RGBA
    street_major: RGBA
    street_casing: RGBA
    label: RGBA  # street and POI names
    label_halo: RGBA
    place_label: RGBA  # districts and squares
    water_label: RGBA
    housenumber: RGBA
    hud: RGBA  # scale bar and north arrow
    hud_halo: RGBA
    message: RGBA  # "no street map for this town yet"
    route: RGBA  # the route line, over a wider halo
    route_halo: RGBA
    position: RGBA  # the user's dot and heading, in a ring
    position_ring: RGBA
    marker_ring: RGBA  # around every POI dot

    def fill(self, layer: str) -> RGBA:
        return getattr(self, layer)


NORMAL_MAP = MapStyle(
    land=_hex("efeadf"),
    sea=_hex("9fc8e8"),
    water=_hex("a7cdea"),
    park=_hex("c4dfa8"),
    pedestrian=_hex("f8f6f1"),
    building=_hex("dcd3c5"),
    building_outline=_hex("b8ab98"),
    railway=_hex("8a8580"),
    street=_hex("ffffff"),
    street_major=_hex("f7d68c"),
    street_casing=_hex("bdb2a2"),
    label=_hex("2b2f33"),
    label_halo=_hex("ffffff", 0.95),
    place_label=_hex("3d3550"),
    water_label=_hex("1f5b8a"),
    housenumber=_hex("6b6258"),
    hud=_hex("1f2328"),
    hud_halo=_hex("ffffff", 0.9),
    message=_hex("1f2328"),
    route=_hex("8e24aa"),  # 3.6:1 on the sea, 4.7:1 on buildings (was #d63384 at 90 %: 2.4–2.9:1)
    route_halo=_hex("ffffff", 0.9),
    position=_hex("1558b0"),  # 3.9:1 on the sea (was #1a73e8: 2.6:1)
    position_ring=_hex("ffffff"),
    marker_ring=_hex("ffffff"),
)

HIGH_CONTRAST_MAP = MapStyle(
    land=_hex("000000"),
    sea=_hex("00306b"),
    water=_hex("003d80"),
    park=_hex("0b4a16"),
    pedestrian=_hex("2a2a2a"),
    building=_hex("3b3b3b"),
    building_outline=_hex("9a9a9a"),
    railway=_hex("d0d0d0"),
    street=_hex("9a9a9a"),
    street_major=_hex("ffffff"),
    street_casing=_hex("000000"),
    label=_hex("ffffff"),
    label_halo=_hex("000000"),
    place_label=_hex("ffd400"),
    water_label=_hex("8fd3ff"),
    housenumber=_hex("e0e0e0"),
    hud=_hex("ffffff"),
    hud_halo=_hex("000000"),
    message=_hex("ffffff"),
    route=_hex("ff3cc7"),
    route_halo=_hex("000000"),  # black: the edge on the light-grey and white streets
    position=_hex("00e5ff"),
    position_ring=_hex("000000"),
    marker_ring=_hex("000000"),
)

# label font sizes in dp before the large-text scale, by label kind
LABEL_SIZES: dict[str, float] = {
    "place": 15.0,
    "street_major": 12.5,
    "street": 11.5,
    "square": 12.0,
    "poi": 11.5,
    "water": 12.0,
    "housenumber": 9.5,
    "hud": 11.0,
}


def style_for(theme) -> MapStyle:
    """The map style for an app :class:`~mobile.presenters.settings.Theme` (dark theme: high contrast)."""
    bg = getattr(theme, "map_bg", (1, 1, 1, 1))
    return HIGH_CONTRAST_MAP if (bg[0] + bg[1] + bg[2]) < 0.6 else NORMAL_MAP


def label_px(kind: str, font_scale: float = 1.0, density: float = 1.0) -> float:
    """A label's font size in pixels: its kind's size in dp × the large-text scale × the screen density."""
    return LABEL_SIZES.get(kind, LABEL_SIZES["street"]) * max(float(font_scale), 0.5) * density


# what a route, a dot or the position can lie on (1.4.11's "adjacent colours")
FEATURE_BACKGROUNDS = ("land", "building", "park", "pedestrian", "water", "sea", "street", "street_major")


@dataclass(frozen=True)
class MarkFeature:
    fill: RGBA
    ring: RGBA  # drawn around (wider than) the fill


def map_features(theme, style: MapStyle | None = None) -> dict[str, MarkFeature]:
    """The map's meaningful marks and their colours, as the widget draws them: the POI dots by kind (the
    theme's kind colours), the route, the user's position."""
    st = style or style_for(theme)
    out = {kind: MarkFeature(getattr(theme, kind), st.marker_ring) for kind in ("heritage", "commerce", "service")}
    out["route"] = MarkFeature(st.route, st.route_halo)
    out["position"] = MarkFeature(st.position, st.position_ring)
    return out
