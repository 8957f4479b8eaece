"""Helpers for the pack-distribution and Towns tests: a Monaco pack with residents' contributions."""

from __future__ import annotations

import io
import random
import uuid as _uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MONACO = ROOT / "content" / "monaco"
PERIGUEUX = ROOT / "content" / "perigueux"


def photo_jpeg(seed: int, size=(1600, 1200)) -> bytes:
    """A phone-like photo: textured (blurred noise over a gradient), sanitised like the inbox does."""
    from PIL import Image, ImageFilter

    from heritage_kit.submissions.photos import sanitise_photo

    rng = random.Random(seed)
    noise = Image.effect_noise(size, 60 + rng.random() * 30).convert("RGB")
    grad = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, tuple(rng.randrange(60, 200) for _ in range(3)))
    im = Image.blend(Image.blend(grad, tint, 0.5), noise.filter(ImageFilter.GaussianBlur(1.2)), 0.35)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=92)
    return sanitise_photo(out.getvalue()).data


def stored(sub, *, status: str = "approved"):
    from heritage_kit.inbox.storage import StoredSubmission

    return StoredSubmission(uuid=str(sub.uuid), status=status, submission=sub, token_hash="t", content_hash="c",
                            duplicate_hints=[], message=None, edits=None, created="2026-12-01T10:00:00+00:00",
                            updated="2026-12-01T10:00:00+00:00", published_version=None, photo_count=1)


def new_poi_submission(i: int, *, centre=(43.7335, 7.4215)):
    from heritage_kit.submissions import Submission

    return Submission.model_validate({
        "uuid": str(_uuid.UUID(int=0x5EED0000 + i)),
        "kind": "new_poi",
        "proposal": {
            "name": {"fr": f"Fontaine du quartier n° {i + 1}"},
            "description": {"fr": "Petite fontaine de quartier, restaurée par les habitants."},
            "category": "fountain",
            "location": {"lat": centre[0] + 0.0007 * (i + 1), "lon": centre[1] - 0.0006 * (i + 1)},
        },
        "contributor": f"Habitant {i + 1}",
        "consent": True,
        "created": "2026-12-01T10:00:00+00:00",
    })


def with_contributions(pack, n: int = 5):
    """``pack``'s next version with ``n`` new POIs, each with one photo (``inbox.publish.build_next_pack``)."""
    from datetime import datetime, timezone

    from heritage_kit.inbox.publish import build_next_pack

    subs = [new_poi_submission(i, centre=(pack.manifest.centre.lat, pack.manifest.centre.lon)) for i in range(n)]
    photos = {str(s.uuid): [photo_jpeg(i)] for i, s in enumerate(subs)}
    result = build_next_pack(pack, [stored(s) for s in subs], lambda u: photos[u],
                             now=datetime(2026, 12, 2, tzinfo=timezone.utc))
    assert len(result.applied) == n
    return result.pack, subs
