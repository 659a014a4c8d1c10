from django.core.management.base import BaseCommand, CommandError

from tepat.core.actors import SYSTEM
from tepat.ops.backup import BackupError, backup_create
from tepat.ops.crypto import BackupKeyError, key_load


class Command(BaseCommand):
    help = ("Write an encrypted backup (database, media files, audit checkpoints, manifest) to OUT. "
            "/ Tulis cadangan terenkripsi (basis data, berkas, checkpoint audit) ke OUT.")

    def add_arguments(self, parser):
        parser.add_argument("out", help="archive to write (must not exist), e.g. /srv/backup/tepat-2026-12-03.tbk")
        parser.add_argument("--key-file", help="the backup key (default: TEPAT_BACKUP_KEY_FILE or TEPAT_BACKUP_KEY)")
        parser.add_argument("--checkpoint-dir", help="audit checkpoint directory (default: TEPAT_AUDIT_CHECKPOINT_DIR)")
        parser.add_argument("--media-dir", help="uploaded files (default: MEDIA_ROOT)")
        parser.add_argument("--tmp-dir", help="private working directory base (needs room for one database copy)")

    def handle(self, *args, **options):
        try:
            key = key_load(options["key_file"])
            result = backup_create(actor=SYSTEM, out=options["out"], key=key, media_root=options["media_dir"],
                                   checkpoint_dir=options["checkpoint_dir"], tmp_dir=options["tmp_dir"],
                                   progress=lambda message: self.stdout.write(f"… {message}"))
        except (BackupKeyError, BackupError) as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(self.style.SUCCESS(
            f"Cadangan ditulis / Backup written: {result.path} — {manifest['rows']} rows in {len(manifest['tables'])} "
            f"tables, audit head #{manifest['audit_head']['last_seq']}, {manifest['checkpoints']['lines']} "
            f"checkpoint(s), {manifest['media']['files']} media file(s)."
        ))
