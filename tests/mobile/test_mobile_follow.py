"""Follow mode of the walk map (FollowCamera): the walker and the next stop in view, below the banner."""

import pytest

from mobile.presenters.follow import MIN_SPAN_M, FollowCamera


def test_the_box_holds_the_walker_and_the_next_stop_with_a_margin():
    cam = FollowCamera(margin_m=40)
    box = cam.box((0.0, 0.0), (600.0, 300.0))
    assert box[0] <= -40 and box[1] <= -40 and box[2] >= 640 and box[3] >= 340
    assert cam.contains(box, (0, 0)) and cam.contains(box, (600, 300))


def test_close_points_keep_a_readable_span():
    box = FollowCamera().box((10.0, 10.0), (20.0, 15.0))
    assert box[2] - box[0] == pytest.approx(MIN_SPAN_M) and box[3] - box[1] == pytest.approx(MIN_SPAN_M)
    assert FollowCamera().box((5.0, 5.0), None) is not None  # no next stop (walk finished): the walker


def test_room_is_left_at_the_top_for_the_banner():
    cam = FollowCamera(top_cover=0.25, margin_m=0, min_span_m=0)
    x0, y0, x1, y1 = cam.box((0.0, 0.0), (0.0, 300.0))
    # the points fill the lower 75 % of the box: the top quarter (under the banner) is empty
    assert (300 - y0) / (y1 - y0) == pytest.approx(0.75)
    with pytest.raises(ValueError):
        FollowCamera(top_cover=0.9)


def test_panning_stops_following_until_recentre():
    cam = FollowCamera()
    assert not cam.needs_recentre_button(True)
    cam.user_moved()
    assert cam.box((0.0, 0.0), (100.0, 0.0)) is None  # the user's own view is kept
    assert cam.needs_recentre_button(True) and not cam.needs_recentre_button(False)
    cam.recentre()
    assert cam.box((0.0, 0.0), (100.0, 0.0)) is not None and not cam.needs_recentre_button(True)
