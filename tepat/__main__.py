"""The `tepat` console script: Django's management commands with Tepat's settings.

Without DJANGO_SETTINGS_MODULE it uses the PRODUCTION settings (which refuse to start without their
secrets), so a server never runs by accident with DEBUG and a known key. Development says so explicitly:
`DJANGO_SETTINGS_MODULE=config.django.local` (the Makefile's demo and serve targets do)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tepat", *sys.argv[1:]])


if __name__ == "__main__":
    main()
