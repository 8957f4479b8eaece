"""The POI page's opening hours in full: the week from today, and when a closed place reopens.

:func:`week_lines` gives one line per day for the seven days from today ("Monday: 10:00–18:00",
"Tuesday: closed"); :func:`reopens` says when a place closed now opens again ("Reopens
tomorrow at 10:00", "Reopens 25 March at 10:00"), looking ahead up to a year, so a seasonal
place never shows a bare "Closed". Both read :class:`mobile.presenters.hours.HoursBadges`
(its parsed, cached hours); day and month names are the library's (``hours.day.*``,
``hours.month.*`` in :mod:`heritage_kit.i18n`). No kivy here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from heritage_kit import i18n
from heritage_kit.errors import HoursError
from mobile.i18n import Translator
from mobile.presenters.hours import HoursBadges, state_name

__all__ = ["week_lines", "reopens"]

LOOK_AHEAD_DAYS = (8, 62, 370)  # windows tried in turn for the next opening (short ones are cheap)


def _local(badges: HoursBadges, when: datetime) -> datetime:
    tz = ZoneInfo(badges.timezone)
    return when.astimezone(tz) if when.tzinfo else when.replace(tzinfo=tz)


def _hhmm(tr: Translator, t: datetime, day_start: datetime) -> str:
    if t.date() > day_start.date() and t.hour == 0 and t.minute == 0:
        return "24 h" if tr.lang == "fr" else "24:00"
    return tr.time(t.hour, t.minute) if tr.lang == "fr" else f"{t.hour:02d}:{t.minute:02d}"


def week_lines(badges: HoursBadges | None, raw: str | None, now: datetime, tr: Translator) -> list[str]:
    """Seven lines from today (plain text); [] when the hours are missing or no day can be read."""
    if badges is None or not raw or badges.hours(raw) is None:
        return []
    start = _local(badges, now).replace(hour=0, minute=0, second=0, microsecond=0)
    lines, known = [], False
    for i in range(7):
        day = start + timedelta(days=i)
        intervals = badges.today(raw, day)
        name = i18n.text(f"hours.day.{day.weekday()}", tr.lang)
        name = name[:1].upper() + name[1:]
        known = known or intervals is not None
        if intervals is None:
            hours = tr.tr("poi.hours_unknown_day")
        elif not intervals:
            hours = tr.tr("poi.hours_closed_day")
        else:
            hours = ", ".join(f"{_hhmm(tr, a, day)}–{_hhmm(tr, b, day)}" for a, b in intervals)
        lines.append(tr.tr("poi.hours_line", day=name, hours=hours))
    return lines if known else []  # not a single day known: the badge's "hours unknown" says it all


def reopens(badges: HoursBadges | None, raw: str | None, now: datetime, tr: Translator) -> str:
    """When a place closed at ``now`` opens again (plain text); "" when open, unknown or never within a year."""
    if badges is None or not raw or badges.state(raw, now) != "closed":
        return ""
    oh = badges.hours(raw)
    local = _local(badges, now)
    for days in LOOK_AHEAD_DAYS:
        try:
            ivs = oh.intervals(local, local + timedelta(days=days))
        except HoursError:
            return ""
        nxt = next((iv.start for iv in ivs if state_name(iv.state) == "open" and iv.start > local), None)
        if nxt is not None:
            return _when(tr, _local(badges, nxt), local)
    return ""


def _when(tr: Translator, t: datetime, now: datetime) -> str:
    time = tr.time(t.hour, t.minute) if tr.lang == "fr" else f"{t.hour:02d}:{t.minute:02d}"
    delta = (t.date() - now.date()).days
    if delta == 0:
        return tr.tr("poi.reopens_today", time=time)
    if delta == 1:
        return tr.tr("poi.reopens_tomorrow", time=time)
    if delta < 7:
        return tr.tr("poi.reopens_weekday", day=i18n.text(f"hours.day.{t.weekday()}", tr.lang), time=time)
    day = "1er" if tr.lang == "fr" and t.day == 1 else str(t.day)
    return tr.tr("poi.reopens_date", day=day, month=i18n.text(f"hours.month.{t.month}", tr.lang), time=time)
