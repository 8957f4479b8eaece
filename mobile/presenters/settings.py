"""User settings: language, large text, high contrast, location source, audio on arrival; the themes
and their contrast (:func:`contrast_ratio`, :func:`text_pairs`: every text colour on its background)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from mobile.i18n import LANGUAGES, default_language

__all__ = ["Settings", "LOCATION_SOURCES", "LARGE_TEXT_SCALE", "NAV_ROWS_FROM_SCALE", "Theme", "theme_for",
           "contrast_ratio", "text_pairs", "nav_columns", "header_colours",
           "HeaderColours", "brand_logo"]

LARGE_TEXT_SCALE = 1.7  # "large text": every text ×1.7, the bottom navigation too (issue 16: at least ×1.6)
NAV_ROWS_FROM_SCALE = 1.5  # from this text scale the six navigation buttons take two rows of three
BOOL_SETTINGS = ("large_text", "high_contrast", "audio_on_arrival")

LOCATION_SOURCES: tuple[str, ...] = ("gps", "simulated", "gpx")
LocationSource = Literal["gps", "simulated", "gpx"]


@dataclass
class Settings:
    lang: str = field(default_factory=default_language)
    large_text: bool = False
    high_contrast: bool = False
    location_source: str = "gps"
    gpx_path: str = ""
    pack: str = ""  # path of the last opened pack ("" = the default town)
    inbox_url: str = ""  # the town's inbox server for "Send now" ("" = none: submissions stay on the device)
    device_token: str = ""  # this device's token for the inbox (made on the first "Send now")
    audio_on_arrival: bool = False  # walk mode: play the stop's audio when it is reached (off by default)
    catalogue_url: str = ""  # the pack catalogue (index.json) for the Towns screen ("" = the bundled packs only)

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            self.lang = default_language()
        if self.location_source not in LOCATION_SOURCES:
            self.location_source = "gps"

    @property
    def font_scale(self) -> float:
        return LARGE_TEXT_SCALE if self.large_text else 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Settings":
        """Settings from a saved dict; unknown keys and wrong types are ignored."""
        data = data if isinstance(data, dict) else {}
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            expected = bool if f.name in BOOL_SETTINGS else str
            if isinstance(value, expected):
                kwargs[f.name] = value
        return cls(**kwargs)


@dataclass(frozen=True)
class Theme:
    """Colours as RGBA tuples in 0..1 (kv reads them from ``app.theme``)."""

    bg: tuple[float, float, float, float]
    surface: tuple[float, float, float, float]
    text: tuple[float, float, float, float]
    muted: tuple[float, float, float, float]
    accent: tuple[float, float, float, float]
    accent_text: tuple[float, float, float, float]
    heritage: tuple[float, float, float, float]
    commerce: tuple[float, float, float, float]
    service: tuple[float, float, float, float]
    street: tuple[float, float, float, float]
    street_major: tuple[float, float, float, float]
    route: tuple[float, float, float, float]
    position: tuple[float, float, float, float]
    banner: tuple[float, float, float, float]
    map_bg: tuple[float, float, float, float]


def _hex(h: str, a: float = 1.0) -> tuple[float, float, float, float]:
    h = h.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, a)


NORMAL = Theme(
    bg=_hex("f6f1e7"),
    surface=_hex("ffffff"),
    text=_hex("1f2328"),
    muted=_hex("5b6169"),
    accent=_hex("1d5c7a"),
    accent_text=_hex("ffffff"),
    heritage=_hex("b3452c"),
    commerce=_hex("2b7549"),  # 4.9:1 on bg (was 4.48:1)
    service=_hex("3f5fb5"),
    street=_hex("ffffff"),
    street_major=_hex("f2d59b"),
    route=_hex("d63384", 0.9),
    position=_hex("1a73e8"),
    banner=_hex("1d5c7a"),
    map_bg=_hex("ebe6da"),
)

HIGH_CONTRAST = Theme(
    bg=_hex("000000"),
    surface=_hex("111111"),
    text=_hex("ffffff"),
    muted=_hex("e0e0e0"),
    accent=_hex("ffd400"),
    accent_text=_hex("000000"),
    heritage=_hex("ff5c39"),
    commerce=_hex("3ddc84"),
    service=_hex("5fa8ff"),
    street=_hex("9a9a9a"),
    street_major=_hex("ffffff"),
    route=_hex("ff3cc7"),
    position=_hex("00e5ff"),
    banner=_hex("ffd400"),
    map_bg=_hex("000000"),
)


def theme_for(settings: Settings) -> Theme:
    return HIGH_CONTRAST if settings.high_contrast else NORMAL


def nav_columns(font_scale: float) -> int:
    """Columns of the bottom navigation (seven buttons): two rows of four, rows of three with large text
    (so that "Contribuer" at ×1.7 is not cut; seven in one row would cut it at normal size on a phone)."""
    return 3 if font_scale >= NAV_ROWS_FROM_SCALE else 4


def _luminance(rgba) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(float(c)) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg, bg) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    a, b = _luminance(fg), _luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def text_pairs(theme: Theme) -> dict[str, tuple[tuple, tuple]]:
    """Every (text colour, background) pair the screens draw text with, by name: what a contrast
    check must hold to 4.5:1. Kept next to the themes so that a new pair is added in one place."""
    t = theme
    return {
        "text on bg": (t.text, t.bg),
        "text on surface": (t.text, t.surface),
        "muted on bg": (t.muted, t.bg),
        "muted on surface": (t.muted, t.surface),
        "accent on bg (flat buttons, progress)": (t.accent, t.bg),
        "accent on surface (flat buttons, nav)": (t.accent, t.surface),
        "button text on accent": (t.accent_text, t.accent),
        "button text on muted (pressed)": (t.accent_text, t.muted),
        "title bar": (t.accent_text, t.accent),
        "banner text": (t.accent_text, t.banner),
        "banner Read button": (t.banner, t.accent_text),
        "open (commerce) on bg": (t.commerce, t.bg),
        "open (commerce) on surface": (t.commerce, t.surface),
        "closed (heritage) on bg": (t.heritage, t.bg),
        "closed (heritage) on surface": (t.heritage, t.surface),
        "error (heritage) on surface": (t.heritage, t.surface),
        "stop number on accent": (t.accent_text, t.accent),
        "stop number on heritage": (t.accent_text, t.heritage),
        "stop number on muted": (t.accent_text, t.muted),
        "toggle text on bg": (t.text, t.bg),
    }



HEADER_OVERLAY = (1.0, 1.0, 1.0, 0.18)  # the top bar's "Home" button over the theme's bar: white at 18 %
MIN_TEXT_CONTRAST = 4.5
BLACK = (0.0, 0.0, 0.0, 1.0)


def _over(fg, bg):
    """``fg`` (with its alpha) composited over the opaque ``bg``."""
    a = float(fg[3]) if len(fg) > 3 else 1.0
    return tuple(a * float(f) + (1 - a) * float(b) for f, b in zip(fg[:3], bg[:3])) + (1.0,)


@dataclass(frozen=True)
class HeaderColours:
    """The top bar: its colour, its text's (title, back, Home), and the Home button's tint over the bar."""

    bar: tuple
    text: tuple
    button: tuple = HEADER_OVERLAY
    branded: bool = False  # the town's colour (False: the theme's)


def header_colours(theme: Theme, manifest=None) -> HeaderColours:
    """The top bar's colours: the town's ``branding.colours.primary`` in the normal theme, with the theme's
    light header text, else its dark text, else black — the first that holds 4.5:1 on the bar; the Home
    button is tinted away from the text (darker under light text, lighter under dark text), so it holds at
    least as much. In high contrast (the visitor's choice wins over the town's), without branding, or when no
    text holds 4.5:1, the theme's own accent and text."""
    default = HeaderColours(theme.accent, theme.accent_text)
    colours = getattr(getattr(manifest, "branding", None), "colours", None)
    if colours is None or theme is HIGH_CONTRAST:
        return default
    bar = _hex(colours.primary)
    for text in (theme.accent_text, theme.text, BLACK):
        if contrast_ratio(text, bar) >= MIN_TEXT_CONTRAST:
            light = _luminance(text) > _luminance(bar)
            button = (0.0, 0.0, 0.0, 0.16) if light else (1.0, 1.0, 1.0, 0.3)
            return HeaderColours(bar, tuple(text), button, True)
    return default


def brand_logo(pack) -> bytes | None:
    """The town's logo for the top bar: ``branding.logo`` when it is a ``media/`` file of the pack (an https
    logo is not fetched: the app makes no request the visitor did not ask for)."""
    branding = getattr(getattr(pack, "manifest", None), "branding", None)
    logo = getattr(branding, "logo", None)
    if not logo or not logo.startswith("media/"):
        return None
    return (getattr(pack, "media", None) or {}).get(logo)
