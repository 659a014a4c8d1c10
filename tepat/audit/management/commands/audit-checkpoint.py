import time

from django.core.management.base import BaseCommand, CommandError

from tepat.audit.checkpoints import CheckpointError
from tepat.audit.hashing import AuditKeyError
from tepat.audit.services import audit_checkpoint
from tepat.core.actors import SYSTEM


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chain head to TEPAT_AUDIT_CHECKPOINT_DIR (outside the database). "
        "/ Tulis checkpoint bertanda tangan dari ujung rantai audit, di luar basis data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="checkpoint directory (default: TEPAT_AUDIT_CHECKPOINT_DIR)")
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="keep running and write one every SECONDS (for a service unit)")
        parser.add_argument("--enqueue", action="store_true",
                            help="put the self-rescheduling checkpoint job on the worker queue instead")

    def handle(self, *args, **options):
        if options["enqueue"]:
            from tepat.audit.tasks import audit_checkpoint_task

            result = audit_checkpoint_task.enqueue()
            self.stdout.write(f"Checkpoint job queued / Tugas checkpoint diantrikan: {result.id}")
            return
        while True:
            self._write_one(options["dir"])
            if options["every"] <= 0:
                return
            time.sleep(options["every"])

    def _write_one(self, directory):
        try:
            checkpoint = audit_checkpoint(actor=SYSTEM, checkpoint_dir=directory)
        except (CheckpointError, AuditKeyError, OSError) as exc:
            raise CommandError(f"Checkpoint audit gagal / Audit checkpoint failed: {exc}") from None
        self.stdout.write(self.style.SUCCESS(
            f"Checkpoint #{checkpoint.seq} {checkpoint.hash[:16]}… ditulis / written (line {checkpoint.line})"
        ))
