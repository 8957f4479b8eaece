"""Contribute: a new entry at my position or a tapped point, photo, licence consent,
duplicate warning, saved to the outbox offline; and "My submissions" with their status."""

from __future__ import annotations

import os

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, ListProperty, StringProperty

from mobile.ui.screens.base import HKScreen
from mobile.ui.widgets import choose_file, make

Builder.load_file(os.path.join(os.path.dirname(__file__), "contribute.kv"))

KINDS = ("heritage", "commerce", "service")
NAME_HINT_FROM = 0.75  # the name's counter shows from 75 % of its limit (a short name needs none)


class ContributeScreen(HKScreen):
    kind_label = StringProperty("")
    kind_labels = ListProperty([])
    category_label = StringProperty("")
    category_labels = ListProperty([])
    where_text = StringProperty("")
    photo_text = StringProperty("")
    warning_text = StringProperty("")
    result_text = StringProperty("")
    result_ok = BooleanProperty(False)
    saving = BooleanProperty(False)  # Save is disabled while the outbox stores the entry
    description_hint = StringProperty("")  # "123 / 5000 characters"
    name_hint = StringProperty("")  # the same for the name, once it nears its limit
    errors = DictProperty({})  # form field -> escaped message, shown under the field

    def refresh(self) -> None:
        app = App.get_running_app()
        p = app.contribute_presenter()
        if p is None:
            return
        self.kind_labels = [app.t(f"kind.{k}") for k in KINDS]
        if self.kind_label not in self.kind_labels:
            self.kind_label = self.kind_labels[KINDS.index(p.form.kind)]
        self._categories = p.categories()
        self.category_labels = [label for _c, label in self._categories]
        current = next((label for c, label in self._categories if c == p.form.category), None)
        if current is None and self.ids.category.text in self.category_labels:
            current = self.ids.category.text  # chosen, not yet saved into the form
        self.category_label = current or app.t("contrib.choose_category")  # no silent default: a choice is required
        self.where_text = p.where_text()
        self.photo_text = p.photo_text()
        self.warning_text = p.duplicate_warning(self.ids.name.text)
        self.description_hint = p.length_hint("description", self.ids.description.text)
        self.name_hint = p.length_hint("name", self.ids.name.text, near=NAME_HINT_FROM)

    def _sync(self):
        app = App.get_running_app()
        p = app.contribute_presenter()
        f = p.form
        if self.kind_label in self.kind_labels:
            f.kind = KINDS[self.kind_labels.index(self.kind_label)]
        chosen = self.ids.category.text
        f.category = next((c for c, label in getattr(self, "_categories", []) if label == chosen), None)
        f.name = self.ids.name.text
        f.description = self.ids.description.text
        f.author = self.ids.author.text
        f.consent = self.ids.consent.active
        return p

    def on_kind(self, label: str) -> None:
        app = App.get_running_app()
        p = app.contribute_presenter()
        if p is None or label not in self.kind_labels:
            return
        self.kind_label = label
        p.form.kind = KINDS[self.kind_labels.index(label)]
        p.form.category = None
        self.refresh()

    def on_changed(self) -> None:
        app = App.get_running_app()
        p = app.contribute_presenter()
        if p is None:
            return
        self.warning_text = p.duplicate_warning(self.ids.name.text)
        self.description_hint = p.length_hint("description", self.ids.description.text)
        self.name_hint = p.length_hint("name", self.ids.name.text, near=NAME_HINT_FROM)
        if self.errors:  # after a refused save, the messages follow the corrections as they are made
            self._revalidate()

    def _revalidate(self) -> None:
        from mobile.presenters.markup import escape

        p = self._sync()
        self.errors = {field: escape(text) for field, text in p.field_errors().items()}
        if not self.result_ok:
            self.result_text = ""

    def at_position(self) -> None:
        app = App.get_running_app()
        p = app.contribute_presenter()
        if app.position is None:
            self.result_ok = False
            self.result_text = app.t("map.no_position")
        p.set_place(app.position.latlon if app.position is not None else None)
        self.where_text = p.where_text()
        self.warning_text = p.duplicate_warning(self.ids.name.text)
        if self.errors:
            self._revalidate()

    def choose_photo(self) -> None:
        app = App.get_running_app()
        choose_file(app.t("contrib.photo_file"), ["*.jpg", "*.jpeg", "*.png", "*.JPG", "*.PNG"], self.set_photo)

    def take_photo(self) -> None:
        app = App.get_running_app()
        cam = app.services.camera
        target = os.path.join(app.user_dir, "camera.jpg")
        if not cam.available or not cam.take_picture(target, lambda path: app.schedule(lambda: self.set_photo(path))):
            self.result_ok = False
            self.result_text = app.t("contrib.camera_unavailable")

    def set_photo(self, path: str) -> None:
        app = App.get_running_app()
        p = app.contribute_presenter()
        p.form.photo_path = path
        self.photo_text = p.photo_text()
        if self.errors:
            self._revalidate()

    def save(self) -> None:
        """Save tapped: the form's fields into the presenter, then the app's contribution flow."""
        app = App.get_running_app()
        if app.contribute_presenter() is None or self.saving:
            return
        self._sync()
        app.contributions.save()

    def show_saving(self, saving: bool) -> None:
        self.saving = saving
        if saving:
            self.result_text = ""  # the outcome of this attempt replaces the last one

    def show_errors(self, errors: dict[str, str]) -> None:
        self.errors = errors
        if errors:  # back to the top of the form, where the first message is
            Clock.schedule_once(lambda _dt: setattr(self.ids.scroller, "scroll_y", 1.0))

    def show_result(self, text: str, ok: bool) -> None:
        self.result_text = text
        self.result_ok = ok
        if ok:
            self.errors = {}
            for key in ("name", "description"):
                self.ids[key].text = ""
            self.ids.consent.active = False
            self.refresh()


class SubmissionsScreen(HKScreen):
    empty_text = StringProperty("")
    sync_text = StringProperty("")
    sync_ok = BooleanProperty(True)

    def refresh(self) -> None:
        App.get_running_app().contributions.load_submissions(self.show_rows)

    def show_rows(self, rows) -> None:
        app = App.get_running_app()
        box = self.ids.list
        box.clear_widgets()
        for r in rows:
            box.add_widget(make("SubmissionRow", title=r.title, detail=r.detail, status=r.status, message=r.message))
        self.empty_text = "" if rows else app.t("contrib.none")

    def send_now(self) -> None:
        App.get_running_app().contributions.send(self.show_sync)

    def show_sync(self, outcome) -> None:
        self.sync_text = outcome.text
        self.sync_ok = outcome.ok
        if outcome.rows is None:
            self.refresh()
        else:
            self.show_rows(outcome.rows)
