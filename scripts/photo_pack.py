"""A copy of a pack with one accepted resident photo, made through the real inbox and publish (for the
"POI page with a photo" screenshots): python scripts/photo_pack.py PACK POI_ID OUT_DIR

The photo is tests/data/mobile/photo.jpg (drawn with Pillow for the tests, no third-party content); it is
credited as every contribution is, to its contributor under CC BY-SA 4.0. No bundled pack has a photo yet:
content/README.md says so.
"""
import os, sys, tempfile, uuid
sys.path.insert(0, os.getcwd())
from heritage_kit.inbox import InboxService, SqliteStorage, publish
from heritage_kit.packs import load_pack

pack_dir, poi_id, out = sys.argv[1:4]
pack = load_pack(pack_dir)
photo = os.path.join("tests", "data", "mobile", "photo.jpg")
storage = SqliteStorage(os.path.join(tempfile.mkdtemp(), "inbox.sqlite"))
svc = InboxService(storage, pack)
doc = {"kind": "photo", "uuid": str(uuid.uuid4()), "target": poi_id, "contributor": "heritage-kit tests",
       "consent": True}
with open(photo, "rb") as fh:
    svc.submit("device-token-screenshot-01", doc, [fh.read()])
svc.approve(doc["uuid"], actor="moderator:screenshot")
result = publish(storage, pack, out, actor="script:photo_pack")
storage.close()
print("published", result.applied, "->", result.out)
