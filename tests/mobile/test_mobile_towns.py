"""The Towns presenter and flow, without a window, against a real HTTP server on 127.0.0.1 serving a
publish folder made with ``publish_pack``; downloads on the real background thread, results through a
``schedule`` queue (as the app does with ``Clock``)."""

from __future__ import annotations

import json
import queue
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from heritage_kit.packs import load_pack, save_pack, validate_pack
from heritage_kit.packs import install as inst
from heritage_kit.packs.publish import publish_pack
from mobile.i18n import Translator
from mobile.platform.downloads import BackgroundJobs
from mobile.platform.storage import JsonStore, discover_packs
from mobile.presenters.towns import TownsFlow, TownsPresenter, should_check_updates
from tests.pack_server import PackServer
from tests.towns_support import PERIGUEUX

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


# -- the policy ---------------------------------------------------------------------------------
def test_check_at_most_once_a_day_online_and_never_during_a_walk():
    day = timedelta(days=1)
    assert should_check_updates(None, NOW, walking=False, online=True)
    assert not should_check_updates(None, NOW, walking=True, online=True)
    assert not should_check_updates(None, NOW, walking=False, online=False)
    assert not should_check_updates(NOW - timedelta(hours=23), NOW, walking=False, online=True)
    assert should_check_updates(NOW - day, NOW, walking=False, online=True)
    assert not should_check_updates(NOW - 2 * day, NOW, walking=True, online=True)
    assert should_check_updates(NOW + timedelta(hours=5), NOW, walking=False, online=True)  # clock set back
    # a failed attempt is not retried within the hour, then it is
    assert not should_check_updates(NOW - 2 * day, NOW, walking=False, online=True,
                                    last_attempt=NOW - timedelta(minutes=20))
    assert should_check_updates(NOW - 2 * day, NOW, walking=False, online=True,
                                last_attempt=NOW - timedelta(minutes=61))


