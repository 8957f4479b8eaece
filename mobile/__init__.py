"""The heritage-kit phone app (Kivy). A pure consumer of :mod:`heritage_kit`.

``mobile.presenters`` and ``mobile.i18n`` are plain Python (no kivy import),
unit-tested without a window; ``mobile.ui`` and ``mobile.app`` are the thin
Kivy layer; ``mobile.platform`` picks GPS, notifications, vibration and
speech at start-up (plyer on a phone, desktop fallbacks elsewhere).
"""
