"""pack publish + install_pack against a real HTTP server on 127.0.0.1, with injected faults."""

from __future__ import annotations

import errno
import json
import random
import socket
import zipfile
from pathlib import Path

import pytest

from heritage_kit.errors import CatalogueError, HeritageKitError, PackDownloadError
from heritage_kit.packs import fetch_catalogue, install_pack, load_pack, save_pack, validate_pack
from heritage_kit.packs import install as inst
from heritage_kit.packs.catalogue import entry_for, parse_catalogue, update_available
from heritage_kit.packs.publish import publish_pack
from tests.pack_server import PackServer

ROOT = Path(__file__).resolve().parents[1]
PERIGUEUX = ROOT / "content" / "perigueux"


def _version(pack_zip: Path) -> int:
    with zipfile.ZipFile(pack_zip) as zf:
        return json.loads(zf.read("manifest.json"))["version"]


@pytest.fixture()
def pub(tmp_path):
    folder = tmp_path / "pub"
    publish_pack(PERIGUEUX, folder)
    return folder


def _publish_v2(pub: Path, tmp_path: Path):
    pack = load_pack(PERIGUEUX)
    pack.manifest = pack.manifest.model_copy(update={"version": 2})
    save_pack(pack, tmp_path / "v2.zip")
    return publish_pack(tmp_path / "v2.zip", pub, deltas_enabled=False)  # the full zip's faults (deltas: test_pack_delta)


@pytest.fixture()
def server(pub):
    with PackServer(pub) as srv:
        yield srv


def session():
    return inst.make_session(total_retries=3, backoff=0)


def test_publish_writes_content_addressed_zip_and_valid_index(pub, tmp_path):
    index = json.loads((pub / "index.json").read_text())
    cat = parse_catalogue(json.dumps(index))
    entry = entry_for(cat, "perigueux")
    zip_path = pub / entry.file
    assert zip_path.stat().st_size == entry.size
    assert entry.file.startswith("perigueux-1-") and entry.sha256.startswith(entry.file[12:24])
    assert entry.name == {"fr": "Périgueux", "en": "Périgueux"} and entry.languages
    assert validate_pack(zip_path).ok
    assert (pub / "index.schema.json").is_file()
    again = publish_pack(PERIGUEUX, pub)  # deterministic zips: the same file again
    assert again.reused and again.path == zip_path
    v2 = _publish_v2(pub, tmp_path)
    cat = parse_catalogue((pub / "index.json").read_bytes())
    assert [e.town_id for e in cat.towns] == ["perigueux"] and entry_for(cat, "perigueux").version == 2
    assert zip_path.is_file() and v2.path.is_file()  # old versioned file stays (immutable)


def test_bad_catalogue_names_the_field():
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(b'{"updated": "2026-01-01T00:00:00Z", "towns": [{"town_id": "X!"}]}', url="u/index.json")
    assert "towns.0.town_id" in str(info.value) and info.value.field == "towns.0.town_id"
    assert isinstance(info.value, ValueError)



def test_first_install_then_update(server, pub, tmp_path):
    dest = tmp_path / "phone"
    url = server.url + "index.json"
    assert fetch_catalogue(url, session=session()).towns[0].town_id == "perigueux"
    seen = []
    path = install_pack(url, "perigueux", dest, session=session(), progress=lambda a, b: seen.append((a, b)))
    assert validate_pack(path).ok and _version(path) == 1
    assert seen[-1][0] == seen[-1][1]
    entry = fetch_catalogue(url, session=session()).towns[0]
    assert not update_available(entry, *inst.installed_version(dest, "perigueux"))
    _publish_v2(pub, tmp_path)
    entry = fetch_catalogue(url, session=session()).towns[0]
    assert update_available(entry, *inst.installed_version(dest, "perigueux"))
    path = install_pack(url, "perigueux", dest, session=session())
    assert _version(path) == 2 and validate_pack(path).ok
    assert not list(dest.glob("*.part"))


def test_dropped_connection_resumes_with_range(server, tmp_path, monkeypatch):
    monkeypatch.setattr(inst, "CHUNK", 512)  # the small test pack: write whole chunks before the cut
    server.faults.drop = 2
    path = install_pack(server.url + "index.json", "perigueux", tmp_path / "phone", session=session())
    assert validate_pack(path).ok
    assert server.faults.ranges and all(r.startswith("bytes=") and r != "bytes=0-" for r in server.faults.ranges)


def _installed_v1(server, tmp_path):
    dest = tmp_path / "phone"
    install_pack(server.url + "index.json", "perigueux", dest, session=session())
    return dest


def _assert_kept(dest, version=1):
    path = dest / "perigueux.zip"
    assert validate_pack(path).ok and _version(path) == version


def test_corrupt_bytes_keep_old_pack(server, pub, tmp_path):
    dest = _installed_v1(server, tmp_path)
    _publish_v2(pub, tmp_path)
    server.faults.corrupt = 1
    with pytest.raises(PackDownloadError) as info:
        install_pack(server.url + "index.json", "perigueux", dest, session=session())
    assert info.value.reason == "sha256" and "kept" in str(info.value)
    _assert_kept(dest)
    assert _version(install_pack(server.url + "index.json", "perigueux", dest, session=session())) == 2


