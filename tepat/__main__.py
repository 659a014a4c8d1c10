"""The `tepat` console script: Django's management commands with Tepat's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tepat", *sys.argv[1:]])


if __name__ == "__main__":
    main()
