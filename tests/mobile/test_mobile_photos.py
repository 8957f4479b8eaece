"""Photos on POI pages and in lists: a resident's accepted photo travels through the real inbox and publish
into the next pack, and the page and the Explore list show it with its author and licence."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from heritage_kit.inbox import InboxService, SqliteStorage, build_next_pack
from mobile.i18n import Translator
from mobile.presenters.explore import ExplorePresenter
from mobile.presenters.hours import HoursBadges
from mobile.presenters.poi_page import present_poi

PHOTO = Path(__file__).resolve().parents[1] / "data" / "mobile" / "photo.jpg"  # drawn with Pillow (README there)
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def published(tmp_path, pack):
    """The mini pack's next version with one approved photo of the cathedral and one still pending."""
    storage = SqliteStorage(tmp_path / "inbox.sqlite")
    svc = InboxService(storage, pack)
    token = "device-token-photos-0001"
    ok = {"kind": "photo", "uuid": str(uuid.uuid4()), "target": "osm:way/2", "contributor": "Lou", "consent": True}
    waiting = {"kind": "photo", "uuid": str(uuid.uuid4()), "target": "osm:way/3", "contributor": "Ana",
               "consent": True}
    svc.submit(token, ok, [PHOTO.read_bytes()])
    svc.submit(token, waiting, [PHOTO.read_bytes()])
    svc.approve(ok["uuid"], actor="moderator:test")
    approved = [svc.get(ok["uuid"])]
    assert approved[0].status == "approved" and svc.get(waiting["uuid"]).status == "pending"
    result = build_next_pack(pack, approved, lambda u: [p.data for p in storage.photos(u)], now=NOW)
    yield result.pack
    storage.close()


def test_an_accepted_photo_is_on_the_poi_page_with_author_and_licence(published):
    cathedral = published.poi("osm:way/2")
    for lang, credit in (("fr", "Photo : Lou (CC BY-SA 4.0)"), ("en", "Photo: Lou (CC BY-SA 4.0)")):
        page = present_poi(cathedral, tr=Translator(lang), badges=None, now=NOW)
        [photo] = page.photos
        assert photo.credit == credit
        assert published.media[photo.path][:2] == b"\xff\xd8"  # the JPEG is in the pack, no network needed
    museum = published.poi("osm:way/3")  # its photo is still waiting for a moderator
    assert present_poi(museum, tr=Translator("en"), badges=None, now=NOW).photos == []


def test_explore_rows_carry_a_thumbnail_and_its_credit_only_for_poi_with_a_photo(published):
    ex = ExplorePresenter(published, Translator("en"), HoursBadges(country="MC", timezone="Europe/Monaco"))
    rows = {r.poi_id: r for r in ex.rows(near=None, now=NOW)}
    assert rows["osm:way/2"].thumb in published.media
    assert rows["osm:way/2"].thumb_credit == "Photo: Lou (CC BY-SA 4.0)"
    assert all(r.thumb == "" and r.thumb_credit == "" for pid, r in rows.items() if pid != "osm:way/2")


def test_a_photo_listed_but_missing_from_the_pack_gets_no_thumbnail(published):
    path = published.poi("osm:way/2").media[0].path
    del published.media[path]
    ex = ExplorePresenter(published, Translator("fr"), HoursBadges(country="MC", timezone="Europe/Monaco"))
    assert all(r.thumb == "" for r in ex.rows(near=None, now=NOW))
