"""Opening-hours badges ("open until…") from :class:`heritage_kit.hours.OpeningHours`.

Parsed values are cached per raw string: a pack repeats the same few values
and parsing is the expensive part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from heritage_kit.errors import HoursError

__all__ = ["Badge", "HoursBadges", "state_name"]


@dataclass(frozen=True)
class Badge:
    text: str
    state: str  # "open" | "closed" | "unknown"


def state_name(state: object) -> str:
    """``OpeningHours.state`` result as "open", "closed" or "unknown" (enum, str or bool)."""
    if isinstance(state, bool):
        return "open" if state else "closed"
    value = getattr(state, "value", state)
    if isinstance(value, bool):
        return "open" if value else "closed"
    name = str(getattr(state, "name", value)).lower()
    for key in ("open", "closed", "unknown"):
        if key in name:
            return key
    return "unknown"


class HoursBadges:
    def __init__(self, *, country: str, timezone: str) -> None:
        self.country = country
        self.timezone = timezone
        self._parse = lru_cache(maxsize=4096)(self._parse_uncached)

    def _parse_uncached(self, value: str):
        from heritage_kit.hours import OpeningHours

        try:
            return OpeningHours(value, country=self.country, timezone=self.timezone)
        except HoursError:
            return None

    def hours(self, raw: str | None):
        return self._parse(raw) if raw else None

    def state(self, raw: str | None, when: datetime) -> str:
        oh = self.hours(raw)
        if oh is None:
            return "unknown"
        try:
            state = state_name(oh.state(when))
            return "unknown" if state == "open" and oh.uncertain else state
        except HoursError:
            return "unknown"

    def badge(self, raw: str | None, when: datetime, lang: str, unknown_text: str) -> Badge:
        oh = self.hours(raw)
        if oh is None:
            return Badge(unknown_text if raw is None else raw, "unknown")
        try:
            state = state_name(oh.state(when))
            if state == "open" and oh.uncertain:  # a flagged guess is never shown as "open"
                from heritage_kit.i18n import text

                return Badge(text("hours.uncertain", lang), "unknown")
            return Badge(oh.describe(when, lang), state)
        except HoursError:
            return Badge(raw or unknown_text, "unknown")

    def today(self, raw: str | None, when: datetime) -> list[tuple[datetime, datetime]] | None:
        """The open intervals of ``when``'s local day (``[]``: closed all day), or None when not known."""
        from datetime import timedelta
        from zoneinfo import ZoneInfo

        oh = self.hours(raw)
        if oh is None or oh.uncertain:
            return None
        tz = ZoneInfo(self.timezone)
        local = when.astimezone(tz) if when.tzinfo else when.replace(tzinfo=tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            ivs = oh.intervals(start, start + timedelta(days=1))
        except HoursError:
            return None
        if any(state_name(iv.state) == "unknown" for iv in ivs):
            return None
        return [(iv.start, iv.end) for iv in ivs if state_name(iv.state) == "open"]

    def is_open_for(self, raw: str | None, arrival: datetime, minutes: float) -> bool:
        oh = self.hours(raw)
        if oh is None or oh.uncertain:  # a flagged guess is never planned as "open on arrival"
            return False
        try:
            return bool(oh.is_open_for(arrival, minutes))
        except HoursError:
            return False
