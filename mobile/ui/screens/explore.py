"""Explore: search box, filters (heritage / shops / open now / open when I arrive / category), results
by relevance for typed words, else by distance."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from mobile.ui.images import thumbnail
from mobile.ui.screens.base import HKScreen

Builder.load_file(os.path.join(os.path.dirname(__file__), "explore.kv"))


class PoiRow(ButtonBehavior, BoxLayout):
    poi_id = StringProperty("")
    kind = StringProperty("")
    title = StringProperty("")
    detail = StringProperty("")
    badge = StringProperty("")
    badge_state = StringProperty("")
    thumb = StringProperty("")  # pack media path of the POI's first photo
    thumb_credit = StringProperty("")

    def on_thumb(self, *_a) -> None:
        """A recycled row shows its new POI's photo (decoded once per photo, off the UI thread)."""
        img = self.ids.thumb
        img.texture = None
        app = App.get_running_app()
        data = app.pack.media.get(self.thumb) if self.thumb and app.pack is not None else None
        if data is not None:
            wanted = self.thumb
            thumbnail(f"{app.pack.manifest.town_id}/{self.thumb}", data, lambda tex: setattr(img, "texture", tex) if self.thumb == wanted else None)

    def on_release(self):
        App.get_running_app().open_poi(self.poi_id)


class ExploreScreen(HKScreen):
    count_text = StringProperty("")
    category_labels = ListProperty([])

    def __init__(self, **kw):
        super().__init__(**kw)
        self._categories: list[tuple[str, str]] = []
        self._trigger = Clock.create_trigger(lambda dt: self.refresh(), 0.15)

    def on_filters(self) -> None:
        self._trigger()

    def refresh(self) -> None:
        app = App.get_running_app()
        presenter = app.explore_presenter()
        if presenter is None:
            self.ids.rv.data = []
            self.count_text = ""
            return
        self._categories = presenter.categories()
        all_label = app.t("explore.all_categories")
        self.category_labels = [all_label] + [label for _c, label in self._categories]
        f = presenter.filters
        f.text = self.ids.search.text
        f.heritage = self.ids.heritage.state == "down"
        f.shops = self.ids.shops.state == "down"
        f.open_now = self.ids.open_now.state == "down"
        f.open_on_arrival = self.ids.open_on_arrival.state == "down"
        chosen = self.ids.category.text
        f.category = next((c for c, label in self._categories if label == chosen), None)
        rows = presenter.rows(near=app.position.latlon if app.position else None, now=app.now())
        self.ids.rv.data = [
            {
                "poi_id": r.poi_id,
                "kind": r.kind,
                "title": r.title,
                "detail": r.detail,
                "badge": r.badge,
                "badge_state": r.badge_state,
                "thumb": r.thumb,
                "thumb_credit": r.thumb_credit,
            }
            for r in rows
        ]
        self.count_text = presenter.count_text(rows)
