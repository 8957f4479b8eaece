"""Presenters / view-models: plain Python, no kivy import, unit-tested without a window.

Each screen has one presenter that turns library objects (a :class:`ContentPack`,
opening hours, the geofence engine, routes, the outbox) into plain rows and
strings the kv file shows. Presenters receive their collaborators (pack,
translator, location, engines, outbox) instead of importing I/O.
"""
