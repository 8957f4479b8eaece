"""The offline map: basemap, streets, names, POI markers by kind, position with accuracy and heading, route;
pan, pinch, tap.

Geometry is drawn once in local metres (:class:`mobile.presenters.map_view.MapScene`)
under one ``Translate`` + ``Scale``: panning and pinching only change those
two instructions. The base layer (basemap, streets, markers, names) lives in an ``Fbo`` a quarter of the widget
larger on each side, re-rendered only when it changes, at a new scale, or when a pan goes past that margin; a pan
within it only moves the texture, so a pan frame costs what a frame with nothing changed does. Line widths,
marker and text sizes are given in pixels, so after a zoom settles (a ``Clock`` trigger) the base layer is re-made
at the new scale. Names (:mod:`mobile.presenters.map_labels`) are laid out for the view and the Fbo's margin around
it, drawn as textured quads in metres (a pan moves them too), and laid out again when a pan leaves that area.
The position layer (accuracy circle, heading, dot, route) is small and re-made on every location update.
"""

from __future__ import annotations

import math
import time

from kivy.clock import Clock
from kivy.graphics import (ClearBuffers, ClearColor, Color, Ellipse, Fbo, InstructionGroup, Line, Mesh, PopMatrix,
                           PushMatrix, Rectangle, Scale, Translate)
from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.stencilview import StencilView

import numpy as np

from mobile.presenters.basemap import band_for, triangle_meshes
from mobile.presenters.map_labels import Placement, layout_labels
from mobile.ui.map_style import label_px, map_features, style_for
from mobile.presenters.map_view import heading_arrow, heading_of, scale_bar
from mobile.presenters.map_view import DISC_SEGMENTS, KIND_ORDER, MapScene, Viewport, discs, line_quads

__all__ = ["OfflineMap"]

DRAW_ORDER = ("service", "commerce", "heritage")
TAP_MAX_MOVE = 12.0
TAP_MAX_SECONDS = 0.5
WHEEL_FACTOR = 1.25
PAN_MARGIN = 0.25  # the base layer's texture reaches this fraction of the widget beyond each side (pans move it)
SIMPLIFY_PX = 1.0  # streets simplified to about a pixel at the current zoom (see MapScene.segments)


