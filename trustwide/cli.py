"""`trustwide` command line: Django's management commands under the product's name.

trustwide demo          build (or rebuild) the demo trust
trustwide serve         serve the product (waitress) on 127.0.0.1:8000
trustwide createtrust   create an empty trust with its first administrator
trustwide migrate ...   and every other Django management command
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["trustwide", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
