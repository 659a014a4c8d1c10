import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tepat.ops.crypto import key_encode, key_fingerprint, key_generate


class Command(BaseCommand):
    help = ("Create a new backup key file (32 random bytes, base64, mode 0600). Keep a copy OFF this server: "
            "without it no backup can be restored. / Buat berkas kunci cadangan baru.")

    def add_arguments(self, parser):
        parser.add_argument("out", help="key file to create (must not exist)")

    def handle(self, *args, **options):
        path = Path(options["out"])
        key = key_generate()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise CommandError(f"{path} already exists / berkas sudah ada") from exc
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key_encode(key) + "\n")
        self.stdout.write(self.style.SUCCESS(f"Backup key written to {path} (fingerprint {key_fingerprint(key).hex()})."))
