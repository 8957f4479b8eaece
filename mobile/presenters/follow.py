"""Follow mode of the walk map: where the view goes as the walker moves (no kivy here).

:class:`FollowCamera` answers, for each position, the box (scene metres) the walk map shows: the
walker and the next stop, with a margin, never closer than :data:`MIN_SPAN_M` across, and with
room left at the top of the map for the arrival banner (``top_cover``: the fraction of the
map's height it may cover), so the next stop is never under it. The user panning or zooming
the map leaves follow mode (:meth:`user_moved`); the recentre button comes back to it
(:meth:`recentre`). :meth:`needs_recentre_button` says when to offer the button.
"""

from __future__ import annotations

__all__ = ["FollowCamera", "MIN_SPAN_M", "MARGIN_M"]

MIN_SPAN_M = 220.0  # the view is at least this wide and tall: streets around the walker stay readable
MARGIN_M = 40.0  # around the walker and the next stop

Box = tuple[float, float, float, float]  # min x, min y, max x, max y (scene metres)


class FollowCamera:
    def __init__(self, *, min_span_m: float = MIN_SPAN_M, margin_m: float = MARGIN_M, top_cover: float = 0.0) -> None:
        if not 0.0 <= top_cover < 0.8:
            raise ValueError(f"top_cover must be in [0, 0.8), not {top_cover!r}")
        self.min_span_m = min_span_m
        self.margin_m = margin_m
        self.top_cover = top_cover
        self.following = True

    def user_moved(self) -> None:
        """The user panned or zoomed the map: stop following until :meth:`recentre`."""
        self.following = False

    def recentre(self) -> None:
        self.following = True

    def needs_recentre_button(self, has_position: bool) -> bool:
        return has_position and not self.following

    def box(self, walker: tuple[float, float] | None, next_stop: tuple[float, float] | None) -> Box | None:
        """The view for the walker and the next stop (either may be missing); None when both are,
        or when not following (the user's own view is kept)."""
        if not self.following:
            return None
        return self.frame(walker, next_stop)

    def frame(self, walker: tuple[float, float] | None, next_stop: tuple[float, float] | None) -> Box | None:
        points = [p for p in (walker, next_stop) if p is not None]
        if not points:
            return None
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        x0, x1 = min(xs) - self.margin_m, max(xs) + self.margin_m
        y0, y1 = min(ys) - self.margin_m, max(ys) + self.margin_m
        x0, x1 = _widen(x0, x1, self.min_span_m)
        y0, y1 = _widen(y0, y1, self.min_span_m)
        # the banner covers the top fraction of the map: grow the box upwards so the points land below it
        y1 = y0 + (y1 - y0) / (1.0 - self.top_cover)
        return (x0, y0, x1, y1)

    @staticmethod
    def contains(box: Box, point: tuple[float, float]) -> bool:
        return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _widen(a: float, b: float, span: float) -> tuple[float, float]:
    if b - a >= span:
        return a, b
    mid = (a + b) / 2
    return mid - span / 2, mid + span / 2