def test_wrong_hash_in_index_keeps_old_pack(server, pub, tmp_path):
    dest = _installed_v1(server, tmp_path)
    _publish_v2(pub, tmp_path)
    index = json.loads((pub / "index.json").read_text())
    index["towns"][0]["sha256"] = "0" * 64
    (pub / "index.json").write_text(json.dumps(index))
    with pytest.raises(PackDownloadError) as info:
        install_pack(server.url + "index.json", "perigueux", dest, session=session())
    assert info.value.reason == "sha256" and info.value.town_id == "perigueux"
    _assert_kept(dest)


def test_index_replaced_mid_download(server, pub, tmp_path):
    dest = _installed_v1(server, tmp_path)
    v2_src = load_pack(PERIGUEUX)
    v2_src.manifest = v2_src.manifest.model_copy(update={"version": 2})
    save_pack(v2_src, tmp_path / "v2.zip")
    (pub / "perigueux-2-000000000000.zip").write_bytes(b"")  # noise: never referenced
    index_v1 = (pub / "index.json").read_bytes()
    _publish_v2(pub, tmp_path)

    def republish():  # while v2 downloads, the index moves on (v3): v2's bytes stay consistent
        server.faults.on_zip = None
        v3 = load_pack(PERIGUEUX)
        v3.manifest = v3.manifest.model_copy(update={"version": 3})
        save_pack(v3, tmp_path / "v3.zip")
        publish_pack(tmp_path / "v3.zip", pub)

    server.faults.on_zip = republish
    path = install_pack(server.url + "index.json", "perigueux", dest, session=session())
    assert _version(path) == 2 and validate_pack(path).ok
    assert index_v1 != (pub / "index.json").read_bytes()


def test_503_is_retried_then_reported(server, tmp_path):
    server.faults.status_503 = 2
    path = install_pack(server.url + "index.json", "perigueux", tmp_path / "a", session=session())
    assert validate_pack(path).ok
    server.faults.status_503 = 50
    with pytest.raises(PackDownloadError) as info:
        install_pack(server.url + "index.json", "perigueux", tmp_path / "b", session=session())
    assert info.value.status_code == 503 and "HTTP 503" in str(info.value)


def test_server_down(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(PackDownloadError) as info:
        fetch_catalogue(f"http://127.0.0.1:{port}/index.json", session=session())
    assert info.value.reason == "network" and isinstance(info.value, OSError)


def test_disk_full_keeps_old_pack(server, pub, tmp_path, monkeypatch):
    dest = _installed_v1(server, tmp_path)
    _publish_v2(pub, tmp_path)

    class Full:
        def __init__(self, path, mode):
            self.fh = path.open(mode)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(inst, "_open_writer", Full)
    with pytest.raises(PackDownloadError) as info:
        install_pack(server.url + "index.json", "perigueux", dest, session=session())
    assert info.value.reason == "disk" and isinstance(info.value, HeritageKitError)
    _assert_kept(dest)
    assert not list(dest.glob("*.part"))


def test_unknown_town(server, tmp_path):
    with pytest.raises(CatalogueError, match="no town 'nowhere'"):
        install_pack(server.url + "index.json", "nowhere", tmp_path, session=session())


def test_fault_run_never_installs_a_corrupted_pack(server, pub, tmp_path):
    """200 downloads, ~30 % with an injected fault: every install is a valid pack, old or new."""
    dest = _installed_v1(server, tmp_path)
    _publish_v2(pub, tmp_path)
    rng = random.Random(17)
    failures = 0
    for _ in range(200):
        fault = rng.random()
        if fault < 0.1:
            server.faults.drop = 1
        elif fault < 0.2:
            server.faults.corrupt = 1
        elif fault < 0.3:
            server.faults.status_503 = 50
        try:
            install_pack(server.url + "index.json", "perigueux", dest, session=session(), force=True)
        except PackDownloadError:
            failures += 1
        server.faults.status_503 = server.faults.corrupt = server.faults.drop = 0
        assert validate_pack(dest / "perigueux.zip").ok
    assert 0 < failures < 100


def test_signed_publish_installs_only_with_the_town_key(tmp_path):
    """Pack authenticity (issue 15): a zip signed at publish time installs with the town's key; another key, or
    an unsigned pack when a key is configured, is refused and nothing is installed."""
    from heritage_kit.errors import PackSignatureError
    from heritage_kit.packs.signing import generate_keypair

    private, public = generate_keypair()
    _, other = generate_keypair()
    signed, unsigned = tmp_path / "signed", tmp_path / "unsigned"
    publish_pack(PERIGUEUX, signed, sign_key=private)
    publish_pack(PERIGUEUX, unsigned)
    with PackServer(signed) as srv:
        assert fetch_catalogue(srv.url + "index.json", session=session()).towns[0].public_key == public
        res = inst.install_result(srv.url + "index.json", "perigueux", tmp_path / "a", session=session(),
                                  public_key=public)
        path = res.path
        assert res.pack.manifest.town_id == "perigueux" and res.pack.source == str(path)  # checked once, kept
        assert load_pack(path, public_key=public).manifest.town_id == "perigueux"
        with pytest.raises(PackDownloadError) as info:
            install_pack(srv.url + "index.json", "perigueux", tmp_path / "b", session=session(), public_key=other)
        assert info.value.reason == "signature" and "manifest.sig" in str(info.value)
        assert not list((tmp_path / "b").glob("*.zip"))
    with PackServer(unsigned) as srv, pytest.raises(PackDownloadError, match="not signed"):
        install_pack(srv.url + "index.json", "perigueux", tmp_path / "c", session=session(), public_key=public)
    with pytest.raises(PackSignatureError):
        load_pack(path, public_key=other)
