"""Reusable widgets: the offline map, and kv-defined cards (widgets/common.kv)."""

from __future__ import annotations

from kivy.factory import Factory


def make(cls_name: str, **props):
    """An instance of a kv dynamic class with its kv-declared properties set
    (dynamic classes do not accept their own properties as constructor arguments)."""
    widget = getattr(Factory, cls_name)()
    for key, value in props.items():
        setattr(widget, key, value)
    return widget
