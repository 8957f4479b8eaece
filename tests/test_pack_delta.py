"""Pack deltas: publish a patch from the previous version, apply it on the phone, fall back on any mismatch."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from heritage_kit.packs import load_pack, save_pack, validate_pack
from heritage_kit.packs import install as inst
from heritage_kit.packs.catalogue import entry_for, parse_catalogue
from heritage_kit.packs.delta import DeltaMismatch, apply_delta, make_delta, plan_delta, read_zip_files
from heritage_kit.packs.publish import publish_pack
from tests.pack_server import PackServer
from tests.towns_support import MONACO, PERIGUEUX, with_contributions


def _session():
    return inst.make_session(total_retries=2, backoff=0)


@pytest.fixture(scope="module")
def monaco_versions(tmp_path_factory):
    """Monaco v1 and v2 (5 new POIs with photos), published in that order."""
    tmp = tmp_path_factory.mktemp("monaco")
    v1 = load_pack(MONACO)
    v2, subs = with_contributions(load_pack(MONACO), 5)
    save_pack(v2, tmp / "monaco-v2.zip")
    pub = tmp / "pub"
    first = publish_pack(MONACO, pub)
    second = publish_pack(tmp / "monaco-v2.zip", pub)
    return {"pub": pub, "v1": first, "v2": second, "subs": subs, "v1_pack": v1}


def test_plan_lists_changed_added_and_removed():
    base = {"a": b"1", "b": b"2", "gone": b"x"}
    target = {"a": b"1", "b": b"3", "new": b"4"}
    plan = plan_delta(base, target)
    assert plan.changed == {"b": b"3", "new": b"4"} and plan.removed == ("gone",)


def test_monaco_five_new_pois_delta_is_small_and_rebuilds_the_zip(monaco_versions):
    v1, v2 = monaco_versions["v1"], monaco_versions["v2"]
    entry = v2.entry
    assert entry.version == 2 and len(entry.deltas) == 1
    d = entry.deltas[0]
    assert d.from_version == 1 and d.from_sha256 == v1.entry.sha256
    delta = (monaco_versions["pub"] / d.file).read_bytes()
    assert len(delta) == d.size and d.size < 0.5 * entry.size
    files = read_zip_files(delta)
    doc = json.loads(files["delta.json"])
    photos = [n for n in doc["files"] if n.startswith("media/contrib/")]
    assert len(photos) == 5 and {"pois.geojson", "manifest.json"} <= set(doc["files"])
    assert "streets.geojson" not in doc["files"] and "basemap.geojson" not in doc["files"]
    rebuilt = apply_delta(v1.path.read_bytes(), delta)
    assert rebuilt == v2.path.read_bytes()
    print(f"\nMonaco +5 POIs with photos: full zip {entry.size} B, delta {d.size} B "
          f"({100 * d.size / entry.size:.1f} %), saved {entry.size - d.size} B")


def test_delta_on_another_base_is_refused(monaco_versions):
    d = monaco_versions["v2"].entry.deltas[0]
    delta = (monaco_versions["pub"] / d.file).read_bytes()
    with pytest.raises(DeltaMismatch, match="made for the base"):
        apply_delta(monaco_versions["v2"].path.read_bytes(), delta)


def test_delta_whose_files_were_altered_is_refused(monaco_versions):
    v1 = monaco_versions["v1"]
    d = monaco_versions["v2"].entry.deltas[0]
    files = read_zip_files((monaco_versions["pub"] / d.file).read_bytes())
    files["files/pois.geojson"] = files["files/pois.geojson"].replace(b"Fontaine", b"Fontainf", 1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    with pytest.raises(DeltaMismatch, match="differ from its own list"):
        apply_delta(v1.path.read_bytes(), buf.getvalue())
    with pytest.raises(DeltaMismatch, match="not a readable zip"):
        apply_delta(v1.path.read_bytes(), b"PK not a zip")


def test_rebuilt_zip_that_differs_is_refused(tmp_path):
    """Same files, another zip writer (e.g. another zlib): the SHA-256 differs, the delta is refused."""
    base = load_pack(PERIGUEUX)
    save_pack(base, tmp_path / "v1.zip")
    v2 = load_pack(PERIGUEUX)
    v2.manifest = v2.manifest.model_copy(update={"version": 2})
    save_pack(v2, tmp_path / "v2.zip")
    target = (tmp_path / "v2.zip").read_bytes()
    odd = io.BytesIO()
    with zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for n, data in sorted(read_zip_files(target).items()):
            zf.writestr(zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0)), data)
    delta = make_delta((tmp_path / "v1.zip").read_bytes(), odd.getvalue(), town_id="perigueux",
                       base_version=1, target_version=2)
    with pytest.raises(DeltaMismatch, match="is not the published one"):
        apply_delta((tmp_path / "v1.zip").read_bytes(), delta)
    assert apply_delta((tmp_path / "v1.zip").read_bytes(),
                       make_delta((tmp_path / "v1.zip").read_bytes(), target, town_id="perigueux",
                                  base_version=1, target_version=2)) == target


def _phone_with_v1(monaco_versions, tmp_path):
    dest = tmp_path / "phone"
    dest.mkdir()
    (dest / "monaco.zip").write_bytes(monaco_versions["v1"].path.read_bytes())
    return dest


def test_install_uses_the_delta_over_http(monaco_versions, tmp_path):
    pub, v2 = monaco_versions["pub"], monaco_versions["v2"]
    dest = _phone_with_v1(monaco_versions, tmp_path)
    with PackServer(pub) as srv:
        res = inst.install_result(srv.url + "index.json", "monaco", dest, session=_session())
    assert res.method == "delta" and res.downloaded == v2.entry.deltas[0].size and res.fallback is None
    assert (dest / "monaco.zip").read_bytes() == v2.path.read_bytes()
    pack = load_pack(dest / "monaco.zip")
    assert all(pack.poi(f"hk:{s.uuid}") for s in monaco_versions["subs"])
    assert not list(dest.glob("*.part"))


def test_corrupt_delta_falls_back_to_the_full_zip(monaco_versions, tmp_path):
    pub, v2 = monaco_versions["pub"], monaco_versions["v2"]
    dest = _phone_with_v1(monaco_versions, tmp_path)
    with PackServer(pub) as srv:
        srv.faults.corrupt = 1  # the first zip served (the delta) has a flipped byte
        res = inst.install_result(srv.url + "index.json", "monaco", dest, session=_session())
    assert res.method == "full" and "SHA-256" in res.fallback
    assert (dest / "monaco.zip").read_bytes() == v2.path.read_bytes() and validate_pack(dest / "monaco.zip").ok


def test_delta_mismatch_after_apply_falls_back(monaco_versions, tmp_path):
    """The index lists a delta whose result is not the published zip (a publisher bug): full download."""
    pub = tmp_path / "pub"
    pub.mkdir()
    for p in monaco_versions["pub"].iterdir():
        (pub / p.name).write_bytes(p.read_bytes())
    index = json.loads((pub / "index.json").read_text())
    d = index["towns"][0]["deltas"][0]
    files = read_zip_files((pub / d["file"]).read_bytes())
    doc = json.loads(files["delta.json"])
    doc["target_sha256"] = "1" * 64
    files["delta.json"] = json.dumps(doc).encode()
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as zf:
        for n, data in files.items():
            zf.writestr(n, data)
    (pub / d["file"]).write_bytes(bad.getvalue())
    import hashlib

    d["size"], d["sha256"] = len(bad.getvalue()), hashlib.sha256(bad.getvalue()).hexdigest()
    (pub / "index.json").write_text(json.dumps(index))
    dest = _phone_with_v1(monaco_versions, tmp_path)
    with PackServer(pub) as srv:
        res = inst.install_result(srv.url + "index.json", "monaco", dest, session=_session())
    assert res.method == "full" and "is not the published one" in res.fallback
    assert (dest / "monaco.zip").read_bytes() == monaco_versions["v2"].path.read_bytes()


def test_no_delta_when_disabled_or_first_version(tmp_path):
    pub = tmp_path / "pub"
    assert publish_pack(PERIGUEUX, pub).entry.deltas == []
    v2 = load_pack(PERIGUEUX)
    v2.manifest = v2.manifest.model_copy(update={"version": 2})
    save_pack(v2, tmp_path / "v2.zip")
    assert publish_pack(tmp_path / "v2.zip", pub, deltas_enabled=False).entry.deltas == []
    cat = parse_catalogue((pub / "index.json").read_bytes())
    assert entry_for(cat, "perigueux").deltas == [] and not list(pub.glob("*.delta.zip"))
