#!/usr/bin/env bash
# The quickstart of docs/guide.md, "Your town's pack", as a script: Chartres from the Mérimée open data.
# Run from anywhere:  bash docs/tutorial/chartres.sh [WORK_FOLDER]
# HK is the command (default: heritage-kit; the tests use "python -m heritage_kit").
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
HK="${HK:-heritage-kit}"
WORK="${1:-$(mktemp -d)}"
mkdir -p "$WORK/chartres"
cd "$WORK"

# 1. The data: the protected monuments within 1.5 km of the cathedral (base Mérimée, Licence Ouverte 2.0).
cp "$REPO/data/raw/merimee/mh-chartres-1500m.geojson" chartres/monuments.geojson

# 2. The recipe. Relative paths are read from the recipe's folder, whatever folder you build from.
cat > chartres/build.json <<'JSON'
{
  "town_id": "chartres",
  "town_name": "Chartres",
  "timezone": "Europe/Paris",
  "country": "FR",
  "languages": ["fr", "en"],
  "description": {"fr": "Les monuments historiques du centre", "en": "The protected monuments of the centre"},
  "created": "2026-07-21T00:00:00Z",
  "sources": [{"type": "merimee", "path": "monuments.geojson"}],
  "poi_overrides": {
    "merimee:PA00096993": {
      "name": {"fr": "Cathédrale Notre-Dame", "en": "Chartres Cathedral (Notre-Dame)"},
      "description": {"fr": "Cathédrale gothique célèbre pour ses vitraux.", "en": "Gothic cathedral famous for its stained glass."}
    }
  },
  "trails": [
    {"id": "cathedrale", "title": {"fr": "Autour de la cathédrale", "en": "Around the cathedral"},
     "description": {"fr": "La cathédrale et l'ancien évêché.", "en": "The cathedral and the former bishop's palace."},
     "stops": ["merimee:PA00096993", "merimee:PA00097000"], "tags": ["heritage"]}
  ],
  "attributions": [{"text": "Ministère de la Culture – base Mérimée", "licence": "Licence Ouverte 2.0"}]
}
JSON

# 3. Build, check, look.
$HK pack build --config chartres/build.json --out packs/chartres
$HK pack validate packs/chartres
$HK pack info packs/chartres
$HK hours scan packs/chartres

# 4. A 60-minute walk from the station, as GPX, replayed through the geofences.
$HK trail plan packs/chartres --start 48.44787,1.48147 --minutes 60 --at 2026-07-18T10:00 --gpx walk.gpx
$HK walk replay packs/chartres walk.gpx

# 5. A hand edit of pois.geojson, then `pack rehash` to accept it (validated first).
python3 - packs/chartres/pois.geojson <<'PY'
import json, sys
path = sys.argv[1]
fc = json.load(open(path, encoding="utf-8"))
for f in fc["features"]:
    if f["id"] == "merimee:PA00097019":
        f["properties"]["name"]["en"] = "Municipal theatre"
json.dump(fc, open(path, "w", encoding="utf-8"), ensure_ascii=False)
PY
$HK pack rehash packs/chartres --bump
$HK pack validate packs/chartres
echo "done: $WORK/packs/chartres"
