"""Numbered stop markers drawn over an :class:`~mobile.ui.widgets.offline_map.OfflineMap`.

A widget laid over the map (same position and size) that draws, for each walk stop, a round
badge with its number in the list next to the stop's marker: the next stop in the accent
colour, visited and skipped ones greyed. It reads the map only through its public surface
(``scene``, ``viewport``, ``marker_screen_pos`` and the ``on_frame`` event, dispatched on every
pan and zoom), so the map widget itself does not change. It takes no touches.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Ellipse, Rectangle
from kivy.metrics import dp, sp
from kivy.properties import ListProperty, NumericProperty, ObjectProperty
from kivy.uix.widget import Widget

__all__ = ["StopNumbers"]


class StopNumbers(Widget):
    map = ObjectProperty(None, allownone=True)
    theme = ObjectProperty(None, allownone=True)
    markers = ListProperty([])  # (poi id, number, "next" | "visited" | "skipped" | "todo")
    font_scale = NumericProperty(1.0)
    drawn = ListProperty([])  # (poi id, number, x, y) of the badges drawn (tests read it)

    def __init__(self, **kwargs) -> None:
        self._textures: dict[tuple[str, float], object] = {}
        super().__init__(**kwargs)
        self.bind(markers=self.redraw, theme=self.redraw, pos=self.redraw, size=self.redraw, font_scale=self.redraw)

    def on_map(self, _w, m) -> None:
        if m is not None:
            m.bind(on_frame=self.redraw, scene=self.redraw)
        self.redraw()

    def on_touch_down(self, touch):  # the map under it gets every touch
        return False

    def _texture(self, text: str, size: float):
        key = (text, size)
        tex = self._textures.get(key)
        if tex is None:
            label = CoreLabel(text=text, font_size=size, bold=True)
            label.refresh()
            tex = self._textures[key] = label.texture
        return tex

    def redraw(self, *_a) -> None:
        self.canvas.clear()
        m, theme = self.map, self.theme
        drawn = []
        if m is None or theme is None or m.scene is None:
            self.drawn = drawn
            return
        ids = set(m.scene.poi_ids)
        r = dp(11) * min(self.font_scale, 1.6)
        font = sp(12) * min(self.font_scale, 1.6)
        with self.canvas:
            for poi_id, number, state in self.markers:
                if poi_id not in ids:
                    continue
                x, y = m.marker_screen_pos(poi_id)
                bx, by = x + r * 0.9, y + r * 0.9  # up and right of the marker: the marker stays visible
                if not (m.x <= bx <= m.right and m.y <= by <= m.top):
                    continue
                fill = theme.accent if state == "next" else theme.muted if state in ("visited", "skipped") else theme.heritage
                Color(*theme.accent_text)
                Ellipse(pos=(bx - r - dp(1.5), by - r - dp(1.5)), size=(2 * r + dp(3), 2 * r + dp(3)))
                Color(*fill)
                Ellipse(pos=(bx - r, by - r), size=(2 * r, 2 * r))
                tex = self._texture(str(number), font)
                Color(*theme.accent_text)
                Rectangle(texture=tex, pos=(bx - tex.size[0] / 2, by - tex.size[1] / 2), size=tex.size)
                drawn.append((poi_id, number, bx, by))
        self.drawn = drawn
