"""Pack authenticity: an Ed25519 signature of ``manifest.json`` (PyNaCl), kept beside it as ``manifest.sig``.

The manifest lists the SHA-256 and size of every other file, so signing its exact bytes signs the whole pack:
whoever can write a pack can recompute the checksums, but not the signature without the town's private key.

* ``generate_keypair()`` — a new (private, public) pair as hex text (``heritage-kit pack keygen``);
* ``sign_pack(path, private_key)`` — writes ``manifest.sig`` into a pack folder (``heritage-kit pack sign``);
* ``verify_manifest(manifest, signature, public_key)`` — raises :class:`~heritage_kit.errors.PackSignatureError`.

The loader (``load_pack(path, public_key=…)`` / ``validate_pack``) verifies when a town public key is
configured; with none, unsigned packs are accepted (and a signature is not checked).
"""

from __future__ import annotations

import os
from pathlib import Path

from heritage_kit.errors import PackSignatureError

__all__ = ["SIGNATURE", "generate_keypair", "sign_manifest", "sign_pack", "verify_manifest", "public_key_of"]

SIGNATURE = "manifest.sig"


def _nacl():
    try:
        from nacl import exceptions, signing
    except ImportError as exc:  # pragma: no cover - PyNaCl is a core dependency
        raise PackSignatureError("pack signatures need PyNaCl (pip install pynacl)") from exc
    return signing, exceptions


def _key_bytes(text: str | bytes, what: str) -> bytes:
    raw = text.decode("ascii", "replace") if isinstance(text, bytes) else str(text)
    try:
        key = bytes.fromhex(raw.strip())
    except ValueError:
        raise PackSignatureError(f"{what} is not hex text") from None
    if len(key) != 32:
        raise PackSignatureError(f"{what} must be 32 bytes (64 hex characters), not {len(key)}")
    return key


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair ``(private_hex, public_hex)``; keep the private one secret."""
    signing, _ = _nacl()
    sk = signing.SigningKey.generate()
    return sk.encode().hex(), sk.verify_key.encode().hex()


def public_key_of(private_key: str) -> str:
    signing, _ = _nacl()
    return signing.SigningKey(_key_bytes(private_key, "private key")).verify_key.encode().hex()


def sign_manifest(manifest: bytes, private_key: str) -> str:
    """The hex Ed25519 signature of the exact bytes of ``manifest.json``."""
    signing, _ = _nacl()
    return signing.SigningKey(_key_bytes(private_key, "private key")).sign(manifest).signature.hex()


def sign_pack(path: str | os.PathLike, private_key: str) -> Path:
    """Write ``manifest.sig`` into the pack folder ``path``; its path."""
    root = Path(path)
    if not root.is_dir():
        raise PackSignatureError(f"{root}: sign a pack folder (zip it afterwards)")
    out = root / SIGNATURE
    out.write_text(sign_manifest((root / "manifest.json").read_bytes(), private_key) + "\n", encoding="ascii")
    return out


def verify_manifest(manifest: bytes, signature: bytes | str | None, public_key: str) -> None:
    """Check ``signature`` (``manifest.sig``'s content) of ``manifest`` against the town's ``public_key``."""
    signing, exceptions = _nacl()
    if signature is None:
        raise PackSignatureError("the pack is not signed (no manifest.sig) but this town requires a signature")
    text = signature.decode("ascii", "replace") if isinstance(signature, bytes) else signature
    try:
        sig = bytes.fromhex(text.strip())
    except ValueError:
        raise PackSignatureError("manifest.sig is not a hex signature") from None
    try:
        signing.VerifyKey(_key_bytes(public_key, "town public key")).verify(manifest, sig)
    except (exceptions.BadSignatureError, ValueError, TypeError):
        raise PackSignatureError("manifest.sig does not match: the pack was altered or signed with another "
                                 "key than the town's") from None
