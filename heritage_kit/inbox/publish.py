"""Publishing: approved submissions become the next version of the town's pack.

:func:`build_next_pack` is pure (pack + approved submissions + their photos →
new pack); :func:`publish` is the adapter that reads the storage, writes the
pack with :func:`heritage_kit.packs.save_pack` and records what was published.

Each contribution is credited where it lands: a new POI gets the id
``hk:<uuid>`` and a source "Contribution de <pseudonym> (CC BY-SA 4.0)"; an
edit adds the same credit to the POI's sources; photos are media whose author is
the pseudonym, under CC BY-SA 4.0. The manifest gains the CC BY-SA 4.0
attribution for residents' contributions and its version increases by one.
:func:`publish` also applies the town's verified merchants' edits
(:func:`heritage_kit.inbox.merchants.publish_merchant_edits`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from heritage_kit.export.audio import drop_stale_audio
from heritage_kit.categories import CATEGORIES
from heritage_kit.errors import PackError
from heritage_kit.inbox.storage import Storage, StoredSubmission
from heritage_kit.models import POI, Attribution, HeritageFacts, Media, Source
from heritage_kit.packs import ContentPack, load_pack, save_pack
from heritage_kit.submissions.model import SUBMISSION_LICENCE, SUBMISSION_LICENCE_URL

__all__ = ["PublishResult", "build_next_pack", "publish", "CONTRIBUTIONS_ATTRIBUTION", "credit_source"]

CONTRIBUTIONS_ATTRIBUTION = Attribution(
    text="Contributions des habitants / residents' contributions (credited on each entry)",
    licence=SUBMISSION_LICENCE,
    url=SUBMISSION_LICENCE_URL,
)


@dataclass
class PublishResult:
    pack: ContentPack
    applied: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # uuid -> why
    out: str | None = None
    stale_audio: list[tuple[str, str]] = field(default_factory=list)  # (POI id, lang) whose synthesised audio went
    merchant_pois: list[str] = field(default_factory=list)  # POIs changed by verified merchants' edits (issue 20)


def credit_source(pseudonym: str, uuid: str) -> Source:
    """The credit line a contribution leaves on the POI it creates or changes."""
    return Source(
        name=f"Contribution de {pseudonym}",
        licence=SUBMISSION_LICENCE,
        attribution=f"{pseudonym} ({SUBMISSION_LICENCE}), contribution {uuid[:8]}",
    )


def _media(st: StoredSubmission, photos: Sequence[bytes]) -> tuple[list[Media], dict[str, bytes]]:
    media, files = [], {}
    for i, data in enumerate(photos):
        path = f"media/contrib/{st.uuid}-{i}.jpg"
        files[path] = data
        media.append(Media(type="image", path=path, author=st.submission.contributor, licence=SUBMISSION_LICENCE))
    return media, files


def _sources(st: StoredSubmission) -> list[Source]:
    out = [Source(name=s.name, url=s.url) for s in st.submission.proposal.sources]
    return out + [credit_source(st.submission.contributor, st.uuid)]


def _new_poi(st: StoredSubmission, photos: Sequence[bytes], now: datetime) -> tuple[POI, dict[str, bytes]]:
    p = st.submission.proposal
    cat = p.category or "heritage_other"
    kind = CATEGORIES[cat].kind
    media, files = _media(st, photos)
    data: dict[str, Any] = {
        "id": f"hk:{st.uuid}",
        "kind": kind,
        "categories": [cat],
        "name": {k: v.strip() for k, v in (p.name or {}).items() if v.strip()},
        "location": p.location.model_dump(),
        "media": [m.model_dump() for m in media],
        "sources": [s.model_dump() for s in _sources(st)],
        "updated": now,
    }
    if p.description and any(v.strip() for v in p.description.values()):
        data["description"] = {k: v.strip() for k, v in p.description.items() if v.strip()}
        data["text_origin"] = "human"
    if p.dates:
        data["heritage"] = {"dates": p.dates.strip()}
    return POI.model_validate(data), files


def _edited_poi(poi: POI, st: StoredSubmission, photos: Sequence[bytes], now: datetime) -> tuple[POI, dict[str, bytes]]:
    p = st.submission.proposal
    data = poi.model_dump()
    if p.name:
        data["name"] = {**poi.name.root, **{k: v.strip() for k, v in p.name.items() if v.strip()}}
    if p.description and any(v.strip() for v in p.description.values()):
        # a person's text replaces a composed one whole (never a mix of both); it completes a human one
        old = poi.description.root if poi.description and poi.text_origin != "composed" else {}
        data["description"] = {**old, **{k: v.strip() for k, v in p.description.items() if v.strip()}}
        data["text_origin"] = "human"
    if p.category:
        data["categories"] = ([p.category] + [c for c in poi.categories if c != p.category])[:10]
    if p.location is not None:
        data["location"] = p.location.model_dump()
    if p.opening_hours:
        data["opening_hours"] = p.opening_hours.strip()
    if p.dates:
        facts = poi.heritage.model_dump() if poi.heritage else HeritageFacts().model_dump()
        data["heritage"] = {**facts, "dates": p.dates.strip()}
    media, files = _media(st, photos)
    have_paths = {m["path"] for m in data["media"]}
    data["media"] = data["media"] + [m.model_dump() for m in media if m.path not in have_paths]
    credit = _sources(st) if st.submission.kind == "edit" else [credit_source(st.submission.contributor, st.uuid)]
    # applying the same contribution again (a re-publish) adds nothing twice
    data["sources"] = (data["sources"] + [s.model_dump() for s in credit if s.model_dump() not in data["sources"]])[-50:]
    data["updated"] = now
    return POI.model_validate(data), files


def build_next_pack(
    pack: ContentPack,
    approved: Sequence[StoredSubmission],
    photos: Callable[[str], Sequence[bytes]],
    *,
    now: datetime | None = None,
) -> PublishResult:
    """The next version of ``pack`` with ``approved`` submissions applied (pure).

    ``photos(uuid)`` gives a submission's sanitised JPEG bytes. Submissions whose
    target POI is gone are skipped with the reason. Applying the same new-POI
    submission twice replaces it (idempotent).
    """
    now = now or datetime.now(timezone.utc)
    pois: dict[str, POI] = {p.id: p for p in pack.pois}
    media = dict(pack.media)
    result = PublishResult(pack=pack)
    for st in approved:
        sub = st.submission
        try:
            if sub.kind == "new_poi":
                poi, files = _new_poi(st, photos(st.uuid), now)
            else:
                target = pois.get(sub.target or "")
                if target is None:
                    result.skipped[st.uuid] = f"target POI {sub.target!r} is not in the pack"
                    continue
                poi, files = _edited_poi(target, st, photos(st.uuid), now)
        except (ValueError, KeyError) as exc:  # pydantic ValidationError is a ValueError
            result.skipped[st.uuid] = f"cannot be applied: {exc}"
            continue
        pois[poi.id] = poi
        media.update(files)
        result.applied.append(st.uuid)
    m = pack.manifest
    attributions = list(m.attributions)
    if result.applied and CONTRIBUTIONS_ATTRIBUTION not in attributions:
        attributions.append(CONTRIBUTIONS_ATTRIBUTION)
    langs = sorted(set(m.languages) | {lang for p in pois.values() for lang in p.name.languages})
    manifest = m.model_copy(update={
        "version": m.version + 1,
        "created": now,
        "attributions": attributions,
        "languages": langs,
        "files": {},
    })
    result.pack = ContentPack(manifest, list(pois.values()), pack.trails, streets=pack.streets, media=media,
                              build=getattr(pack, "build", None), basemap=getattr(pack, "basemap", None),
                              events=getattr(pack, "events", None))
    # an accepted edit makes the text's synthesised audio stale: drop it (the phone's own voice reads the new text)
    result.pack, result.stale_audio = drop_stale_audio(result.pack)
    return result


def publish(
    storage: Storage,
    pack: ContentPack | str | os.PathLike,
    out: str | os.PathLike,
    *,
    actor: str = "publish",
    now: datetime | None = None,
    include_published: bool = False,
    write_empty: bool = False,
    towns: Sequence[str] | None = None,
    lock: bool = False,
    overwrite: bool = False,
) -> PublishResult:
    """Write the next pack version to ``out`` and record which submissions it carries.

    By default only approved submissions not yet published are applied (the
    source pack already carries the others). ``include_published=True``
    re-applies every approved one — for a pack rebuilt from its sources
    (``pack build``), which no longer holds the residents' entries; applying
    twice is idempotent. Refuses to overwrite the source pack itself.
    Submissions are marked published only after the pack is written. When
    nothing is to be applied, nothing is written (``result.out`` is None)
    unless ``write_empty``. ``towns`` limits the submissions to those towns; by default (None) only the pack's
    own town's (an inbox of several towns publishes each town's pack from its own submissions only: another
    town's approved entries are neither applied to this pack nor marked published). With ``lock`` the town's publish lock is held
    throughout (:func:`heritage_kit.inbox.publish_lock.hold`: :class:`~heritage_kit.errors.PublishLocked` when
    another publish of the town is under way); the desk holds it itself, around more than this. An ``out`` that
    already exists (an earlier version's zip, say) is refused unless ``overwrite``: nothing is built or marked.
    """
    if not isinstance(pack, ContentPack):
        if os.path.abspath(os.fspath(pack)) == os.path.abspath(os.fspath(out)):
            raise PackError(f"--out {out} is the source pack; write the new version elsewhere")
        pack = load_pack(pack)
    if os.path.exists(os.fspath(out)) and not overwrite:
        raise PackError(f"--out {out} already exists; choose a new name (or --overwrite to replace it)")
    if lock:
        from heritage_kit.inbox.publish_lock import hold

        with hold(storage, pack.manifest.town_id, actor=actor, town_name=pack.manifest.town_name):
            return publish(storage, pack, out, actor=actor, now=now, include_published=include_published,
                           write_empty=write_empty, towns=towns, overwrite=overwrite)
    if towns is None:
        towns = (pack.manifest.town_id,)
    approved = storage.approved(include_published=include_published, towns=towns)
    result = build_next_pack(pack, approved, lambda u: [p.data for p in storage.photos(u)], now=now)
    from heritage_kit.inbox.merchants import mark_merchant_edits, publish_merchant_edits  # merchants (issue 20)

    merchant_edits = publish_merchant_edits(storage, result, now=now, include_published=include_published)
    if not result.applied and not merchant_edits and not write_empty:
        return result
    save_pack(result.pack, out)
    storage.mark_published(result.applied, result.pack.manifest.version, actor=actor, at=now)
    mark_merchant_edits(storage, merchant_edits, result.pack.manifest.version)
    result.out = os.fspath(out)
    return result
