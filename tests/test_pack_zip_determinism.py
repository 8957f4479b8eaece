"""``pack publish`` twice on the same pack writes byte-identical zips (fixed timestamps, order, modes)."""

from __future__ import annotations

import os
import stat
import time
import zipfile
from pathlib import Path

from heritage_kit.packs import load_pack, save_pack, validate_pack
from heritage_kit.packs.publish import publish_pack
from heritage_kit.packs.storage import ZIP_EPOCH

ROOT = Path(__file__).resolve().parents[1]
PERIGUEUX = ROOT / "content" / "perigueux"


def test_publish_twice_gives_byte_identical_zips(tmp_path, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_000_000_000.0)  # 2001
    old = os.umask(0o077)
    try:
        first = publish_pack(PERIGUEUX, tmp_path / "a")
    finally:
        os.umask(old)
    monkeypatch.setattr(time, "time", lambda: 1_900_000_000.0)  # 2030, another umask
    second = publish_pack(PERIGUEUX, tmp_path / "b")
    assert first.path.name == second.path.name
    assert first.path.read_bytes() == second.path.read_bytes()
    again = publish_pack(PERIGUEUX, tmp_path / "a")  # the same folder: the same file, the index untouched
    assert again.reused and again.path == first.path
    assert sorted(p.name for p in (tmp_path / "a").glob("*.zip")) == [first.path.name]


def test_zip_entries_are_sorted_with_fixed_time_and_mode(tmp_path):
    pack = load_pack(PERIGUEUX)
    save_pack(pack, tmp_path / "p.zip")
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names) and "manifest.json" in names
    assert {i.date_time for i in infos} == {ZIP_EPOCH}
    assert {stat.S_IMODE(i.external_attr >> 16) for i in infos} == {0o644}
    media = [i for i in infos if i.filename.endswith(".ogg")]
    assert media and all(i.compress_type == zipfile.ZIP_STORED for i in media)
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in infos if i.filename.endswith(".json"))
    assert validate_pack(tmp_path / "p.zip").ok


def test_rewriting_a_loaded_zip_gives_the_same_bytes(tmp_path):
    save_pack(load_pack(PERIGUEUX), tmp_path / "one.zip")
    save_pack(load_pack(tmp_path / "one.zip"), tmp_path / "two.zip")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
