"""A corpus of malicious and broken packs, generated here: each is refused with a message naming the fault."""

import hashlib
import json
import os
import stat
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage_kit.errors import PackError
from heritage_kit.packs import load_pack, save_pack, validate_pack
from heritage_kit.packs import storage


@pytest.fixture(scope="module")
def good(content_dir):
    """Périgueux without its audio files: these tests add their own media/ entries and size the zip."""
    pack = load_pack(content_dir / "perigueux")
    pack.pois = [p.model_copy(update={"media": [m for m in p.media if m.type != "audio"]}) for p in pack.pois]
    pack.media = {}
    return pack


def _files(pack_dir):
    return {p.relative_to(pack_dir).as_posix(): p.read_bytes() for p in pack_dir.rglob("*") if p.is_file()}


def _rehash(files: dict[str, bytes]) -> dict[str, bytes]:
    """The same files with a manifest whose hashes match them (to reach the content checks)."""
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                         for n, d in files.items() if n != "manifest.json"}
    return {**files, "manifest.json": json.dumps(manifest).encode()}


def _write_dir(tmp_path, files, name="pack"):
    root = tmp_path / name
    for n, d in files.items():
        (root / n).parent.mkdir(parents=True, exist_ok=True)
        (root / n).write_bytes(d)
    return root


