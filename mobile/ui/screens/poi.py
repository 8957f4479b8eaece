"""The POI page: text in the chosen language, photos, hours, heritage facts, refs, read aloud, route."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.image import Image

from mobile.presenters.events import poi_extras
from mobile.ui.screens.base import HKScreen
from mobile.ui.images import decode_async

Builder.load_file(os.path.join(os.path.dirname(__file__), "poi.kv"))


class PoiScreen(HKScreen):
    poi_id = StringProperty("")
    kind = StringProperty("")
    title = StringProperty("")
    subtitle = StringProperty("")
    hours = StringProperty("")
    hours_state = StringProperty("")
    reopens = StringProperty("")  # closed now: when it opens again
    week = StringProperty("")  # the hours of the 7 days from today, one line each
    body = StringProperty("")
    facts = StringProperty("")
    practical = StringProperty("")
    refs = StringProperty("")
    origin = StringProperty("")  # "composed from open data (…)"; empty for a human text
    summary = StringProperty("")  # shops and services: category · today's hours · access · address
    notice = StringProperty("")
    audio_credit = StringProperty("")  # who speaks the pack's audio, and for how long; "" without a file
    listen_label = StringProperty("")  # "Listen" / "Pause" with a file, "Read aloud" without
    events = StringProperty("")  # the place's coming events, one paragraph each
    host_id = StringProperty("")  # a shop in a listed building: that building's POI id
    host_heading = StringProperty("")
    host_title = StringProperty("")
    host_protection = StringProperty("")
    host_subtitle = StringProperty("")
    has_shops = BooleanProperty(False)  # a monument that houses shops
    support_url = StringProperty("")  # https only (checked by the pack model)
    support_label = StringProperty("")
    speech = ""
    audio_path: str | None = None

    def show(self, poi_id: str) -> None:
        self.poi_id = poi_id
        self.notice = ""
        self.refresh()

    def show_notice(self, text: str) -> None:
        """A line under the buttons (escaped markup), e.g. why no route could be drawn."""
        self.notice = text

    def refresh(self) -> None:
        app = App.get_running_app()
        if not self.poi_id or app.pack is None:
            return
        page = app.poi_page(self.poi_id)
        self.kind = page.kind
        self.title = page.title
        self.subtitle = page.subtitle
        self.hours = page.hours.text if page.hours else ""
        self.hours_state = page.hours.state if page.hours else ""
        self.reopens = page.reopens
        self.week = "\n".join(page.week)
        self.body = page.body
        self.origin = page.origin
        self.summary = page.summary
        self.facts = "\n".join(page.facts)
        self.practical = "\n".join(page.practical)
        self.refs = "\n".join(page.refs)
        self.speech = page.speech
        self.audio_path = page.audio.path if page.audio else None
        self.audio_credit = page.audio.credit if page.audio else ""
        self._label_listen(app)
        self._show_extras(app)
        box = self.ids.photos
        box.clear_widgets()
        for photo in page.photos[:3]:
            data = app.pack.media.get(photo.path) if photo.path else None
            if data is None:
                continue
            img = Image(size_hint_y=None, height=dp(200), fit_mode="contain")
            box.add_widget(img)
            box.add_widget(Factory.HKMuted(text=photo.credit))
            decode_async(data, lambda tex, img=img: setattr(img, "texture", tex))

    def _show_extras(self, app) -> None:
        """Events, the building a shop is in, the shops a monument houses, the support link."""
        extras = poi_extras(app.pack, self.poi_id, tr=app.tr, now=app.now())
        self.events = "\n\n".join(
            "\n".join(x for x in (f"[b]{r.title}[/b]", r.when, r.note) if x) for r in extras.events)
        card = extras.housing
        self.host_id = card.poi_id if card else ""
        self.host_heading = card.heading if card else ""
        self.host_title = card.title if card else ""
        self.host_protection = card.protection if card else ""
        self.host_subtitle = card.subtitle if card else ""
        self.support_url = extras.support.url if extras.support else ""
        self.support_label = (f"{app.t('poi.support')} · {extras.support.label}" if extras.support else "")
        box = self.ids.shops
        box.clear_widgets()
        for shop in extras.shops:
            text = shop.title + (f"  [size=13sp]{shop.subtitle}[/size]" if shop.subtitle else "")
            box.add_widget(Factory.HKFlatButton(text=text, on_release=lambda _b, pid=shop.poi_id: app.open_poi(pid)))
        self.has_shops = bool(extras.shops)

    def open_support(self) -> None:
        """The support page in the phone's browser (p4a's webbrowser opens an Android intent)."""
        if self.support_url.startswith("https://"):
            import webbrowser

            webbrowser.open(self.support_url)

    def _label_listen(self, app, playing: bool = False) -> None:
        key = "poi.pause" if playing else ("poi.listen" if self.audio_path else "poi.read_aloud")
        self.listen_label = app.t(key, app.lang)

    def read_aloud(self) -> None:
        """The pack's audio file when there is one (play / pause), else the phone's own voice."""
        app = App.get_running_app()
        player = getattr(app.services, "player", None)
        if self.audio_path and player is not None and self.audio_path in app.pack.media:
            state = player.toggle(self.audio_path, app.pack.media[self.audio_path])
            if state != "error":
                self._label_listen(app, playing=state == "play")
                return
            self.notice = app.t("poi.audio_unavailable")
        if not app.services.speaker.speak(self.speech, app.lang):
            self.notice = app.t("poi.tts_unavailable")

    def on_leave(self, *args) -> None:
        player = getattr(App.get_running_app().services, "player", None)
        if player is not None:
            player.stop()