class OfflineMap(StencilView):
    scene: MapScene | None = ObjectProperty(None, allownone=True)
    theme = ObjectProperty(None, allownone=True)
    position = ObjectProperty(None, allownone=True)  # mobile.presenters.location.Position
    route = ListProperty([])  # list[LatLon]
    highlight = ListProperty([])  # poi ids drawn larger (trail stops)
    selected = StringProperty("")
    picked = ObjectProperty(None, allownone=True)  # (x, y) metres of a picked point
    pick_mode = BooleanProperty(False)
    marker_px = NumericProperty(dp(9))
    redraws = NumericProperty(0)  # counts base-layer rebuilds (tests, benchmarks)
    lang = StringProperty("")  # POI label language ("" = the running app's)
    font_scale = NumericProperty(0)  # large-text setting (0 = the running app's)

    __events__ = ("on_marker", "on_pick", "on_frame")

    def __init__(self, **kwargs) -> None:
        self.viewport = Viewport()
        self._built_scale: float | None = None
        self._touches: dict = {}
        self._fitted = False
        self._fit_extent = None  # what the last fit() showed (None: the whole town)
        self._follow_size = True  # re-fit when the widget is resized, until the user moves the view
        self._fbo_margin = (0, 0)  # pixels of base layer rendered beyond each side of the widget
        self._render_at = None  # (cx, cy, scale) the Fbo was last rendered for
        self._fill_meshes: dict = {}  # (basemap, band, style) -> [(Color, [Mesh…])] of the basemap's areas
        self._label_textures: dict = {}  # (text, kind, style, px) -> Kivy texture, rendered once
        self._label_box = None  # world box (x0, y0, x1, y1) the current labels were laid out for
        self._label_at = None  # the view centre (world) they were laid out for: no name cut by the edge there
        self.labels: list[Placement] = []  # what the last layout placed (tests)
        super().__init__(**kwargs)
        # The base layer (background, streets, markers) is rendered into a texture (Fbo) that is only
        # re-rendered when its instructions change (pan, zoom, rebuild): a frame for a location update
        # draws that texture and the small overlay, not thousands of meshes again.
        self._fbo = Fbo(size=(100, 100))
        self._bg_color = Color(0.92, 0.9, 0.85, 1)
        self._bg = Rectangle(pos=(0, 0), size=(100, 100))
        self._base_translate = Translate(0, 0)
        self._base_scale = Scale(1, 1, 1)
        self._base = InstructionGroup()
        self._labels = InstructionGroup()  # street, place and POI names: textured quads in metres
        for instruction in (ClearColor(0, 0, 0, 0), ClearBuffers(), self._bg_color, self._bg, PushMatrix(),
                            self._base_translate, self._base_scale, self._base, self._labels, PopMatrix()):
            self._fbo.add(instruction)
        self._translate = Translate(0, 0)
        self._scale = Scale(1, 1, 1)
        self._overlay = InstructionGroup()
        self._base_rect = Rectangle(pos=self.pos, size=self.size, texture=self._fbo.texture)
        self._hud = InstructionGroup()  # scale bar and north arrow, in widget pixels
        self._hud_key = None
        for instruction in (self._fbo, Color(1, 1, 1, 1), self._base_rect, PushMatrix(), self._translate,
                            self._scale, self._overlay, PopMatrix(), self._hud):
            self.canvas.add(instruction)
        self._rebuild_trigger = Clock.create_trigger(self._rebuild_base, 0.12)
        self._overlay_trigger = Clock.create_trigger(lambda dt: self._build_overlay(), -1)
        self._labels_trigger = Clock.create_trigger(lambda dt: self._build_labels(), 0.08)
        self.bind(pos=self._on_geometry, size=self._on_geometry)
        self._on_geometry()  # a size given to the constructor: the Fbo takes it now
        self.bind(scene=self._on_scene, theme=self._on_theme)
        self.bind(position=self._schedule_overlay, route=self._schedule_overlay, picked=self._schedule_overlay)
        self.bind(selected=self._schedule_rebuild, highlight=self._schedule_rebuild)
        self.bind(lang=self._schedule_rebuild, font_scale=self._schedule_rebuild)

    # -- events ----------------------------------------------------------------
    def on_marker(self, poi_id: str) -> None:
        pass

    def on_pick(self, x: float, y: float) -> None:
        pass

    def on_frame(self) -> None:
        pass

    # -- property reactions -------------------------------------------------------
    def _on_geometry(self, *_a) -> None:
        mx, my = int(round(self.width * PAN_MARGIN)), int(round(self.height * PAN_MARGIN))
        size = (max(1, int(round(self.width)) + 2 * mx), max(1, int(round(self.height)) + 2 * my))
        self._fbo_margin = (mx, my)
        if tuple(self._fbo.size) != size:
            self._fbo.size = size
            self._base_rect.texture = self._fbo.texture
            self._bg.size = size
        self._render_at = None  # the base layer is rendered again for the new size
        self.viewport.resize(self.width, self.height)
        # A screen built on first show lays its map out after the first fit: fit again at the real size
        # (unless the user has panned or zoomed since).
        if self.scene is not None and (not self._fitted or self._follow_size) and self.width >= 50 and self.height >= 50:
            self.fit(self._fit_extent)
        self._apply_transform()

    def _on_scene(self, *_a) -> None:
        self._fitted = False
        self._built_scale = None
        if self.scene is not None:
            self.fit()
        self.rebuild_now()

    def _on_theme(self, *_a) -> None:
        self._label_textures.clear()
        if self.theme is not None:
            self._bg_color.rgba = style_for(self.theme).land
            self._fbo.ask_update()
        self.rebuild_now()

    def _schedule_rebuild(self, *_a) -> None:
        self._rebuild_trigger()

    def _schedule_overlay(self, *_a) -> None:
        self._overlay_trigger()

    # -- view control --------------------------------------------------------------
    def fit(self, extent=None) -> None:
        if self.scene is None:
            return
        if self.width < 50 or self.height < 50:  # not laid out yet: fit when it is
            self._fit_extent = extent
            self._fitted = False
            return
        self._fit_extent = extent
        self._follow_size = True
        self.viewport.resize(self.width, self.height)
        self.viewport.fit(extent or self.scene.poi_extent(), margin_px=dp(16))
        self._fitted = True
        self._apply_transform()
        self._rebuild_trigger()

    def centre_on_latlon(self, lat: float, lon: float, *, min_scale: float | None = None) -> None:
        if self.scene is None:
            return
        self._follow_size = False
        x, y = self.scene.to_xy(lat, lon)
        self.viewport.centre_on(x, y)
        if min_scale is not None and self.viewport.scale < min_scale:
            self.viewport.zoom(min_scale / self.viewport.scale)
            self._rebuild_trigger()
        self._apply_transform()
        self.settle_labels()

    def settle_labels(self) -> None:
        """The view came to rest away from where the names were laid out (end of a pan, follow mode): lay
        them out again, so none is left cut by the edge of the screen (a pan in progress only moves them)."""
        at, vp = self._label_at, self.viewport
        if at is not None and vp.scale == self._built_scale and (at[0] != vp.cx or at[1] != vp.cy):
            self._labels_trigger()

    def zoom_by(self, factor: float, anchor=None) -> None:
        self._follow_size = False
        self.viewport.zoom(factor, anchor)
        self._apply_transform()
        self._rebuild_trigger()

    def pan_by(self, dx: float, dy: float) -> None:
        self._follow_size = False
        self.viewport.pan(dx, dy)
        self._apply_transform()

    def _apply_transform(self) -> None:
        vp = self.viewport
        s = vp.scale
        self._scale.x = self._scale.y = s
        self._translate.x = self.x + vp.width / 2 - vp.cx * s
        self._translate.y = self.y + vp.height / 2 - vp.cy * s
        self._place_base()
        if self._label_box is not None and vp.scale == self._built_scale:
            wx0, wy0 = vp.to_world(0, 0)
            wx1, wy1 = vp.to_world(vp.width, vp.height)
            bx0, by0, bx1, by1 = self._label_box
            if wx0 < bx0 or wy0 < by0 or wx1 > bx1 or wy1 > by1:  # panned past the laid-out area
                self._labels_trigger()
        self._build_hud()
        self.dispatch("on_frame")

    def _place_base(self, rerender: bool = False) -> None:
        """Show the base layer's texture under the view. The Fbo holds the view and a margin around it
        (:data:`PAN_MARGIN`): a pan within the margin only moves the texture; past it, or at a new scale,
        the Fbo is rendered again centred on the view."""
        vp, s = self.viewport, self.viewport.scale
        mx, my = self._fbo_margin
        at = self._render_at
        if rerender or at is None or at[2] != s or abs((at[0] - vp.cx) * s) > mx or abs((at[1] - vp.cy) * s) > my:
            at = self._render_at = (vp.cx, vp.cy, s)
            self._base_scale.x = self._base_scale.y = s  # in the Fbo: its own origin, no widget offset
            self._base_translate.x = vp.width / 2 + mx - vp.cx * s
            self._base_translate.y = vp.height / 2 + my - vp.cy * s
            self._fbo.ask_update()  # changes inside an Fbo do not re-render it by themselves
        # only the part under the widget is drawn (the texture's sub-rectangle): no overdraw outside it
        fw, fh = self._fbo.size
        u0 = (mx - (at[0] - vp.cx) * s) / fw
        v0 = (my - (at[1] - vp.cy) * s) / fh
        u1, v1 = u0 + vp.width / fw, v0 + vp.height / fh
        self._base_rect.pos = self.pos
        self._base_rect.size = (vp.width, vp.height)
        self._base_rect.tex_coords = (u0, v0, u1, v0, u1, v1, u0, v1)

    def _build_hud(self) -> None:
        """A metric scale bar (a round length, bottom left) and a north arrow (top left), redrawn on zoom."""
        theme = self.theme
        if theme is None:
            return
        metres, length = scale_bar(1.0 / self.viewport.scale, dp(110))
        key = (metres, round(length), self.x, self.y, self.height, id(theme))
        if key == self._hud_key:
            return
        self._hud_key = key
        hud = self._hud
        hud.clear()
        style = style_for(theme)
        x0, y0 = self.x + dp(16), self.y + dp(96)
        label = CoreLabel(text=f"{metres} m" if metres < 1000 else f"{metres // 1000} km", font_size=sp(12), bold=True)
        label.refresh()
        tw, th = label.texture.size
        hud.add(Color(*style.hud_halo))  # a plate under the bar: legible over buildings and markers
        hud.add(Rectangle(pos=(x0 - dp(6), y0 - dp(6)), size=(length + dp(12), th + dp(14))))
        hud.add(Color(*style.hud))
        hud.add(Line(points=[x0, y0 + dp(6), x0, y0, x0 + length, y0, x0 + length, y0 + dp(6)], width=dp(1)))
        hud.add(Rectangle(texture=label.texture, pos=(x0 + length / 2 - tw / 2, y0 + dp(4)), size=(tw, th)))
        ax, ay = self.x + dp(26), self.top - dp(32)
        hud.add(Color(*style.hud_halo))
        hud.add(Ellipse(pos=(ax - dp(18), ay - dp(30)), size=(dp(36), dp(46))))
        hud.add(Color(*style.hud))
        hud.add(Mesh(vertices=[ax, ay + dp(11), 0, 0, ax - dp(6), ay - dp(7), 0, 0, ax, ay - dp(3), 0, 0,
                               ax + dp(6), ay - dp(7), 0, 0], indices=[0, 1, 2, 0, 2, 3], mode="triangles"))
        n = CoreLabel(text="N", font_size=sp(12), bold=True)  # tinted by the Color above (hud)
        n.refresh()
        hud.add(Rectangle(texture=n.texture, pos=(ax - n.texture.size[0] / 2, ay - dp(26)), size=n.texture.size))

    # -- drawing ---------------------------------------------------------------------
    def rebuild_now(self) -> None:
        self._rebuild_trigger.cancel()
        self._rebuild_base()

    def _rebuild_base(self, *_a) -> None:
        base = self._base
        base.clear()
        self._place_base(rerender=True)
        self._built_scale = self.viewport.scale
        self.redraws += 1
        scene, theme = self.scene, self.theme
        if scene is None or theme is None:
            self._build_overlay()
            return
        s = self.viewport.scale
        px = 1.0 / s  # metres per pixel
        style = style_for(theme)  # every map colour (mobile.ui.map_style)
        marks = map_features(theme, style)
        # basemap fills (sea, water, parks, squares, buildings), triangulated once per zoom band, under the streets
        if scene.basemap is not None:
            band = band_for(px)
            key = (id(scene.basemap), band, id(style))
            if key not in self._fill_meshes:  # fills do not depend on the scale: their meshes are kept per band
                if len(self._fill_meshes) > 6:
                    self._fill_meshes.clear()
                self._fill_meshes[key] = [(Color(*style.fill(layer)), _meshes(triangle_meshes(tris)))
                                          for layer, tris in scene.basemap.fills(band).items() if len(tris)]
            for colour, meshes in self._fill_meshes[key]:
                base.add(colour)
                for mesh in meshes:
                    base.add(mesh)
            if band >= 1:  # building outlines from street view on: one house from the next
                a, b = scene.basemap.outlines(band)
                if len(a):
                    base.add(Color(*style.building_outline))
                    _add_meshes(base, line_quads(a, b, dp(0.5) * px))
            for layer, lines in scene.basemap.lines(band).items():  # rivers and railways
                a = np.vstack([ln[:-1] for ln in lines])
                b = np.vstack([ln[1:] for ln in lines])
                base.add(Color(*style.fill(layer)))
                _add_meshes(base, line_quads(a, b, dp(1.5 if layer == "water" else 1.0) * px))
        # streets: casing, then fill; minor first, major on top (one Mesh per class and layer)
        street_px = max(1.3, min(dp(2.2) * (s / 1.2) ** 0.5, dp(7)))
        casing = style.street_casing
        cased = s > 0.6  # outlines only when zoomed in enough to read streets
        for major, fill, width in ((False, style.street, street_px), (True, style.street_major, street_px * 1.5)):
            a, b = scene.segments(major=major, tol_m=SIMPLIFY_PX * px)
            if not len(a):
                continue
            if cased:
                base.add(Color(*casing))
                _add_meshes(base, line_quads(a, b, (width / 2 + dp(0.8)) * px))
            base.add(Color(*fill))
            _add_meshes(base, line_quads(a, b, width / 2 * px))
        # markers: outline then fill, per kind (heritage on top); trail stops larger
        r = self.marker_radius_px() * px
        ring = max(1.0, r / px / 6) * px
        hs = set(self.highlight)
        hl = np.array([pid in hs for pid in scene.poi_ids], dtype=bool)
        seg = DISC_SEGMENTS if r / px >= 6 else 8  # small dots: 8 triangles look as round as 14
        for kind in DRAW_ORDER:
            mask = scene.poi_kinds == KIND_ORDER.index(kind)
            if not mask.any():
                continue
            radii = np.where(hl[mask], r * 1.5, r)
            base.add(Color(*marks[kind].ring))
            _add_meshes(base, discs(scene.poi_xy[mask], radii + ring, seg))
            base.add(Color(*marks[kind].fill))
            _add_meshes(base, discs(scene.poi_xy[mask], radii, seg))
        if self.selected and self.selected in scene.poi_ids:
            i = scene.poi_ids.index(self.selected)
            x, y = scene.poi_xy[i]
            rr = r * 2.2
            base.add(Color(*theme.accent))
            base.add(Line(circle=(x, y, rr), width=dp(2.5) * px))
        self._build_labels()
        self._build_overlay()

    # -- labels --------------------------------------------------------------------
    def _app_value(self, name: str, default):
        from kivy.app import App

        return getattr(App.get_running_app(), name, default)

    def _label_texture(self, text: str, kind: str):
        style = style_for(self.theme)
        scale = self.font_scale or self._app_value("font_scale", 1.0)
        size = round(label_px(kind, scale, dp(1)), 1)
        key = (text, kind, id(style), size)
        tex = self._label_textures.get(key)
        if tex is None:
            colour = {"place": style.place_label, "square": style.place_label,
                      "housenumber": style.housenumber}.get(kind, style.label)
            lbl = CoreLabel(text=text, font_size=size, color=colour, bold=kind in ("place", "street_major"),
                            italic=kind == "square", outline_width=max(1, int(round(dp(1.5)))),
                            outline_color=style.label_halo[:3])
            lbl.refresh()
            tex = lbl.texture
            if len(self._label_textures) > 3000:  # a long session over many towns: start again
                self._label_textures.clear()
            self._label_textures[key] = tex
        return tex

    def _build_labels(self) -> None:
        """Lay out the names for the current view (and the Fbo's margin around it) and draw them as textured
        quads in metres, so a pan moves them with the map without a new layout."""
        self._labels_trigger.cancel()
        group = self._labels
        group.clear()
        self._place_base(rerender=True)  # centred on the view again: the names laid out around it fit
        self.labels = []
        scene, theme, vp = self.scene, self.theme, self.viewport
        if scene is None or theme is None or vp.scale != self._built_scale:
            self._label_box = self._label_at = None
            return
        w, h = vp.width, vp.height
        mx, my = self._fbo_margin  # as far as the base layer's texture reaches
        region = (-mx, -my, w + mx, h + my)
        (bx0, by0), (bx1, by1) = vp.to_world(region[0], region[1]), vp.to_world(region[2], region[3])
        self._label_box = (bx0, by0, bx1, by1)
        self._label_at = (vp.cx, vp.cy)

        def measure(text: str, kind: str):
            return self._label_texture(text, kind).size

        lang = self.lang or self._app_value("lang", "en")
        self.labels = layout_labels(scene, vp, lang=lang, measure=measure, marker_px=self.marker_radius_px(),
                                    region=region)
        group.add(Color(1, 1, 1, 1))
        s = vp.scale
        for pl in self.labels:
            tex = self._label_texture(pl.text, pl.kind)
            c = pl.corners()
            wx = (c[:, 0] - w / 2) / s + vp.cx
            wy = (c[:, 1] - h / 2) / s + vp.cy
            uv = tex.tex_coords  # bottom-left, bottom-right, top-right, top-left
            verts = [wx[0], wy[0], uv[0], uv[1], wx[1], wy[1], uv[2], uv[3],
                     wx[2], wy[2], uv[4], uv[5], wx[3], wy[3], uv[6], uv[7]]
            group.add(Mesh(vertices=verts, indices=[0, 1, 2, 3], mode="triangle_fan", texture=tex))

    def _build_overlay(self) -> None:
        ov = self._overlay
        ov.clear()
        scene, theme = self.scene, self.theme
        if scene is None or theme is None:
            return
        px = 1.0 / self.viewport.scale
        marks = map_features(theme)
        if len(self.route) >= 2:
            xy = scene.line_xy(self.route)
            ov.add(Color(*marks["route"].ring))
            ov.add(Line(points=xy.ravel().tolist(), width=dp(6.5) * px, cap="round", joint="round"))
            ov.add(Color(*marks["route"].fill))
            ov.add(Line(points=xy.ravel().tolist(), width=dp(4.5) * px, cap="round", joint="round"))
        if self.picked is not None:
            x, y = self.picked
            ov.add(Color(*theme.accent))
            ov.add(Line(circle=(x, y, dp(12) * px), width=dp(3) * px))
            ov.add(Line(points=[x - dp(18) * px, y, x + dp(18) * px, y], width=dp(1.5) * px))
            ov.add(Line(points=[x, y - dp(18) * px, x, y + dp(18) * px], width=dp(1.5) * px))
        pos = self.position
        if pos is not None:
            x, y = scene.to_xy(pos.lat, pos.lon)
            acc = max(float(pos.accuracy_m), 1.0)
            c, edge = marks["position"].fill, marks["position"].ring
            ov.add(Color(c[0], c[1], c[2], 0.18))
            ov.add(Ellipse(pos=(x - acc, y - acc), size=(2 * acc, 2 * acc), segments=48))
            ov.add(Color(c[0], c[1], c[2], 0.6))
            ov.add(Line(circle=(x, y, acc), width=dp(1.2) * px))
            rr = dp(8) * px
            heading = heading_of(pos)
            if heading is not None:  # which way the walker goes: a wedge ahead of the dot, edged
                ov.add(Color(*edge))
                ov.add(Mesh(vertices=heading_arrow(x, y, heading, rr * 1.3), indices=[0, 1, 2, 3],
                            mode="triangle_fan"))
                ov.add(Color(*c))
                ov.add(Mesh(vertices=heading_arrow(x, y, heading, rr), indices=[0, 1, 2, 3], mode="triangle_fan"))
            ov.add(Color(*edge))
            ov.add(Ellipse(pos=(x - rr * 1.35, y - rr * 1.35), size=(2.7 * rr, 2.7 * rr), segments=24))
            ov.add(Color(*c))
            ov.add(Ellipse(pos=(x - rr, y - rr), size=(2 * rr, 2 * rr), segments=24))

    # -- touches ---------------------------------------------------------------------
    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return False
        if getattr(touch, "is_mouse_scrolling", False):
            lx, ly = touch.x - self.x, touch.y - self.y
            if touch.button == "scrollup":
                self.zoom_by(1 / WHEEL_FACTOR, (lx, ly))
            elif touch.button == "scrolldown":
                self.zoom_by(WHEEL_FACTOR, (lx, ly))
            return True
        if touch.is_double_tap:
            self.zoom_by(2.0, (touch.x - self.x, touch.y - self.y))
            return True
        touch.grab(self)
        self._touches[touch.uid] = {"touch": touch, "start": touch.pos, "t": time.monotonic(), "moved": 0.0}
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self:
            return False
        info = self._touches.get(touch.uid)
        if info is None:
            return True
        info["moved"] = max(info["moved"], math.dist(info["start"], touch.pos))
        others = [i["touch"] for uid, i in self._touches.items() if uid != touch.uid]
        if others:  # pinch: zoom around the midpoint, follow the midpoint
            o = others[0]
            before = math.dist(touch.ppos, o.pos)
            after = math.dist(touch.pos, o.pos)
            mid = ((touch.x + o.x) / 2 - self.x, (touch.y + o.y) / 2 - self.y)
            self._follow_size = False
            if before > 1:
                self.viewport.zoom(after / before, mid)
            self.viewport.pan(touch.dx / 2, touch.dy / 2)
            self._apply_transform()
            self._rebuild_trigger()
        else:
            self.pan_by(touch.dx, touch.dy)
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        info = self._touches.pop(touch.uid, None)
        if info and info["moved"] <= TAP_MAX_MOVE and time.monotonic() - info["t"] <= TAP_MAX_SECONDS and not self._touches:
            self.tap(touch.x - self.x, touch.y - self.y)
        elif not self._touches:
            self.settle_labels()
        return True

    def tap(self, lx: float, ly: float) -> None:
        """A tap at widget-local pixels: a marker's page, or the picked point in pick mode."""
        if self.scene is None:
            return
        if self.pick_mode:
            x, y = self.viewport.to_world(lx, ly)
            self.picked = (x, y)
            self.dispatch("on_pick", x, y)
            return
        hit = self.viewport.hit(self.scene, lx, ly, radius_px=max(dp(18), self.marker_radius_px() * 1.6))
        if hit is not None:
            self.selected = hit
            self.dispatch("on_marker", hit)

    def marker_radius_px(self) -> float:
        """Marker radius for the current zoom: dots at town scale, pins when zoomed in."""
        return max(dp(3), min(self.marker_px * math.sqrt(self.viewport.scale / 1.2), dp(11)))

    def marker_screen_pos(self, poi_id: str) -> tuple[float, float]:
        """Window coordinates of a marker (tests tap it like a finger would)."""
        i = self.scene.poi_ids.index(poi_id)
        sx, sy = self.viewport.to_screen(*self.scene.poi_xy[i])
        return self.x + sx, self.y + sy


def _meshes(chunks) -> list:
    """Kivy meshes from (float32 vertices, uint16 indices) arrays, passed as memoryviews (no float lists)."""
    return [Mesh(vertices=memoryview(v), indices=memoryview(i), mode="triangles") for v, i in chunks]


def _add_meshes(group, chunks) -> None:
    for mesh in _meshes(chunks):
        group.add(mesh)
