import sys

from heritage_kit.cli import main

sys.exit(main())
