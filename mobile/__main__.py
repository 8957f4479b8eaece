"""``python -m mobile [--pack PATH] [--lang fr|en] [--screenshot FILE]``.

``--screenshot`` renders the first screen off-screen (SDL's offscreen video
driver), saves it as a PNG and exits: for the docs and for checks.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

START = time.perf_counter()  # launch time: "first map frame" is measured from here


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mobile", description="heritage-kit: the phone app (Kivy).")
    parser.add_argument("--pack", metavar="PATH", help="content pack folder or .zip (default: content/monaco)")
    parser.add_argument("--lang", choices=("fr", "en"), help="language (default: the system's, French on a French system)")
    parser.add_argument("--screenshot", metavar="FILE", help="render the first screen off-screen, save a PNG and exit")
    parser.add_argument("--size", default="432x912", metavar="WxH", help="window size on desktop (default 432x912)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    if args.screenshot:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    if args.pack and not os.path.exists(args.pack):
        print(f"python -m mobile: error: no content pack at {args.pack}", file=sys.stderr)
        return 2
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"python -m mobile: error: --size must be WIDTHxHEIGHT, not {args.size!r}", file=sys.stderr)
        return 2
    from kivy.config import Config

    Config.set("graphics", "width", str(w))
    Config.set("graphics", "height", str(h))
    Config.set("input", "mouse", "mouse,multitouch_on_demand")
    Config.set("kivy", "exit_on_escape", "0")

    from mobile.app import HeritageApp

    app = HeritageApp(pack_path=os.path.abspath(args.pack) if args.pack else None, lang=args.lang,
                      screenshot=os.path.abspath(args.screenshot) if args.screenshot else None, t0=START)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
