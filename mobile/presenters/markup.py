"""Escaping text from packs and contributors before it reaches Kivy markup."""

from __future__ import annotations

__all__ = ["escape", "bold", "colour"]


def escape(text: object) -> str:
    """``text`` with Kivy markup's special characters replaced (``&`` first).

    Same rules as ``kivy.utils.escape_markup`` (which we do not import here:
    presenters never import kivy).
    """
    return str(text).replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def bold(text: object) -> str:
    return f"[b]{escape(text)}[/b]"


def colour(text: object, hex_rgb: str) -> str:
    return f"[color={hex_rgb}]{escape(text)}[/color]"
