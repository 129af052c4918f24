"""``python -m gateway`` is the same as the ``sentry-events-gateway`` command."""

import sys

from gateway.cli import main

sys.exit(main())
