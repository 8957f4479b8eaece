"""The ``heritage-kit`` command line.

Each command group lives in its own module with a ``register(subparsers)``
function. Any :class:`HeritageKitError` (or OS error) becomes a one-line
message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from heritage_kit.errors import HeritageKitError

__all__ = ["main", "build_parser"]

# One module per command group, in help order.
COMMAND_MODULES = [
    "heritage_kit.cli.pack",  # pack validate | info | build
    "heritage_kit.cli.imports",  # import osm | merimee
    "heritage_kit.cli.hours",  # hours check
    "heritage_kit.cli.routing",  # route, trail plan
    "heritage_kit.cli.inbox",  # inbox serve | publish | review
    "heritage_kit.cli.walk",  # walk simulate | replay
    "heritage_kit.cli.export",  # site build (trail leaflet is added to routing's trail group)
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heritage-kit",
        description="Build, check and use offline heritage and shopping content packs.",
    )
    from heritage_kit import __version__

    parser.add_argument("--version", action="version", version=f"heritage-kit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.func(args)
    except HeritageKitError as exc:
        print(f"heritage-kit: error: {exc}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as exc:
        from heritage_kit.extras import extra_for

        extra = extra_for(exc.name)
        if extra is None:
            raise
        print(f"heritage-kit: error: {args.command} needs the '{extra}' extra (missing module '{exc.name}'): "
              f"pip install 'heritage-kit[{extra}]'", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (``| head``): not an error of ours
        try:  # no second "Broken pipe" when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141
    except OSError as exc:
        print(f"heritage-kit: error: {exc.filename or ''} {exc.strerror or exc}".strip(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("heritage-kit: interrupted", file=sys.stderr)
        return 130
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
