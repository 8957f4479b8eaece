"""``HKScreen``: the one contract between :class:`mobile.app.HeritageApp` and its screens.

Modelled on Electrum's ``CScreen`` (``on_activate → update``):

* **lifecycle** — a screen re-reads its presenter in :meth:`HKScreen.refresh`.
  It runs when the screen is about to be shown (``on_pre_enter``: the
  ScreenManager dispatches it synchronously when ``current`` changes, so the
  first frame of the screen is already up to date; ``on_enter`` would come one
  frame later, after a stale frame), and when the app's language, theme or
  pack change while the screen is shown (:meth:`HeritageApp.refresh_current`);
* **results in** — what the app's flows compute off the UI thread comes back
  through typed ``show_*`` methods of the screen (``TrailsScreen.show_plan``,
  ``ContributeScreen.show_result``, ``MapScreen.show_route``…). The app never
  writes into a screen's ``ids`` or properties: the ``ids`` are the screen's own.
"""

from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen

__all__ = ["HKScreen"]


class HKScreen(Screen):
    @property
    def app(self):
        """The running :class:`~mobile.app.HeritageApp` (state, presenters, flows)."""
        return App.get_running_app()

    def on_pre_enter(self, *_args) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Re-read the presenter's output into the screen's properties (nothing by default)."""
