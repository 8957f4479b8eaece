import types

import pytest

from mobile.i18n import Translator
from mobile.presenters.markup import bold, escape
from mobile.presenters.settings import HIGH_CONTRAST, NORMAL, Settings, theme_for


def test_escape_neutralises_kivy_markup():
    hostile = "[b]x[/b] & [color=ff0000]y[/color] &bl;"
    out = escape(hostile)
    assert "[" not in out and "]" not in out
    assert out == "&bl;b&br;x&bl;/b&br; &amp; &bl;color=ff0000&br;y&bl;/color&br; &amp;bl;"
    assert bold("a[b]") == "[b]a&bl;b&br;[/b]"


def test_escape_round_trips_through_kivy_markup_unescaping():
    from kivy.utils import escape_markup

    text = "Café [Grimaldi] & fils ]["
    assert escape(text) == escape_markup(text)


def test_settings_round_trip_and_ignore_bad_values():
    s = Settings(lang="fr", large_text=True, high_contrast=True, location_source="gpx", gpx_path="/x.gpx")
    assert Settings.from_dict(s.to_dict()) == s
    bad = Settings.from_dict({"lang": "de", "large_text": "yes", "location_source": "satellite", "extra": 1})
    assert bad.lang in ("fr", "en") and bad.large_text is False and bad.location_source == "gps"
    assert Settings.from_dict(None).location_source == "gps"
    assert s.font_scale > Settings(large_text=False).font_scale


def test_themes():
    assert theme_for(Settings(high_contrast=True)) is HIGH_CONTRAST
    assert theme_for(Settings()) is NORMAL

    def lin(v):
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    def lum(c):  # WCAG relative luminance
        return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])

    # WCAG contrast of body text: AAA (7:1) normally, near maximum in high contrast
    def ratio(t):
        a, b = sorted((lum(t.text), lum(t.bg)))
        return (b + 0.05) / (a + 0.05)

    assert ratio(HIGH_CONTRAST) >= 15 > ratio(NORMAL) >= 7


def test_inbox_server_and_device_token_settings():
    s = Settings(inbox_url="https://inbox.monaco.example", device_token="t" * 43)
    again = Settings.from_dict(s.to_dict())
    assert again.inbox_url == "https://inbox.monaco.example" and again.device_token == "t" * 43
    assert Settings().inbox_url == "" and Settings().device_token == ""  # no server: submissions stay on the phone
    assert Settings.from_dict({"inbox_url": 42}).inbox_url == ""