def _write_zip(tmp_path, files, name="pack.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in files.items():
            zf.writestr(n, d)
    return path


@pytest.fixture
def base(tmp_path, good):
    save_pack(good, tmp_path / "orig")
    return _files(tmp_path / "orig")


def _refused(path, *fragments):
    with pytest.raises(PackError) as err:
        load_pack(path)
    msg = str(err.value)
    for f in fragments:
        assert f in msg, msg
    report = validate_pack(path)
    assert not report.ok
    text = str(report)
    for f in fragments:
        assert f in text, text
    return report


def _edit_pois(files, edit):
    fc = json.loads(files["pois.geojson"])
    edit(fc["features"])
    return _rehash({**files, "pois.geojson": json.dumps(fc).encode()})


# -- paths leaving the pack --------------------------------------------------------------
def test_zip_slip_dotdot_entry(tmp_path, base):
    path = _write_zip(tmp_path, {**base, "../../evil.txt": b"x"})
    report = _refused(path, "../../evil.txt", "zip slip")
    assert not (tmp_path.parent / "evil.txt").exists()
    assert any(p.file == "../../evil.txt" for p in report.problems)


def test_zip_absolute_entry(tmp_path, base):
    path = _write_zip(tmp_path, {**base, "/etc/cron.d/evil": b"x"})
    _refused(path, "/etc/cron.d/evil", "absolute path")


def test_zip_backslash_and_dot_entries(tmp_path, base):
    path = _write_zip(tmp_path, {**base, "media\\..\\..\\evil": b"x", "./media/x.jpg": b"y"})
    _refused(path, "backslash", "not normalised")


def test_zip_symlink_entry(tmp_path, base):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in base.items():
            zf.writestr(n, d)
        info = zipfile.ZipInfo("media/passwd.jpg")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    _refused(path, "media/passwd.jpg", "symbolic link")


def test_folder_symlink_file_and_dir(tmp_path, base):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    root = _write_dir(tmp_path, base)
    (root / "media").mkdir()
    os.symlink(outside, root / "media" / "photo.jpg")
    os.symlink(tmp_path, root / "escape")
    report = _refused(root, "media/photo.jpg", "symbolic link refused")
    assert any(p.file == "escape" and "symbolic link" in p.message for p in report.problems)


def test_pack_path_itself_a_symlink(tmp_path, base):
    root = _write_dir(tmp_path, base)
    os.symlink(root, tmp_path / "alias")
    _refused(tmp_path / "alias", "symbolic link")


# -- zip bombs -----------------------------------------------------------------------
def _patch_sizes(path, name, claimed):
    """Rewrite the uncompressed size of ``name`` in the zip's central directory and local header."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    # local header: uncompressed size at offset 22
    struct.pack_into("<I", data, info.header_offset + 22, claimed)
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0
        nlen = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + nlen].decode() == name:
            struct.pack_into("<I", data, pos + 24, claimed)
            break
        pos += 4
    path.write_bytes(bytes(data))


def test_zip_claiming_more_than_the_cap(tmp_path, base):
    path = _write_zip(tmp_path, {**base, "media/big.jpg": b"0" * 1000})
    _patch_sizes(path, "media/big.jpg", 3 << 30)  # claims 3 GiB: refused before a byte is inflated
    assert path.stat().st_size < 100_000
    _refused(path, "media/big.jpg", "zip bomb")


def test_zip_inflating_past_the_cap(tmp_path, base, monkeypatch):
    # a real deflate bomb: 64 MiB of zeros in a few dozen KiB; the caps are lowered so the test stays fast
    monkeypatch.setattr(storage, "MAX_FILE_BYTES", 16 << 20)
    path = _write_zip(tmp_path, {**base, "media/bomb.jpg": bytes(64 << 20)})
    assert path.stat().st_size < 200_000
    _refused(path, "media/bomb.jpg", "zip bomb")


def test_zip_ratio_bomb(tmp_path, base):
    path = _write_zip(tmp_path, {**base, "media/zeros.jpg": bytes(8 << 20)})
    _refused(path, "media/zeros.jpg", "compression ratio")


def test_zip_total_above_the_cap(tmp_path, base, monkeypatch):
    monkeypatch.setattr(storage, "MAX_UNCOMPRESSED_BYTES", 200_000)
    files = {**base, **{f"media/{i}.jpg": os.urandom(60_000) for i in range(4)}}
    _refused(_write_zip(tmp_path, _rehash(files)), "zip bomb")


def test_zip_entry_lying_about_its_size(tmp_path, base):
    files = _rehash({**base, "media/a.jpg": b"A" * 5000})
    path = _write_zip(tmp_path, files)
    _patch_sizes(path, "media/a.jpg", 100)  # says 100 bytes, inflates to 5000
    report = _refused(path, "media/a.jpg")
    assert any(p.file == "media/a.jpg" and ("CRC" in p.message or "beyond its declared size" in p.message)
               for p in report.problems), str(report)


def test_not_a_zip(tmp_path):
    path = tmp_path / "pack.zip"
    path.write_bytes(b"PK\x03\x04garbage")
    _refused(path, "not a readable zip file")


# -- integrity -----------------------------------------------------------------------------
def test_hash_mismatch(tmp_path, base):
    fc = json.loads(base["pois.geojson"])
    fc["features"][0]["properties"]["name"]["fr"] = "Cathédrale de quelqu'un d'autre"
    root = _write_dir(tmp_path, {**base, "pois.geojson": json.dumps(fc).encode()})
    _refused(root, "pois.geojson", "SHA-256")


def test_missing_listed_file(tmp_path, base):
    files = dict(base)
    del files["trails.json"]
    report = _refused(_write_dir(tmp_path, files), "trails.json", "missing")
    assert any(p.record == "trails.json" and p.field == "files" for p in report.problems)


def test_unlisted_file(tmp_path, base):
    _refused(_write_dir(tmp_path, {**base, "media/extra.jpg": b"x"}), "media/extra.jpg", "not listed")


def test_unknown_format_version(tmp_path, base):
    m = json.loads(base["manifest.json"])
    m["format_version"] = 99
    _refused(_write_dir(tmp_path, {**base, "manifest.json": json.dumps(m).encode()}),
             "unknown pack format version 99")


# -- content -------------------------------------------------------------------------------
def test_duplicate_ids(tmp_path, base):
    files = _edit_pois(base, lambda fs: fs.append(dict(fs[0])))
    report = _refused(_write_dir(tmp_path, files), "duplicate POI id")
    assert any(p.field == "id" and p.record.startswith("merimee:") for p in report.problems)


def test_nan_coordinates(tmp_path, base):
    text = base["pois.geojson"].decode()
    fc = json.loads(text)
    lon, lat = fc["features"][3]["geometry"]["coordinates"]
    text = text.replace(json.dumps([lon, lat], separators=(",", ":")), "[NaN,%r]" % lat, 1)
    assert "NaN" in text
    _refused(_write_dir(tmp_path, _rehash({**base, "pois.geojson": text.encode()})), "pois.geojson", "NaN")


def test_infinite_coordinates(tmp_path, base):
    text = base["pois.geojson"].decode().replace('"coordinates":[', '"coordinates":[1e999,', 1)
    _refused(_write_dir(tmp_path, _rehash({**base, "pois.geojson": text.encode()})), "location")


@pytest.mark.parametrize(("coords", "field"), [([0.72, 91.0], "location.lat"), ([-181.0, 45.0], "location.lon")])
def test_out_of_range_coordinates(tmp_path, base, coords, field):
    def edit(fs):
        fs[2]["geometry"]["coordinates"] = coords

    report = _refused(_write_dir(tmp_path, _edit_pois(base, edit)), field)
    assert any(p.file == "pois.geojson" and p.field == field and p.record.startswith("merimee:")
               for p in report.problems)


def test_absurdly_long_strings(tmp_path, base):
    def edit(fs):
        fs[1]["properties"]["name"]["fr"] = "A" * 1_000_000
        fs[4]["id"] = "merimee:" + "P" * 100_000

    report = _refused(_write_dir(tmp_path, _edit_pois(base, edit)), "name.fr", "at most")
    assert any(p.record == "#4" for p in report.problems)  # a huge id is not echoed back
    assert len(str(report)) < 10_000


def test_trail_stop_not_in_pack(tmp_path, base):
    doc = json.loads(base["trails.json"])
    doc["trails"][0]["stops"].append("merimee:PA99999999")
    _refused(_write_dir(tmp_path, _rehash({**base, "trails.json": json.dumps(doc).encode()})),
             "merimee:PA99999999", "not a POI of this pack")


def test_zip_and_folder_refuse_the_same(tmp_path, base):
    files = _edit_pois(base, lambda fs: fs.append(dict(fs[0])))
    a = validate_pack(_write_dir(tmp_path, files))
    b = validate_pack(_write_zip(tmp_path, files))
    assert [(p.file, p.record, p.field, p.message) for p in a.problems] == \
           [(p.file, p.record, p.field, p.message) for p in b.problems]


# -- fuzzing: any feature properties either load or give a PackError -------------------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
_keys = st.sampled_from(["kind", "categories", "name", "description", "footprint", "media", "opening_hours",
                         "address", "phone", "website", "wheelchair", "refs", "heritage", "sources", "updated",
                         "id", "location", "junk"])
_props = st.dictionaries(_keys, _json, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(props=_props, fid=st.one_of(st.text(max_size=20), st.integers(), st.none()),
       coords=st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.text(max_size=3)),
                       max_size=4))
def test_fuzzed_feature_properties_never_crash(tmp_path_factory, base, props, fid, coords):
    def edit(fs):
        fs[0]["properties"] = {**fs[0]["properties"], **props}
        fs[1]["id"] = fid
        fs[2]["geometry"]["coordinates"] = coords

    files = _edit_pois(base, edit)
    root = _write_dir(tmp_path_factory.mktemp("fuzz"), files)
    try:
        pack = load_pack(root)
    except PackError as exc:
        assert exc.report is not None and not exc.report.ok
        return
    assert len(pack.pois) == 30


# -- the fast path decides nothing alone ------------------------------------------------------
def test_fast_and_detailed_paths_agree_on_real_packs(content_dir):
    from heritage_kit.packs.geojson import fast_read_pois
    from heritage_kit.packs.pack import _read_pois_detailed
    from heritage_kit.packs.report import ValidationReport

    for town in ("monaco", "perigueux", "chambery"):
        data = (content_dir / town / "pois.geojson").read_bytes()
        fast = fast_read_pois(data)
        report = ValidationReport(town)
        slow = _read_pois_detailed(data, report)
        assert fast is not None and report.ok
        assert fast == slow
        assert all(type(p).__name__ == "POI" for p in fast)


def _fast_paths(data: bytes):
    """(feature-at-a-time result or its exception, whole-file result, fast_read_pois result)."""
    from heritage_kit.models.compact import Compactor
    from heritage_kit.packs.geojson import _FC_ADAPTER, _feature_by_feature, _plain, fast_read_pois

    try:
        pieces = _feature_by_feature(data, Compactor())
    except ValueError as exc:
        pieces = exc
    c = Compactor()
    return pieces, [_plain(p, c) for p in _FC_ADAPTER.validate_json(data)["features"]], fast_read_pois(data)


def test_save_pack_layout_is_read_a_feature_at_a_time(base):
    pieces, whole, fast = _fast_paths(base["pois.geojson"])
    assert isinstance(pieces, list) and len(pieces) == 30
    assert pieces == whole == fast and all(type(p).__name__ == "POI" for p in pieces)


def test_feature_marker_inside_a_string_is_not_a_cut(tmp_path, base):
    text = 'a "quoted" },{"type":"Feature","id":"merimee:PA00000001"} text'

    def edit(fs):
        fs[3]["properties"]["description"] = {"fr": text}

    fc = json.loads(_edit_pois(base, edit)["pois.geojson"])
    data = json.dumps(fc, separators=(",", ":"), ensure_ascii=False).encode()
    assert data.count(b'},{\\"type\\":\\"Feature\\",') == 1  # escaped in the file: not a cut
    assert data.count(b'},{"type":"Feature",') == 29
    pieces, whole, fast = _fast_paths(data)
    assert isinstance(pieces, list) and len(pieces) == 30 and pieces == whole == fast
    assert fast[3].description.get("fr") == text


def test_a_cut_inside_a_feature_falls_back_to_the_whole_file(base):
    # an unknown Feature member is ignored (as the detailed path does); holding the marker, it makes the
    # feature-at-a-time reading cut a Feature in two: invalid pieces, so the whole file is read instead
    from heritage_kit.packs.pack import _read_pois_detailed
    from heritage_kit.packs.report import ValidationReport

    fc = json.loads(base["pois.geojson"])
    fc["features"][5]["extra"] = [{}, {"type": "Feature", "id": "merimee:PA00000001", "properties": {}}]
    data = json.dumps(fc, separators=(",", ":"), ensure_ascii=False).encode()
    assert data.count(b'},{"type":"Feature",') == 30
    pieces, whole, fast = _fast_paths(data)
    assert isinstance(pieces, ValueError)
    report = ValidationReport("cut")
    assert fast == whole == _read_pois_detailed(data, report) and report.ok and len(fast) == 30


def test_invalid_feature_in_save_pack_layout_is_named(tmp_path, base):
    fc = json.loads(base["pois.geojson"])
    fid = fc["features"][7]["id"]
    fc["features"][7]["properties"]["kind"] = "castle"
    data = json.dumps(fc, separators=(",", ":"), ensure_ascii=False).encode()
    root = _write_dir(tmp_path, _rehash({**base, "pois.geojson": data}))
    report = _refused(root, fid, "kind")
    assert [(e.record, e.field) for e in report.errors if e.file == "pois.geojson"] == [(fid, "kind")]


# the save_pack layout (read a Feature at a time) and another (read whole)
@pytest.mark.parametrize("separators", [(",", ":"), None], ids=["save_pack-layout", "other-layout"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(props=_props)
def test_fuzzed_fast_path_never_accepts_what_the_detailed_path_refuses(base, props, separators):
    from heritage_kit.packs.geojson import fast_read_pois
    from heritage_kit.packs.pack import _read_pois_detailed
    from heritage_kit.packs.report import ValidationReport

    fc = json.loads(base["pois.geojson"])
    fc["features"][0]["properties"] = {**fc["features"][0]["properties"], **props}
    data = json.dumps(fc, separators=separators, ensure_ascii=False).encode()
    fast = fast_read_pois(data)
    report = ValidationReport("fuzz")
    slow = _read_pois_detailed(data, report)
    if fast is not None:
        assert report.ok and fast == slow


def test_zip_with_a_duplicate_entry(tmp_path, base):
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in base.items():
            zf.writestr(n, d)
        with pytest.warns(UserWarning):
            zf.writestr("pois.geojson", b'{"type": "FeatureCollection", "features": []}')
    _refused(path, "pois.geojson", "twice")


def test_zip_file_is_closed_after_loading(tmp_path, good):
    import warnings

    save_pack(good, tmp_path / "p.zip")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        load_pack(tmp_path / "p.zip")
        validate_pack(tmp_path / "p.zip")
        import gc

        gc.collect()


_manifest_keys = st.sampled_from(["format_version", "town_id", "town_name", "centre", "bbox", "timezone", "country",
                                  "version", "created", "languages", "attributions", "files", "description", "junk"])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(_manifest_keys, _json, max_size=4),
       trail=st.dictionaries(st.sampled_from(["id", "title", "stops", "geometry", "length_m", "tags", "x"]), _json,
                             max_size=3))
def test_fuzzed_manifest_and_trails_never_crash(tmp_path_factory, base, changes, trail):
    m = json.loads(base["manifest.json"])
    m.update(changes)
    doc = json.loads(base["trails.json"])
    doc["trails"][0].update(trail)
    files = {**base, "trails.json": json.dumps(doc).encode()}
    files = _rehash(files)
    mm = json.loads(files["manifest.json"])
    mm.update({k: v for k, v in changes.items() if k != "files"})
    files["manifest.json"] = json.dumps(mm).encode()
    root = _write_dir(tmp_path_factory.mktemp("fuzzm"), files)
    try:
        load_pack(root)
    except PackError as exc:
        assert exc.report is not None
    report = validate_pack(root)
    assert isinstance(str(report), str)
