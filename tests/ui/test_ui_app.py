"""The real app, off-screen (SDL offscreen driver, real GL via EGL): every screen, a simulated walk
along a Monaco trail with arrival alerts, an offline contribution, settings, and a restart.

Kivy's App runs once per process, so the app runs in a subprocess driven by
``tests/ui/driver.py``; these tests assert on what it reports. The screenshots
it takes are copied to ``docs/screenshots/`` (shown in the README).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "ui" / "driver.py"
DOCS = ROOT / "docs" / "screenshots"

pytestmark = [pytest.mark.ui, pytest.mark.slow]


def _run(phase: str, tmp: pathlib.Path, app_dir: pathlib.Path) -> dict:
    env = dict(os.environ)
    env.update(
        SDL_VIDEODRIVER="offscreen",
        KIVY_NO_ARGS="1",
        KIVY_NO_CONSOLELOG="1",
        KIVY_HOME=str(tmp / f"kivy-{phase}"),
        HERITAGE_KIT_APP_DIR=str(app_dir),
        LANG="en_GB.UTF-8",
    )
    env.pop("KIVY_GL_BACKEND", None)
    result = tmp / f"{phase}.json"
    shots = tmp / "shots"
    proc = subprocess.run([sys.executable, str(DRIVER), phase, str(result), str(shots)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)
    if not result.exists():
        logs = "".join(p.read_text(errors="replace")[-4000:] for p in (tmp / f"kivy-{phase}" / "logs").glob("*.txt"))
        pytest.fail(f"app exited {proc.returncode} without a report\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}\n{logs}")
    data = json.loads(result.read_text(encoding="utf-8"))
    assert not data["errors"], "\n".join(data["errors"])
    return data


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ui")
    app_dir = tmp / "app"
    tour = _run("tour", tmp, app_dir)
    restart = _run("restart", tmp, app_dir)
    DOCS.mkdir(parents=True, exist_ok=True)
    for path in tour["shots"]:
        shutil.copyfile(path, DOCS / os.path.basename(path))
    return tour, restart


def test_launch_opens_monaco_map_first(runs):
    tour, _ = runs
    assert tour["pack"] == "monaco" and tour["pois"] > 500
    assert tour["first_frame_s"] is not None and tour["map_redraws"] >= 1


def test_every_screen_was_rendered(runs):
    tour, _ = runs
    names = {os.path.basename(p)[:-4] for p in tour["shots"]}
    for screen in ("map", "home", "explore", "poi", "trails", "walk", "walk_skip", "contribute", "submissions",
                   "settings"):
        assert screen in names
    for p in tour["shots"]:
        assert os.path.getsize(p) > 5000  # a real picture, not an empty frame


def test_tapping_a_marker_opens_its_page(runs):
    tour, _ = runs
    assert tour["tapped"]["screen"] == "poi" and tour["tapped"]["poi"] == tour["tapped"]["stop"]


def test_take_me_there_draws_a_route(runs):
    tour, _ = runs
    assert tour["route_before"] == 0 and tour["route_points"] >= 2
    assert tour["map_info"].startswith("Route: ")
    assert tour["map_selected"] == tour["trail_stops"][-1]  # the destination is ringed


def test_home_lists_the_bundled_towns(runs):
    assert runs[0]["home_towns"] >= 2


def test_explore_sorts_filters_and_searches(runs):
    tour, _ = runs
    assert tour["explore_rows"] > 10
    assert tour["explore_open_kinds"] in ([], ["commerce"])
    assert set(tour["explore_open_states"]) <= {"open"}
    assert any("Museum" in t or "Musée" in t for t in tour["explore_search"])


def test_searching_bakery_lists_bakeries_first(runs):
    assert all("bakery" in cats for cats in runs[0]["explore_bakery"])  # not the bike shop next door


def test_open_when_i_arrive_in_explore(runs):
    rows = runs[0]["explore_bakery_on_arrival"]
    # only places open on arrival (at any hour the tests run, maybe none), each saying when that is
    assert all(r["state"] == "open" and r["badge"].startswith("Open when you arrive (") for r in rows)


def test_plan_my_walk(runs):
    tour, _ = runs
    assert tour["plan_ok"], tour["plan_text"]
    assert tour["plan_text"].startswith("Suggested walk: ")
    # the place marked "must visit" on its page is listed on the planner and is in the plan
    stop = tour["tapped"]["stop"]
    assert tour["must_visit"] == [stop] and tour["must_visit_button_after"] == "Remove from must visit"
    assert tour["must_visit_text"].startswith("Must visit: ")
    lines = tour["plan_text"].split("\n")  # one line per stop with its arrival time ("10:42 · name")
    if stop not in tour["plan_stops"]:  # the tests run at any hour: the palace may be closed all walk long
        assert lines.pop().startswith("Not in this walk, closed all that time: ")
    assert len(lines) == len(tour["plan_stops"]) + 1 and all(":" in line.split(" · ")[0] for line in lines[1:])
    assert tour["trail_cards"] >= 1


def test_simulated_walk_alerts_each_stop_exactly_once(runs):
    tour, _ = runs
    stops = tour["trail_stops"]
    alerts = tour["alerts"]
    assert len(alerts) == len(set(alerts)), alerts  # never twice
    assert set(alerts) == set(stops)  # every stop announced
    assert tour["banner_after_first_alert"].startswith("[b]You have arrived: ")
    assert tour["walk_view"]["progress"] == f"{len(stops)}/{len(stops)} stops visited"
    assert sorted(tour["saved_walk"]["alerted"]) == sorted(stops)


def test_walk_im_here_and_skip_always_finish_the_walk(runs):
    tour, _ = runs
    stops = tour["trail_stops"]
    assert "I'm here" in tour["walk_buttons"] and "Skip this stop" in tour["walk_buttons"]
    after = tour["walk_after_skip"]
    assert after["progress"] == f"1/{len(stops)} stops visited" and after["next_id"] == stops[2]
    lines = after["stops"].split("\n")
    assert lines[0].endswith("— visited") and lines[1].endswith("— skipped")
    done = tour["walk_all_skipped"]
    assert done["finished"] and done["next"] == f"Walk finished. Stops visited: 1, skipped: {len(stops) - 1}."


def test_audio_on_arrival_plays_the_stops_audio(runs):
    tour, _ = runs
    played = tour["arrival_playback"]["what"]
    if tour["arrival_audio_path"]:  # the pack's English audio for that stop
        assert played == ["file", tour["arrival_audio_path"]]
    else:  # no file: the phone's voice reads the page
        assert played[0] == "speech" and played[1]


def test_walk_map_follows_the_walker_with_numbered_stops(runs):
    tour, _ = runs
    f = tour["walk_follow"]
    assert f["following"] and f["walker_visible"] and f["next_visible"] and f["next_below_banner"]
    assert f["numbers"] and set(f["numbers"]) <= set(range(1, f["stops"] + 1))
    assert tour["walk_after_pan"] == {"following": False, "recentre": True}  # panning away offers ◎
    assert tour["walk_after_recentre"] == {"following": True, "recentre": False}


def test_arrival_banner_clear_of_the_zoom_buttons_and_a_tap_opens_nothing(runs):
    tour, _ = runs
    assert tour["walk_follow"]["banner_overlaps_zoom"] == []
    assert tour["banner_tap"] == {"screen": "walk", "banner": ""}  # dismissed, no POI page


def test_restart_restores_the_walk_without_alerting_again(runs):
    _, restart = runs
    assert restart["restored_walk"] and restart["restored_visited"]
    assert restart["alerts"] == []
    assert restart["banner"] == ""


def test_contribution_saved_offline_with_duplicate_warning(runs):
    tour, _ = runs
    assert tour["duplicate_warning"].startswith("Careful: ")
    assert tour["contribute_ok"], tour["contribute_result"]
    assert tour["submissions_queued"] and tour["submissions_queued"][0]["status"].startswith("waiting to be sent")
    assert tour["submissions_queued"][0]["title"] == "Plaque du Rocher"


def test_send_now_without_server_then_to_a_local_inbox(runs):
    tour, _ = runs
    assert tour["sync_no_server"].startswith("No contribution server is set")
    assert tour["outbox_after_no_server"] == 1  # nothing lost
    assert tour["sync_ok"], tour["sync_text"]
    assert tour["sync_text"].startswith("Sent: 1 ")
    assert [r["status"] for r in tour["submissions"]] == ["sent, being moderated"]


def test_french_and_large_text(runs):
    tour, _ = runs
    assert tour["nav_fr"] == ["Carte", "Explorer", "Parcours", "Balade", "Contribuer", "Guides", "Réglages"]
    assert "résultats" in tour["explore_fr_count"]
    # the English plan is not left on screen (nor startable) after switching to French
    assert tour["plan_after_language_change"] == {"text": "", "can_start": False}
    large = tour["large_text"]
    assert large["font_scale"] >= 1.6 and large["nav_cols"] == 3  # the navigation scales too, on three rows
    assert large["nav_cut"] == [] and large["small_targets"] == []


def test_high_contrast_reaches_every_widget(runs):
    tour, _ = runs
    assert tour["hc_nav_colour"] == tour["hc_muted"]


def test_empty_contribution_shows_an_error_under_each_field(runs):
    tour, _ = runs
    errors = tour["contribute_errors"]
    assert set(errors) == {"name", "category", "place", "author", "consent"}  # the category starts empty
    assert errors["name"] == "This field is required." and errors["category"] == "Choose a category."
    assert tour["contribute_empty_result"].startswith("To fix: Name: This field is required.")
    assert tour["contribute_errors_after_fill"] == {}


def test_panning_moves_or_redraws_the_base_layer_at_full_size(runs):
    tour, _ = runs
    # the base layer follows the finger: moved under the widget (within the margin) or rendered again
    assert tour["pan_changed_base"] or tour["pan_texture_shift_px"] == -80.0
    (w, h), (mx, my) = tour["map_size"], tour["fbo_margin"]
    assert tour["fbo_size"] == [w + 2 * mx, h + 2 * my] and mx > 0 and my > 0


def test_gpx_file_can_be_chosen_in_settings(runs):
    assert runs[0]["gpx_chooser_title"] == "GPX file"


def test_every_touch_target_is_at_least_48_dp(runs):
    tour, _ = runs
    assert tour["small_targets"] == [], "\n".join(tour["small_targets"])


def test_every_label_uses_a_checked_text_colour_in_both_themes(runs):
    """The contrast inventory over the real screens: every visible text is drawn in one of the
    theme's text colours whose pairs are checked ≥ 4.5:1 (tests/mobile: text_pairs)."""
    tour, _ = runs
    assert tour["labels_checked"] > 60  # every screen's labels and buttons were looked at
    assert tour["text_colours"] == [], "\n".join(tour["text_colours"])
    assert tour["hc_text_colours"] == [], "\n".join(tour["hc_text_colours"])
