"""Submission validation: one bilingual message per field, on the real Périgueux pack."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contrib_support import new_poi_doc
from heritage_kit.errors import SubmissionError
from heritage_kit.submissions import Message, Submission, parse_submission, validate_submission
from heritage_kit.submissions.messages import CATALOGUE


def test_a_good_new_entry_passes_with_the_pack(pack):
    assert validate_submission(new_poi_doc(), pack=pack) == {}


def test_consent_is_required_with_french_and_english_messages(pack):
    doc = new_poi_doc()
    doc["consent"] = False
    errors = validate_submission(doc, pack=pack)
    assert list(errors) == ["consent"]
    m = errors["consent"]
    assert m.code == "consent_required"
    assert "CC BY-SA 4.0" in m.fr and "CC BY-SA 4.0" in m.en and m.fr != m.en
    assert m.get("fr") == m.fr and m.get("en-GB") == m.en


def test_every_catalogue_entry_has_both_languages():
    for code, (fr, en) in CATALOGUE.items():
        assert fr.strip() and en.strip() and fr != en, code


def test_location_must_be_in_the_town_with_a_small_margin(pack):
    bbox = pack.manifest.bbox
    far = new_poi_doc(lat=48.8566, lon=2.3522)  # Paris
    errors = validate_submission(far, pack=pack)
    assert errors["proposal.location"].code == "outside_town"
    assert "Périgueux" in errors["proposal.location"].fr
    just_outside = new_poi_doc(lat=bbox.north + 0.0009, lon=bbox.east)  # ~100 m north of the bbox
    assert validate_submission(just_outside, pack=pack) == {}
    well_outside = new_poi_doc(lat=bbox.north + 0.01, lon=bbox.east)  # ~1.1 km north
    assert "proposal.location" in validate_submission(well_outside, pack=pack)


@pytest.mark.parametrize("text", ["<b>Lavoir</b>", "Lavoir <script>alert(1)</script>", "<img src=x onerror=y>",
                                  "</p>"])
def test_markup_is_refused_everywhere(text, pack):
    doc = new_poi_doc(name=text)
    doc["proposal"]["description"] = {"fr": "Bien", "en": text}
    doc["contributor"] = text
    errors = validate_submission(doc, pack=pack)
    assert errors["proposal.name.fr"].code == "markup"
    assert errors["proposal.description.en"].code == "markup"
    assert errors["contributor"].code == "markup"


def test_plain_text_with_angle_brackets_in_prose_is_fine(pack):
    doc = new_poi_doc(name="Maison 3 < 5 étages")
    doc["proposal"]["description"] = {"fr": "Première ligne\nDeuxième ligne\tavec tabulation."}
    assert validate_submission(doc, pack=pack) == {}


def test_control_characters_are_refused(pack):
    doc = new_poi_doc(name="Lavoir\x00")
    doc["proposal"]["description"] = {"fr": "abc\u2028def"}
    errors = validate_submission(doc, pack=pack)
    assert errors["proposal.name.fr"].code == "control_chars"
    assert errors["proposal.description.fr"].code == "control_chars"
    doc["proposal"]["description"] = {"fr": "abc\u202edef"}  # a bidi override: its own message (issue 15 item 5)
    assert validate_submission(doc, pack=pack)["proposal.description.fr"].code == "bidi_controls"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,hi", "//evil.example",
                                 "http://", "https://exa mple.org"])
def test_only_http_urls(url, pack):
    doc = new_poi_doc()
    doc["proposal"]["sources"] = [{"name": "x", "url": url}]
    assert validate_submission(doc, pack=pack)["proposal.sources.0.url"].code == "url_scheme"


def test_text_lengths_are_capped_with_the_limit_in_the_message(pack):
    doc = new_poi_doc(name="L" * 201)
    doc["contributor"] = "A"
    errors = validate_submission(doc, pack=pack)
    assert errors["proposal.name.fr"].code == "too_long" and "200" in errors["proposal.name.fr"].en
    assert errors["contributor"].code == "too_short"
    huge = new_poi_doc(name="L" * 30_000)
    assert validate_submission(huge)["proposal.name.fr"].code == "too_long"


def test_edit_and_photo_rules(pack):
    edit = {"kind": "edit", "contributor": "Jean", "consent": True, "proposal": {"dates": "1173"}}
    assert validate_submission(edit, pack=pack)["target"].code == "target_required"
    edit["target"] = "merimee:PA99999999"
    assert validate_submission(edit, pack=pack)["target"].code == "unknown_target"
    edit["target"] = "merimee:PA00082725"
    assert validate_submission(edit, pack=pack) == {}
    empty = {**edit, "proposal": {}}
    assert validate_submission(empty, pack=pack)["proposal"].code == "nothing_proposed"
    photo = {"kind": "photo", "target": "merimee:PA00082725", "contributor": "Jean", "consent": True}
    assert validate_submission(photo, pack=pack)["photos"].code == "photo_required"
    new_with_target = {**new_poi_doc(), "target": "merimee:PA00082725"}
    assert validate_submission(new_with_target, pack=pack)["target"].code == "target_forbidden"


def test_structural_errors_are_named_by_field():
    doc = new_poi_doc()
    doc["uuid"] = "not-a-uuid"
    doc["licence"] = "CC0"
    doc["proposal"]["colour"] = "red"
    doc["proposal"]["category"] = "spaceport"
    errors = validate_submission(doc)
    assert errors["uuid"].code == "invalid_uuid"
    assert errors["licence"].code == "licence"
    assert errors["proposal.colour"].code == "unknown_field"
    assert validate_submission({**new_poi_doc(), "proposal": {**new_poi_doc()["proposal"], "category": "spaceport"}}
                               )["proposal.category"].code == "unknown_category"
    assert validate_submission({"kind": "new_poi"})["contributor"].code == "required"
    assert validate_submission(["not", "a", "dict"])["submission"].code == "invalid"


def test_naive_creation_time_is_refused():
    doc = new_poi_doc()
    doc["created"] = "2026-11-20T10:00:00"
    assert "created" in validate_submission(doc)


def test_parse_submission_raises_with_every_field():
    doc = new_poi_doc(name="<i>x</i>")
    doc["consent"] = False
    with pytest.raises(SubmissionError) as info:
        parse_submission(doc)
    assert set(info.value.errors) == {"consent", "proposal.name.fr"}
    assert isinstance(info.value.messages["consent"], Message)
    assert isinstance(info.value, ValueError)


def test_device_token_never_serialised():
    sub = Submission.model_validate({**new_poi_doc(), "device_token": "secret-token-0123456789"})
    assert sub.device_token == "secret-token-0123456789"
    assert "device_token" not in sub.wire() and "secret" not in sub.model_dump_json()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.fixed_dictionaries({}, optional={
        "uuid": st.one_of(st.uuids().map(str), st.text(max_size=40)),
        "kind": st.sampled_from(["new_poi", "edit", "photo", "other"]),
        "target": st.one_of(st.none(), st.text(max_size=30), st.just("merimee:PA00082725")),
        "contributor": st.text(max_size=80),
        "consent": st.one_of(st.booleans(), json_values),
        "proposal": st.one_of(json_values, st.fixed_dictionaries({}, optional={
            "name": st.dictionaries(st.sampled_from(["fr", "en", "xx-1", "F"]), st.text(max_size=50), max_size=3),
            "location": st.fixed_dictionaries({"lat": st.floats(), "lon": st.floats()}),
            "sources": st.lists(st.fixed_dictionaries({"name": st.text(max_size=20),
                                                       "url": st.one_of(st.none(), st.text(max_size=30))}),
                                max_size=3),
            "category": st.text(max_size=15),
        })),
        "created": st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=20)),
        "photos": json_values,
    }),
    extra=st.dictionaries(st.text(max_size=8), json_values, max_size=2),
)
def test_validation_never_raises_on_any_input(pack, base, extra):
    doc = {**extra, **base}
    errors = validate_submission(doc, pack=pack)
    assert all(isinstance(k, str) and isinstance(v, Message) for k, v in errors.items())
    if not errors:  # then the strict parser agrees and the model round-trips
        sub = parse_submission(doc, pack=pack)
        assert Submission.model_validate(sub.wire()) == sub.model_copy(update={"device_token": None})
        assert isinstance(sub.uuid, uuid.UUID)


def test_a_form_can_be_checked_before_its_photos_are_attached(pack):
    photo = {"kind": "photo", "target": "merimee:PA00082725", "contributor": "Jean", "consent": True}
    assert validate_submission(photo, pack=pack, photo_count=1) == {}
    assert validate_submission(photo, pack=pack, photo_count=0)["photos"].code == "photo_required"
    assert validate_submission(photo, pack=pack, photo_count=6)["photos"].code == "too_many"
