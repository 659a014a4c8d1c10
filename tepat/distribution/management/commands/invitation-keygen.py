"""tepat invitation-keygen [--id inv-2027]

Prints a new Ed25519 key pair for the invitation QR codes: the private key for TEPAT_INVITATION_KEYS (keep it in
the environment, never in the database or the repository) and its public half, which field devices get from
/api/v1/invitations/keys and which goes to TEPAT_INVITATION_PUBLIC_KEYS once the private key is retired.
Rotation: add the new key to TEPAT_INVITATION_KEYS, point TEPAT_INVITATION_KEY_ID at it; keep the old one
(or only its public half) for as long as its invitations are valid."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from tepat.distribution.invitations.signing import generate_key_text, private_key, public_key_text


class Command(BaseCommand):
    help = "Generate an Ed25519 key pair for signing invitations (prints it; stores nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", default="", help="key id (default inv-YYYYMMDD)")

    def handle(self, *args, **options) -> None:
        key_id = options["id"] or f"inv-{timezone.localdate():%Y%m%d}"
        secret = generate_key_text()
        self.stdout.write(f"TEPAT_INVITATION_KEYS={key_id}:{secret}")
        self.stdout.write(f"TEPAT_INVITATION_KEY_ID={key_id}")
        self.stdout.write(f"# public key (for TEPAT_INVITATION_PUBLIC_KEYS after retirement): "
                          f"{key_id}:{public_key_text(private_key(secret))}")
