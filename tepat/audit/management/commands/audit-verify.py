from django.core.management.base import BaseCommand, CommandError

from tepat.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail's keyed hash chain and hold it against the signed checkpoints outside the "
        "database; names the first broken link. / Periksa rantai hash jejak audit dan checkpoint-nya."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="checkpoint directory (default: TEPAT_AUDIT_CHECKPOINT_DIR)")

    def handle(self, *args, **options):
        result = audit_verify(checkpoint_dir=options["dir"])
        if not result.ok:
            where = f"event #{result.broken_seq}" if result.broken_seq else "checkpoints"
            raise CommandError(
                f"Rantai audit rusak pada {where}: {result.reason} "
                f"/ Audit chain broken at {where}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Rantai audit utuh / Audit chain intact: {result.checked} events verified.")
        )
        if result.checkpoints:
            self.stdout.write(
                f"{result.checkpoints} checkpoint(s) match; the last one at #{result.last_checkpoint_seq}."
            )
        else:
            self.stdout.write(self.style.WARNING(
                "Belum ada checkpoint: pemotongan ujung rantai tidak dapat dideteksi "
                "/ No checkpoints yet: removing the newest events cannot be detected (run tepat audit-checkpoint)."
            ))
