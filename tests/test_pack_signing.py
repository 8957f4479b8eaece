"""Pack authenticity (issue 15): an Ed25519 signature of the manifest, verified against the town's public key."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from heritage_kit.cli import main
from heritage_kit.errors import HeritageKitError, PackError, PackSignatureError
from heritage_kit.packs import load_pack, validate_pack
from heritage_kit.packs.signing import generate_keypair, sign_pack


@pytest.fixture
def signed(tmp_path, content_dir):
    root = tmp_path / "chambery"
    shutil.copytree(content_dir / "chambery", root)
    private, public = generate_keypair()
    sign_pack(root, private)
    return root, private, public


def test_a_signed_pack_loads_with_the_town_key(signed):
    root, _, public = signed
    assert load_pack(root, public_key=public).manifest.town_id
    assert load_pack(root).manifest.town_id  # no key configured: accepted as before
    assert validate_pack(root, public_key=public).ok


def test_a_tampered_manifest_is_refused(signed):
    root, _, public = signed
    m = json.loads((root / "manifest.json").read_text())
    m["town_name"] = "Ailleurs"
    (root / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PackSignatureError) as info:
        load_pack(root, public_key=public)
    assert isinstance(info.value, HeritageKitError) and "altered" in str(info.value)


def test_a_tampered_file_with_recomputed_checksums_is_refused(signed):
    root, _, public = signed
    pois = json.loads((root / "pois.geojson").read_text())
    pois["features"][0]["properties"]["name"] = {"fr": "Faux lieu"}
    data = json.dumps(pois).encode()
    (root / "pois.geojson").write_bytes(data)
    m = json.loads((root / "manifest.json").read_text())
    m["files"]["pois.geojson"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (root / "manifest.json").write_text(json.dumps(m, indent=1))
    assert load_pack(root).pois[0].name.get("fr") == "Faux lieu"  # checksums alone cannot tell
    with pytest.raises(PackSignatureError):
        load_pack(root, public_key=public)


def test_a_wrong_key_or_a_missing_signature_is_refused(signed):
    root, _, _ = signed
    _, other = generate_keypair()
    with pytest.raises(PackSignatureError, match="another key"):
        load_pack(root, public_key=other)
    (root / "manifest.sig").unlink()
    with pytest.raises(PackSignatureError, match="not signed"):
        load_pack(root, public_key=other)
    with pytest.raises(PackError):
        load_pack(root, public_key="not-hex")


def test_cli_keygen_sign_validate(tmp_path, content_dir, capsys):
    root = tmp_path / "p"
    shutil.copytree(content_dir / "chambery", root)
    key = tmp_path / "town.key"
    assert main(["pack", "keygen", "--out", str(key)]) == 0
    assert main(["pack", "sign", str(root), "--key", str(key)]) == 0
    assert main(["pack", "validate", str(root), "--public-key", str(tmp_path / "town.key.pub")]) == 0
    (root / "trails.json").write_text((root / "trails.json").read_text())  # untouched: still fine
    m = json.loads((root / "manifest.json").read_text())
    m["version"] = m["version"] + 1
    (root / "manifest.json").write_text(json.dumps(m, indent=1))
    assert main(["pack", "validate", str(root), "--public-key", str(tmp_path / "town.key.pub")]) != 0
    assert "manifest.sig" in capsys.readouterr().out