# -- fixtures ------------------------------------------------------------------------------------
class Loop:
    """The UI thread of the test: ``schedule`` queues callables, ``run_until`` runs them."""

    def __init__(self) -> None:
        self.q: queue.Queue = queue.Queue()
        self.ui = threading.get_ident()
        self.ran_on: set[int] = set()

    def schedule(self, fn) -> None:
        self.q.put(fn)

    def run_until(self, cond, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            try:
                fn = self.q.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError("nothing came back") from None
            self.ran_on.add(threading.get_ident())
            fn()


class Host:
    def __init__(self, presenter) -> None:
        self.presenter = presenter
        self.walking = False
        self.is_online = True
        self.opened: list[str] = []
        self.given: list = []
        self.reloads: list[bool] = []
        self.active: tuple[str | None, str | None] = (None, None)
        self.changes = 0

    def walk_active(self):
        return self.walking

    def active_pack(self):
        return self.active

    def open_pack(self, path, reload=False, pack=None):
        self.opened.append(path)
        self.reloads.append(reload)
        self.given.append(pack)  # the pack the install loaded, handed over (None: the app reads the zip)
        pack = pack or load_pack(path, public_key=self.presenter.key_for_path(path))
        self.active = (path, pack.manifest.town_id)

    def towns_changed(self):
        self.changes += 1

    def online(self):
        return self.is_online


@pytest.fixture()
def pub(tmp_path):
    folder = tmp_path / "pub"
    publish_pack(PERIGUEUX, folder)
    return folder


@pytest.fixture()
def server(pub):
    with PackServer(pub) as srv:
        yield srv


def publish_v2(pub: Path, tmp_path: Path, *, deltas: bool = True):
    pack = load_pack(PERIGUEUX)
    pack.manifest = pack.manifest.model_copy(update={"version": 2})
    save_pack(pack, tmp_path / "v2.zip")
    return publish_pack(tmp_path / "v2.zip", pub, deltas_enabled=deltas)


def make(tmp_path, url: str, lang: str = "en", bundled=(), clock=lambda: NOW, key_files=()):
    loop = Loop()
    p = TownsPresenter(Translator(lang), JsonStore(tmp_path / "app" / "towns.json"), tmp_path / "app" / "packs",
                       catalogue_url=url, bundled=bundled,
                       session_factory=lambda: inst.make_session(total_retries=1, backoff=0), clock=clock,
                       key_files=key_files)
    host = Host(p)
    jobs = BackgroundJobs(loop.schedule, min_interval=0.0)
    return p, TownsFlow(p, host, jobs), host, loop


def started(flow, loop, p):
    flow.start()
    loop.run_until(lambda: not p.checking and p.state.fetched is not None or p.state.error)


def installed_and_open(tmp_path, url):
    """Périgueux v1 downloaded and opened."""
    p, flow, host, loop = make(tmp_path, url)
    started(flow, loop, p)
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    flow.switch("perigueux")
    return p, flow, host, loop


# -- the screen's state ------------------------------------------------------------------------------
def test_without_a_catalogue_address_only_bundled_towns(tmp_path, content_dir):
    p, flow, host, loop = make(tmp_path, "", bundled=discover_packs(content_dir))
    flow.start()
    loop.run_until(lambda: p.installed)
    assert "No catalogue set" in p.header()
    rows = {r.town_id: r for r in p.rows()}
    assert {"monaco", "perigueux"} <= set(rows)
    assert rows["monaco"].action == "" and rows["monaco"].can_open and "comes with the app" in rows["monaco"].detail


def test_catalogue_shows_size_before_download_then_installs_and_opens(server, pub, tmp_path):
    p, flow, host, loop = make(tmp_path, server.url + "index.json")
    started(flow, loop, p)
    assert "Catalogue checked just now" in p.header()
    (row,) = p.rows()
    size = json.loads((pub / "index.json").read_text())["towns"][0]["size"]
    assert row.action == "download" and p.size_text(size) in row.action_text and row.progress is None
    assert "Not downloaded yet" in row.status
    flow.download("perigueux")
    assert p.rows()[0].progress == 0.0 and p.rows()[0].action == ""  # a second tap does nothing
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    assert loop.ran_on == {loop.ui}  # every result and progress callback ran on "the UI thread"
    (row,) = p.rows()
    assert not row.failed and "Version 1 installed and verified" in row.message and row.status == "Up to date"
    assert validate_pack(tmp_path / "app" / "packs" / "perigueux.zip").ok
    assert host.opened == []  # not the open town: nothing reloaded
    flow.switch("perigueux")
    assert host.opened == [str(tmp_path / "app" / "packs" / "perigueux.zip")]
    (row,) = p.rows(*host.active)
    assert row.active and not row.can_open and row.open_text == "Open now"


def test_progress_reaches_the_ui_thread_while_downloading(server, tmp_path, monkeypatch):
    monkeypatch.setattr(inst, "CHUNK", 4096)
    p, flow, host, loop = make(tmp_path, server.url + "index.json")
    started(flow, loop, p)
    seen = []
    orig = p.set_progress

    def spy(town, have, total):
        seen.append((have, total, p.rows()[0].status))
        orig(town, have, total)

    p.set_progress = spy
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    assert len(seen) > 10 and seen[-1][0] == seen[-1][1]
    assert [h for h, _t, _s in seen] == sorted(h for h, _t, _s in seen)
    statuses = []
    for have, total, _ in seen[1:4]:
        p.progress["perigueux"] = (have, total)
        statuses.append(p.rows()[0].status)
    assert all(s.startswith("Downloading…") and "%" in s for s in statuses)
    p.progress["perigueux"] = (10, 10)
    assert p.rows()[0].status == "Checking the guide…"


def test_update_available_uses_the_delta_and_reloads_the_open_town(server, pub, tmp_path):
    p, flow, host, loop = installed_and_open(tmp_path, server.url + "index.json")
    v2 = publish_v2(pub, tmp_path)
    flow.check_now()
    assert p.header() == "Checking for updates…"
    loop.run_until(lambda: not p.checking)
    (row,) = p.rows(*host.active)
    delta = v2.entry.deltas[0]
    assert row.action == "update" and "Update available: version 2" in row.status
    assert p.size_text(delta.size) in row.action_text and p.updates() == ["perigueux"]
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    (row,) = p.rows(*host.active)
    assert "Version 2 installed and verified" in row.message and "downloaded instead of" in row.message
    assert host.opened[-1].endswith("perigueux.zip") and len(host.opened) == 2  # reloaded: not walking
    assert host.reloads == [False, True]  # "Open this guide" goes to the map; an update stays on the screen
    assert load_pack(host.opened[-1]).manifest.version == 2


def test_tampered_download_leaves_the_phone_as_it_was_in_french(server, pub, tmp_path):
    p, flow, host, loop = make(tmp_path, server.url + "index.json", lang="fr")
    started(flow, loop, p)
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    installed = tmp_path / "app" / "packs" / "perigueux.zip"
    before = installed.read_bytes()
    publish_v2(pub, tmp_path, deltas=False)
    flow.check_now()
    loop.run_until(lambda: not p.checking)
    server.faults.corrupt = 1
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    (row,) = p.rows()
    assert row.failed and row.message == ("Le fichier reçu est corrompu ou a été modifié. "
                                          "Votre guide actuel est conservé.")
    assert installed.read_bytes() == before and row.action == "update"
    assert not list(installed.parent.glob("*.part"))
    assert "Version 1 installée" in row.detail


def test_offline_shows_the_cached_catalogue_with_its_age(pub, tmp_path):
    clock = [NOW]
    with PackServer(pub) as srv:
        url = srv.url + "index.json"
        p, flow, host, loop = make(tmp_path, url, clock=lambda: clock[0])
        started(flow, loop, p)
    clock[0] = NOW + timedelta(hours=3)
    # a new start of the app, the server gone: the cache is read (no check: the last was 3 h ago)
    p2, flow2, host2, loop2 = make(tmp_path, url, clock=lambda: clock[0])
    flow2.start()
    loop2.run_until(lambda: p2.state.catalogue is not None)
    assert p2.header() == "Catalogue checked 3 h ago." and not p2.checking
    flow2.check_now()  # the visitor asks: the check fails, the rows stay
    loop2.run_until(lambda: not p2.checking)
    header = p2.header()
    assert header.startswith("Offline: catalogue from 3 h ago") and "No connection" in header
    (row,) = p2.rows()
    assert row.action == "download" and "Not downloaded yet" in row.status
    # even with no check on record, the failed attempt is not retried within the hour; then it is
    p2.last_check = None
    flow2.tick()
    assert not p2.checking
    clock[0] += timedelta(minutes=61)
    flow2.tick()
    assert p2.checking
    loop2.run_until(lambda: not p2.checking)
    assert p2.state.offline and p2.state.attempted == clock[0]


def test_resume_after_a_dropped_connection(server, tmp_path, monkeypatch):
    monkeypatch.setattr(inst, "CHUNK", 512)
    server.faults.drop = 1
    p, flow, host, loop = make(tmp_path, server.url + "index.json")
    started(flow, loop, p)
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    assert not p.rows()[0].failed and server.faults.ranges
    assert validate_pack(tmp_path / "app" / "packs" / "perigueux.zip").ok


def test_a_walk_keeps_its_pack_until_it_ends(server, pub, tmp_path):
    p, flow, host, loop = installed_and_open(tmp_path, server.url + "index.json")
    publish_v2(pub, tmp_path)
    host.walking = True
    p.last_check = NOW - timedelta(days=2)
    flow.tick()
    assert not p.checking  # no background check during a walk
    flow.check_now()  # the visitor asks
    loop.run_until(lambda: not p.checking)
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    assert len(host.opened) == 1 and "Your walk goes on with the current version" in p.rows()[0].message
    flow.tick()
    assert len(host.opened) == 1
    host.walking = False
    flow.tick()
    assert len(host.opened) == 2 and load_pack(host.opened[-1]).manifest.version == 2


def test_daily_check_runs_from_tick_when_due(server, tmp_path):
    clock = [NOW]
    p, flow, host, loop = make(tmp_path, server.url + "index.json", clock=lambda: clock[0])
    started(flow, loop, p)
    assert p.last_check == NOW
    clock[0] = NOW + timedelta(hours=5)
    flow.tick()
    assert not p.checking
    host.is_online = False
    clock[0] = NOW + timedelta(days=1, hours=1)
    flow.tick()
    assert not p.checking
    host.is_online = True
    flow.tick()
    assert p.checking
    loop.run_until(lambda: not p.checking)
    assert p.last_check == clock[0]
    assert json.loads((tmp_path / "app" / "towns.json").read_text())["last_check"] == clock[0].isoformat()


def test_relay_throttles_but_always_delivers_the_last_call():
    calls = []
    t = [0.0]
    jobs = BackgroundJobs(lambda fn: fn(), min_interval=0.1, clock=lambda: t[0])
    relay = jobs.relay(lambda have, total: calls.append(have))
    for have in range(0, 100, 10):
        relay(have, 100)
        t[0] += 0.03
    relay(100, 100)
    assert calls[0] == 0 and calls[-1] == 100 and len(calls) < 6


def test_in_guide_finds_new_pois_and_accepted_edits(pack):
    from heritage_kit.inbox.publish import credit_source
    from mobile.presenters.towns import in_guide

    new_uuid, edit_uuid = "0b7e2c1a-0000-4000-8000-000000000001", "5d3f9e7b-0000-4000-8000-000000000002"
    first = pack.pois[0]
    edited = first.model_copy(update={"sources": [*first.sources, credit_source("Marie P.", edit_uuid)]})
    added = first.model_copy(update={"id": f"hk:{new_uuid}"})
    pack.pois = [edited, added, *pack.pois[1:]]
    is_in = in_guide(pack)
    assert is_in(new_uuid) and is_in(edit_uuid)
    assert not is_in("99999999-0000-4000-8000-000000000003")


# -- signed packs (issue 15) and one parse per install (issue 17) ----------------------------------------
def publish_signed(pub: Path, tmp_path: Path, key: str, *, version: int = 1):
    pack = load_pack(PERIGUEUX)
    pack.manifest = pack.manifest.model_copy(update={"version": version})
    save_pack(pack, tmp_path / f"v{version}.zip")
    return publish_pack(tmp_path / f"v{version}.zip", pub, sign_key=key, deltas_enabled=False)


def test_signed_town_is_pinned_on_first_install_then_only_its_key_is_accepted(tmp_path):
    from heritage_kit.errors import PackSignatureError
    from heritage_kit.packs.signing import generate_keypair

    town_key, town_pub = generate_keypair()
    thief_key, thief_pub = generate_keypair()
    pub = tmp_path / "pub"
    publish_signed(pub, tmp_path, town_key)
    with PackServer(pub) as srv:
        p, flow, host, loop = make(tmp_path, srv.url + "index.json", lang="fr")
        started(flow, loop, p)
        flow.download("perigueux")
        loop.run_until(lambda: "perigueux" not in p.progress)
        installed = tmp_path / "app" / "packs" / "perigueux.zip"
        (row,) = p.rows()
        assert not row.failed and "signé par la ville" in row.detail
        assert json.loads((tmp_path / "app" / "towns.json").read_text())["keys"] == {"perigueux": town_pub}
        assert p.key_for_path(installed) == town_pub
        before = installed.read_bytes()

        # v2 signed by someone else, the catalogue naming their key: the pinned key wins, nothing downloaded
        publish_signed(pub, tmp_path, thief_key, version=2)
        flow.check_now()
        loop.run_until(lambda: not p.checking)
        flow.download("perigueux")
        loop.run_until(lambda: "perigueux" not in p.progress)
        (row,) = p.rows()
        assert row.failed and row.message == (
            "La clé de signature de la ville n'est plus celle de votre première installation : mise à jour "
            "refusée. Votre guide actuel est conservé.")
        assert installed.read_bytes() == before and row.action == "update"

        # the same, the catalogue still naming the town's key: the signature check refuses the zip
        index = json.loads((pub / "index.json").read_text())
        index["towns"][0]["public_key"] = town_pub
        (pub / "index.json").write_text(json.dumps(index))
        flow.check_now()
        loop.run_until(lambda: not p.checking)
        flow.download("perigueux")
        loop.run_until(lambda: "perigueux" not in p.progress)
        (row,) = p.rows()
        assert row.failed and row.message == ("Ce guide n'est pas signé par la ville (ou a été modifié) : il est "
                                              "refusé. Votre guide actuel est conservé.")
        assert installed.read_bytes() == before and not list(installed.parent.glob("*.part"))

    # a new start of the app: the pinned key is read back, and the zip on the phone is opened with it
    p2, flow2, host2, loop2 = make(tmp_path, "")
    assert p2.key_for_path(installed) == town_pub
    assert p2.key_for_path(PERIGUEUX) is None  # a pack that comes with the app is trusted as it is
    assert load_pack(installed, public_key=p2.key_for_path(installed)).manifest.version == 1
    # the zip altered on the phone (a POI changed, checksums recomputed, the signature kept) is refused
    from heritage_kit.packs.pack import pack_files
    from heritage_kit.packs.storage import write_pack_files

    pack = load_pack(installed)
    pack.pois[0] = pack.pois[0].model_copy(update={"id": pack.pois[0].id + "x"})
    files = pack_files(pack)
    import zipfile

    with zipfile.ZipFile(installed) as zf:
        files["manifest.sig"] = zf.read("manifest.sig")
    write_pack_files(files, installed)
    with pytest.raises(PackSignatureError):
        load_pack(installed, public_key=p2.key_for_path(installed))


def test_a_key_that_comes_with_the_app_wins_over_the_catalogue(tmp_path):
    from heritage_kit.packs.signing import generate_keypair

    town_key, town_pub = generate_keypair()
    other_key, _other_pub = generate_keypair()
    keys = tmp_path / "town_keys.json"
    keys.write_text(json.dumps({"perigueux": town_pub}))
    pub = tmp_path / "pub"
    publish_signed(pub, tmp_path, other_key)
    with PackServer(pub) as srv:
        p, flow, host, loop = make(tmp_path, srv.url + "index.json", key_files=[keys])
        started(flow, loop, p)
        flow.download("perigueux")
        loop.run_until(lambda: "perigueux" not in p.progress)
        (row,) = p.rows()
        assert row.failed and "signing key is not the one" in row.message and row.action == "download"
        assert not (tmp_path / "app" / "packs" / "perigueux.zip").exists()
        publish_signed(pub, tmp_path, town_key, version=2)
        flow.check_now()
        loop.run_until(lambda: not p.checking)
        flow.download("perigueux")
        loop.run_until(lambda: "perigueux" not in p.progress)
        assert not p.rows()[0].failed and "keys" not in json.loads((tmp_path / "app" / "towns.json").read_text())


def test_installing_then_opening_parses_the_pack_once(server, pub, tmp_path, monkeypatch):
    """Issue 17: the pack the installer's check loaded is the one the app opens (no second parse)."""
    from heritage_kit.packs import pack as pack_module

    reads = []
    real = pack_module._read
    monkeypatch.setattr(pack_module, "_read", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    p, flow, host, loop = installed_and_open(tmp_path, server.url + "index.json")
    assert len(reads) == 1 and str(reads[0]).endswith(".zip.part")  # the check, before the swap
    (given,) = host.given
    assert given is not None and given.manifest.town_id == "perigueux" and given.source == host.opened[0]
    # an update of the open town is reloaded with the pack its install loaded, too
    publish_v2(pub, tmp_path)
    flow.check_now()
    loop.run_until(lambda: not p.checking)
    reads.clear()  # publishing v2 read packs too
    flow.download("perigueux")
    loop.run_until(lambda: "perigueux" not in p.progress)
    assert len(reads) == 1 and host.given[-1].manifest.version == 2 and flow.fresh is None
