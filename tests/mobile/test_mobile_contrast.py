"""Non-text contrast of the map (WCAG 2.2, 1.4.11; issue 16): every mark that carries meaning — the POI dots of
each kind, the route, the user's position — holds at least 3:1 against every area or street it can lie on, in the
normal and the high-contrast styles, by its fill or by its ring (the edge the eye finds). Colours come from
``mobile.ui.map_style.map_features``, what the map widget draws with."""

from __future__ import annotations

import pytest

from mobile.presenters.settings import HIGH_CONTRAST, NORMAL, contrast_ratio
from mobile.ui.map_style import FEATURE_BACKGROUNDS, HIGH_CONTRAST_MAP, NORMAL_MAP, map_features, style_for

NON_TEXT = 3.0


def _over(fg, bg):
    """A translucent colour as it shows over an opaque one."""
    a = fg[3] if len(fg) > 3 else 1.0
    return tuple(a * f + (1 - a) * b for f, b in zip(fg[:3], bg[:3])) + (1.0,)


def _pairs(theme):
    style = style_for(theme)
    for name, mark in map_features(theme, style).items():
        for bg_name in FEATURE_BACKGROUNDS:
            bg = getattr(style, bg_name)
            fill = contrast_ratio(_over(mark.fill, bg), bg)
            ring = contrast_ratio(_over(mark.ring, bg), bg)
            yield name, bg_name, fill, ring


@pytest.mark.parametrize("theme", [NORMAL, HIGH_CONTRAST], ids=["normal", "high-contrast"])
def test_every_map_mark_holds_3_to_1_on_everything_it_can_lie_on(theme):
    failing = [f"{name} on {bg}: fill {fill:.2f}, ring {ring:.2f}"
               for name, bg, fill, ring in _pairs(theme) if max(fill, ring) < NON_TEXT]
    assert failing == []


def test_the_style_follows_the_theme_and_covers_every_mark():
    assert style_for(NORMAL) is NORMAL_MAP and style_for(HIGH_CONTRAST) is HIGH_CONTRAST_MAP
    assert set(map_features(NORMAL)) == {"heritage", "commerce", "service", "route", "position"}
    assert map_features(NORMAL)["heritage"].fill == NORMAL.heritage  # the legend's colours are the map's


def test_in_the_normal_style_the_fills_carry_the_contrast():
    """A white ring on a light map adds nothing: each fill holds 3:1 on its own."""
    weak = [f"{name} on {bg}: {fill:.2f}" for name, bg, fill, _ring in _pairs(NORMAL) if fill < NON_TEXT]
    assert weak == []


def test_the_walking_route_and_position_stand_out_from_the_sea_and_buildings():
    """The two marks that failed before (route 2.4–2.9:1, position 2.6:1 on the water): now with margin."""
    ratios = {(n, bg): fill for n, bg, fill, _r in _pairs(NORMAL)}
    assert min(ratios["route", bg] for bg in ("sea", "water", "building", "park")) >= 3.3
    assert min(ratios["position", bg] for bg in ("sea", "water", "building", "park")) >= 3.3
