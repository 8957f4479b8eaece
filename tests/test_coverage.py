"""Pack coverage: POIs with a text, a photo, hours (heritage_kit.packs.coverage and `pack info`)."""

from heritage_kit.cli.pack import format_info
from heritage_kit.packs.build import build_pack
from heritage_kit.packs.coverage import pack_coverage


def test_perigueux_every_monument_has_a_french_and_english_text(content_dir):
    pack = build_pack(content_dir / "perigueux" / "build.json").pack
    c = pack_coverage(pack).kinds["heritage"]
    assert (c.pois, c.text, c.text_all, c.human, c.composed) == (30, 30, 30, 3, 27)
    assert (c.photo, c.photo_ref, c.hours) == (0, 0, 0)
    info = format_info(pack)
    assert "heritage: 30 POIs; text 30 (fr+en 30; composed 27, human 3); photo 0 (+0 not yet fetched); hours 0" in info


def test_photos_references_and_hours_are_counted_apart(content_dir):
    pack = build_pack(content_dir / "perigueux" / "build.json").pack
    a, b, c = pack.pois[:3]
    photo = {"type": "image", "path": "media/a.jpg", "author": "Lou", "licence": "CC BY 4.0"}
    ref = {"type": "image", "url": "https://commons.wikimedia.org/wiki/File:B.jpg", "licence": "not yet checked",
           "pending": True}
    pack.pois[0] = a.model_copy(update={"media": [type(a).model_fields["media"].annotation.__args__[0](**photo)]})
    pack.pois[1] = b.model_copy(update={"media": [type(a).model_fields["media"].annotation.__args__[0](**ref)],
                                        "opening_hours": "Mo-Su 10:00-18:00"})
    pack.pois[2] = c.model_copy(update={"description": None, "text_origin": None})
    cov = pack_coverage(pack).kinds["heritage"]
    assert (cov.photo, cov.photo_ref, cov.hours, cov.text) == (1, 1, 1, 29)
