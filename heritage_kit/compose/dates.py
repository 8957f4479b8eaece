"""Dates as visitors read them: years, centuries (Roman numerals in French), ranges, decades.

Pure. :func:`parse_date` reads an OSM ``start_date`` (``1875``, ``2003-05-20``, ``~1850``, ``1850s``, ``C12``,
``late C19``, ``1850..1860``, ``before 1900``) or a Mérimée ``dates`` value (``1150``, ``1770;1778``,
``1927-1929``) into a :class:`When`; anything else gives None — a date is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["When", "parse_date", "roman", "century_of", "century_fr", "century_en", "ordinal_en"]

_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def roman(n: int) -> str:
    """``12`` → ``XII`` (1 ≤ n < 4000)."""
    if not 1 <= n < 4000:
        raise ValueError(f"no Roman numeral for {n}")
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def century_of(year: int) -> int:
    """The century of a year: 1150 → 12, 1900 → 19, 1901 → 20, -50 → -1 (1st century BC)."""
    if year > 0:
        return (year - 1) // 100 + 1
    return -((-year - 1) // 100 + 1) if year < 0 else 1


def century_fr(c: int) -> str:
    """``12`` → ``XIIe siècle``, ``1`` → ``Ier siècle``, ``-1`` → ``Ier siècle av. J.-C.``"""
    n = abs(c)
    text = f"{roman(n)}{'er' if n == 1 else 'e'} siècle"
    return text + (" av. J.-C." if c < 0 else "")


def ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def century_en(c: int) -> str:
    """``12`` → ``12th century``, ``21`` → ``21st century``, ``-1`` → ``1st century BC``."""
    return f"{ordinal_en(abs(c))} century" + (" BC" if c < 0 else "")


@dataclass(frozen=True)
class When:
    """A parsed date. ``kind``: year | day | month | about | decade | century | range | before | after | years."""

    kind: str
    years: tuple[int, ...] = ()
    month: int | None = None
    day: int | None = None
    century: int | None = None
    part: str | None = None  # early | mid | late (of a century)

    @property
    def centuries(self) -> tuple[int, ...]:
        if self.kind == "century":
            return (self.century,) if self.century else ()
        return tuple(sorted({century_of(y) for y in self.years}))


_Y = r"(-?\d{1,4})"
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^{_Y}$"), "year"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(?:~|c\.\s*|ca\.?\s*|circa\s+)(\d{1,4})$", re.I), "about"),
    (re.compile(r"^(\d{3}0)s$"), "decade"),
    (re.compile(r"^(?:(early|mid|late)\s+)?C(\d{1,2})$", re.I), "century"),
    (re.compile(r"^(\d{1,4})\s*(?:\.\.|–|-)\s*(\d{1,4})$"), "range"),
    (re.compile(r"^before\s+(\d{1,4})$", re.I), "before"),
    (re.compile(r"^after\s+(\d{1,4})$", re.I), "after"),
]


def _one(text: str) -> When | None:
    for pattern, kind in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        g = m.groups()
        if kind == "year":
            y = int(g[0])
            return When("year", (y,)) if y != 0 else None
        if kind in ("day", "month"):
            y, mo = int(g[0]), int(g[1])
            d = int(g[2]) if kind == "day" else None
            if not 1 <= mo <= 12 or (d is not None and not 1 <= d <= 31):
                return None
            return When(kind, (y,), month=mo, day=d)
        if kind == "century":
            c = int(g[1])
            return When("century", century=c, part=g[0].lower() if g[0] else None) if 1 <= c <= 21 else None
        if kind == "range":
            a, b = int(g[0]), int(g[1])
            return When("range", (a, b)) if 0 < a < b else None
        return When(kind, (int(g[0]),)) if int(g[0]) > 0 else None
    return None


def parse_date(value: str | None) -> When | None:
    """A :class:`When`, or None when the value is not a date this module reads (then nothing is said)."""
    if not value or not value.strip():
        return None
    parts = [p.strip() for p in value.split(";") if p.strip()]
    if len(parts) == 1:
        return _one(parts[0])
    years: list[int] = []
    for p in parts:
        w = _one(p)
        if w is None or w.kind not in ("year", "range"):
            return None
        years += w.years
    return When("years", tuple(sorted(set(years))))


@dataclass(frozen=True)
class DateStyle:
    """How one language says a :class:`When` (see :func:`date_words`)."""

    forms: dict  # kind -> format with {y0} {y1} {paren} {day} {month} {century} {lead}
    leads: dict  # part of a century ("early", "mid", "late", "") -> words before it
    century: object  # int -> "XIIe siècle" / "12th century"
    ordinal: object  # int -> "XIIe" / "12th" (several centuries)
    many: str  # "{a}–{b} siècles"
    year: object  # int -> "50 av. J.-C." / "50 BC"
    month: object  # When -> month words
    day: object  # int -> "1er" / "1"

    def centuries(self, w: When) -> str:
        cs = w.centuries
        if len(cs) == 1:
            return self.century(cs[0])
        if not cs or any(c < 0 for c in cs):
            return ""
        return self.many.format(a=self.ordinal(cs[0]), b=self.ordinal(cs[-1]))


def date_words(w: When, style: DateStyle) -> str:
    """The words for ``w`` in ``style`` ("de 1150 (XIIe siècle)", "the early 12th century"); "" for "years"."""
    form = style.forms.get(w.kind)
    if form is None:
        return ""
    cent = style.centuries(w)
    return form.format(
        y0=style.year(w.years[0]) if w.years else "",
        y1=style.year(w.years[1]) if len(w.years) > 1 else "",
        paren=f" ({cent})" if cent else "",
        day=style.day(w.day) if w.day else "",
        month=style.month(w) if w.month else "",
        century=style.century(w.century) if w.century else "",
        lead=style.leads.get(w.part or "", ""),
    )
