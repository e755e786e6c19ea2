"""The ``kilowatt`` command: Django's management commands under the product's name.

``kilowatt seed --customers 1000``, ``kilowatt migrate``, ``kilowatt runserver`` ...
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kilowatt.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kilowatt", *sys.argv[1:]])


if __name__ == "__main__":
    main()
