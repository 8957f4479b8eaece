"""Reusable widgets: the offline map, kv-defined cards (widgets/common.kv), a file chooser popup."""

from __future__ import annotations

from kivy.factory import Factory


def make(cls_name: str, **props):
    """An instance of a kv dynamic class with its kv-declared properties set
    (dynamic classes do not accept their own properties as constructor arguments)."""
    widget = getattr(Factory, cls_name)()
    for key, value in props.items():
        setattr(widget, key, value)
    return widget


def choose_file(title: str, filters: list[str], on_pick, start: str | None = None) -> None:
    """A file chooser in a popup (desktop); ``on_pick(path)`` with the chosen file."""
    import os

    from kivy.app import App
    from kivy.metrics import dp
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.filechooser import FileChooserListView
    from kivy.uix.popup import Popup

    app = App.get_running_app()
    start = start if start and os.path.isdir(start) else os.path.expanduser("~")
    box = BoxLayout(orientation="vertical", spacing=dp(6))
    chooser = FileChooserListView(path=start, filters=filters)
    box.add_widget(chooser)
    row = BoxLayout(size_hint_y=None, height=dp(48), spacing=dp(6))
    ok = Button(text=app.t("common.choose"))
    cancel = Button(text=app.t("common.cancel"))
    row.add_widget(cancel)
    row.add_widget(ok)
    box.add_widget(row)
    popup = Popup(title=title, content=box, size_hint=(0.95, 0.9))

    def done(*_a):
        if chooser.selection:
            on_pick(chooser.selection[0])
        popup.dismiss()

    ok.bind(on_release=done)
    cancel.bind(on_release=lambda *_a: popup.dismiss())
    popup.open()
