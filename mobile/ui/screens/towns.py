"""Towns: the pack catalogue, installed guides, downloads with progress, updates, the open town.

Everything comes from :class:`mobile.presenters.towns.TownsPresenter` (through
``app.towns``, a :class:`~mobile.presenters.towns.TownsFlow`); downloads run on
their own thread and their progress comes back through ``Clock``
(``mobile.ui.towns_host``). Cards are updated in place while a download runs.
"""

from __future__ import annotations

import os

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets import make

Builder.load_file(os.path.join(os.path.dirname(__file__), "towns.kv"))

_FIELDS = ("title", "detail", "status", "action", "action_text", "can_open", "active", "open_text", "message",
           "failed")


class TownsScreen(HKScreen):
    header = StringProperty("")
    url_text = StringProperty("")
    has_url = BooleanProperty(False)
    checking = BooleanProperty(False)

    def refresh(self) -> None:
        app = App.get_running_app()
        flow = app.towns
        p = flow.presenter
        self.header = p.header()
        self.has_url = bool(p.catalogue_url)
        self.checking = p.checking
        if not self.ids.url.focus:
            self.url_text = p.catalogue_url
        path, town = flow.host.active_pack()
        rows = p.rows(path, town)
        box = self.ids.list
        cards = {c.town_id: c for c in box.children}
        if [r.town_id for r in rows] != [c.town_id for c in reversed(box.children)]:
            box.clear_widgets()
            cards = {}
            for row in rows:
                cards[row.town_id] = make("TownGuideCard", town_id=row.town_id)
                box.add_widget(cards[row.town_id])
        for row in rows:  # in place: a download's progress does not rebuild the list
            card = cards[row.town_id]
            for name in _FIELDS:
                setattr(card, name, getattr(row, name))
            card.progress = -1.0 if row.progress is None else row.progress

    def set_url(self, text: str) -> None:
        app = App.get_running_app()
        text = text.strip()
        if text != app.towns.presenter.catalogue_url:
            app.set_setting("catalogue_url", text)
            app.towns.set_url(text)