def _luminance(c) -> float:
    def channel(v):
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = c[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_text_colour_pair_has_at_least_4_5_to_1_in_both_themes():
    """WCAG 2 contrast of every colour the screens write text in, on every background they use."""
    from mobile.presenters.settings import HIGH_CONTRAST, NORMAL

    low = []
    for name, theme in (("normal", NORMAL), ("high contrast", HIGH_CONTRAST)):
        pairs = [(fg, bg) for fg in ("text", "muted", "accent", "heritage", "commerce", "service")
                 for bg in ("bg", "surface")]
        pairs += [("accent_text", "accent"), ("accent_text", "banner"), ("accent_text", "muted")]
        for fg, bg in pairs:
            ratio = _contrast(getattr(theme, fg), getattr(theme, bg))
            if ratio < 4.5:
                low.append(f"{name}: {fg} on {bg} {ratio:.2f}:1")
    assert low == []


def test_large_text_is_at_least_1_6_and_the_navigation_takes_two_rows():
    from mobile.presenters.settings import nav_columns

    assert 1.6 <= Settings(large_text=True).font_scale <= 2.0
    assert nav_columns(Settings(large_text=False).font_scale) == 4
    assert nav_columns(Settings(large_text=True).font_scale) == 3


def test_every_text_colour_pair_has_4_5_to_1_in_both_themes():
    """The checked inventory of text contrast: every pair the screens draw text with (text_pairs)."""
    from mobile.presenters.settings import HIGH_CONTRAST, NORMAL, contrast_ratio, text_pairs

    assert contrast_ratio((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21.0)
    assert contrast_ratio((1, 1, 1, 1), (1, 1, 1, 1)) == pytest.approx(1.0)
    # the green "open" of issue 16 (2b8a4e-like, 4.48:1) would fail: the check can fail
    assert contrast_ratio(_hex6("3f9a5c"), NORMAL.bg) < 4.5
    low = {f"{name} {pair}": round(contrast_ratio(*colours), 2)
           for name, theme in (("normal", NORMAL), ("high contrast", HIGH_CONTRAST))
           for pair, colours in text_pairs(theme).items() if contrast_ratio(*colours) < 4.5}
    assert low == {}


def _hex6(h):
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (1.0,)


def test_audio_on_arrival_is_off_by_default_and_saved():
    assert Settings().audio_on_arrival is False
    s = Settings.from_dict({"audio_on_arrival": True})
    assert s.audio_on_arrival is True and Settings.from_dict(s.to_dict()).audio_on_arrival is True
    assert Settings.from_dict({"audio_on_arrival": "yes"}).audio_on_arrival is False
    for lang in ("fr", "en"):
        assert Translator(lang).tr("settings.audio_on_arrival")


def _branded(primary: str | None):
    from heritage_kit.models.extensions import Branding

    branding = Branding.model_validate({"colours": {"primary": primary}}) if primary else None
    return types.SimpleNamespace(branding=branding)


@pytest.mark.parametrize("primary", ["#003366", "#c0392b", "#ffd400", "#808080", "#f6f1e7", "#000000"])
def test_the_header_takes_the_towns_colour_with_text_that_holds_4_5_to_1(primary):
    """Issue 22 item 3: the top bar in the town's ``branding.colours.primary``; its text white, the theme's dark
    text or black — the first with 4.5:1 on the bar — and the Home button tinted so it holds as much."""
    from mobile.presenters.settings import _hex, _over, contrast_ratio, header_colours

    h = header_colours(NORMAL, _branded(primary))
    assert h.branded and h.bar == _hex(primary)
    assert contrast_ratio(h.text, h.bar) >= 4.5
    assert contrast_ratio(h.text, _over(h.button, h.bar)) >= contrast_ratio(h.text, h.bar)
    candidates = [NORMAL.accent_text, NORMAL.text, (0.0, 0.0, 0.0, 1.0)]
    first_ok = next(c for c in candidates if contrast_ratio(c, h.bar) >= 4.5)
    assert h.text == tuple(first_ok)  # white stays white whenever it is legible


def test_header_white_text_on_dark_town_colours_and_dark_text_on_light_ones():
    from mobile.presenters.settings import header_colours

    assert header_colours(NORMAL, _branded("#003366")).text == NORMAL.accent_text
    assert header_colours(NORMAL, _branded("#ffd400")).text == NORMAL.text
    grey = header_colours(NORMAL, _branded("#808080"))  # neither white (3.9:1) nor the dark text (4.0:1): black
    assert grey.text == (0.0, 0.0, 0.0, 1.0)


def test_header_keeps_the_theme_without_branding_and_in_high_contrast():
    from mobile.presenters.settings import HEADER_OVERLAY, header_colours

    for manifest in (None, _branded(None), types.SimpleNamespace()):
        h = header_colours(NORMAL, manifest)
        assert (h.bar, h.text, h.button, h.branded) == (NORMAL.accent, NORMAL.accent_text, HEADER_OVERLAY, False)
    h = header_colours(HIGH_CONTRAST, _branded("#003366"))  # the visitor's choice wins over the town's
    assert (h.bar, h.text, h.branded) == (HIGH_CONTRAST.accent, HIGH_CONTRAST.accent_text, False)


def test_the_logo_is_the_packs_own_file_never_a_download():
    from heritage_kit.models.extensions import Branding
    from mobile.presenters.settings import brand_logo

    def pack(logo):
        manifest = types.SimpleNamespace(branding=Branding.model_validate({"logo": logo}) if logo else None)
        return types.SimpleNamespace(manifest=manifest, media={"media/logo.png": b"PNG"})

    assert brand_logo(pack("media/logo.png")) == b"PNG"
    assert brand_logo(pack("https://example.org/logo.png")) is None  # no request the visitor did not ask for
    assert brand_logo(pack(None)) is None and brand_logo(None) is None
