"""Unicode hygiene for text people type (pure): bidi controls, invisible code points, matching keys.

* :data:`BIDI_CONTROLS` — every code point that changes the display order of text without being visible: the
  embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069, and the marks U+200E (LRM), U+200F (RLM)
  and U+061C (ALM). Contributions refuse them in every text field (Trojan-Source-style reordering of what
  moderators and visitors read); the guide's languages are French and English, which never need them.
* :func:`is_default_ignorable` — Unicode's ``Default_Ignorable_Code_Point`` property (DerivedCoreProperties,
  Unicode 15): characters drawn as nothing, e.g. U+200B ZERO WIDTH SPACE, U+00AD SOFT HYPHEN, U+2060, U+FEFF.
* :func:`invisible_in_name` — the default-ignorable characters refused in names and pseudonyms: all of them but
  U+200C/U+200D (joiners some scripts and emoji need) and the variation selectors U+FE00–U+FE0F.
* :func:`match_key` — the form two names are compared in: NFKC, default-ignorables removed, case-folded.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["BIDI_CONTROLS", "is_default_ignorable", "find_bidi_control", "invisible_in_name", "strip_ignorable",
           "match_key"]

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

# Default_Ignorable_Code_Point (Unicode 15.0 DerivedCoreProperties.txt), as inclusive ranges.
_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_NAME_ALLOWED = frozenset("\u200c\u200d") | frozenset(chr(c) for c in range(0xFE00, 0xFE10))
# the same sets as regular-expression classes: one C-level scan of a string instead of a Python loop per character
_IGNORABLE_RE = re.compile("[" + "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in _IGNORABLE) + "]")
_BIDI_RE = re.compile("[" + "".join(re.escape(ch) for ch in sorted(BIDI_CONTROLS)) + "]")


def is_default_ignorable(ch: str) -> bool:
    """Whether the one character ``ch`` has Unicode's Default_Ignorable_Code_Point property."""
    c = ord(ch)
    return any(lo <= c <= hi for lo, hi in _IGNORABLE)


def find_bidi_control(text: str) -> str | None:
    """The first bidi control in ``text``, or None."""
    m = _BIDI_RE.search(text)
    return m.group() if m else None


def invisible_in_name(text: str) -> str | None:
    """The first invisible character refused in a name or pseudonym (see the module docstring), or None."""
    for m in _IGNORABLE_RE.finditer(text):
        if m.group() not in _NAME_ALLOWED:
            return m.group()
    return None


def strip_ignorable(text: str) -> str:
    """``text`` without its default-ignorable characters."""
    return _IGNORABLE_RE.sub("", text)


def match_key(text: str) -> str:
    """NFKC, default-ignorables removed, case-folded (then NFKC again: case folding can denormalise)."""
    return unicodedata.normalize("NFKC", strip_ignorable(unicodedata.normalize("NFKC", text)).casefold())
