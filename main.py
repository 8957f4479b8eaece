"""Entry point for python-for-android (buildozer.spec in mobile/): starts the phone app."""

import sys

from mobile.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
