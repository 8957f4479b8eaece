"""Compare heritage_kit.hours with opening_hours.js on every bundled opening_hours value.

Not a test (Node.js and opening_hours.js are not project dependencies). Needs ``node`` and
``npm install opening_hours@3`` in a folder given as the first argument (default /tmp/ohjs):

    mkdir -p /tmp/ohjs && (cd /tmp/ohjs && npm install opening_hours@3)
    python scripts/compare_opening_hours_js.py /tmp/ohjs

Every non-empty value of content/*/pois.geojson and of the Niort sample is evaluated every 30 minutes over the week
of 13-19 July 2026 (14 July is a public holiday) by both; the values whose states differ are printed, with the
first instant that differs. Values opening_hours.js rejects (French-style values repaired here) are counted.
Result on 2026-12-06: see the heritage_kit.hours_repair docstring.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from datetime import datetime, timedelta

from heritage_kit.hours import OpeningHours

ROOT = pathlib.Path(__file__).resolve().parents[1]
JS = """
const OH = require('opening_hours'); const d = require(process.argv[2]); const out = {};
const nom = {lat: 45.566, lon: 5.93, address: {country_code: 'fr', state: 'Auvergne-Rhône-Alpes'}};
for (const v of d.vals) { try { const oh = new OH(v, nom); out[v] = d.times.map(t => oh.getStateString(new Date(t))); }
  catch (e) { out[v] = null; } }
console.log(JSON.stringify(out));
"""


def values() -> list[str]:
    found: set[str] = set()

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "opening_hours" and isinstance(v, str):
                    found.add(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for x in o:
                walk(x)

    files = sorted(ROOT.glob("content/*/pois.geojson")) + sorted((ROOT / "data/raw/osm/niort-2019").glob("*json"))
    for path in files:
        walk(json.loads(path.read_text(encoding="utf-8")))
    return sorted(v for v in found if v.strip())


def main(folder: str = "/tmp/ohjs") -> int:
    vals = values()
    times = [datetime(2026, 7, 13) + timedelta(minutes=30 * i) for i in range(48 * 7)]
    work = pathlib.Path(folder)
    (work / "hk_in.json").write_text(json.dumps({"vals": vals, "times": [t.isoformat() for t in times]}))
    (work / "hk_run.js").write_text(JS)
    run = subprocess.run(["node", "hk_run.js", str(work / "hk_in.json")], cwd=work, capture_output=True, text=True,
                         env={"TZ": "Europe/Paris", "PATH": "/usr/bin:/usr/local/bin"}, check=True)
    theirs_all = json.loads(run.stdout)
    names = {"open": "open", "close": "closed", "unknown": "unknown"}
    same = differ = rejected = 0
    for v in vals:
        if theirs_all[v] is None:
            rejected += 1
            continue
        oh = OpeningHours(v)
        diff = [(t, oh.state(t).value, names[s]) for t, s in zip(times, theirs_all[v]) if oh.state(t).value != names[s]]
        if diff:
            differ += 1
            print(f"differs: {v!r} read as {oh.value!r}; first at {diff[0][0]}: ours {diff[0][1]}, js {diff[0][2]}")
        else:
            same += 1
    print(f"{len(vals)} values: {same} same at all {len(times)} instants, {differ} differ, "
          f"{rejected} rejected by opening_hours.js")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
