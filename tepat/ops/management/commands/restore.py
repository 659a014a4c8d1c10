from django.core.management.base import BaseCommand, CommandError

from tepat.core.actors import SYSTEM
from tepat.ops.backup import BackupError, RestoreVerificationError, backup_restore
from tepat.ops.crypto import BackupIntegrityError, BackupKeyError, key_load


class Command(BaseCommand):
    help = ("Restore an encrypted backup into an EMPTY database, then verify row counts and the audit chain. "
            "/ Pulihkan cadangan ke basis data KOSONG, lalu verifikasi jumlah baris dan rantai audit.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive written by `tepat backup`")
        parser.add_argument("--key-file", help="the backup key (default: TEPAT_BACKUP_KEY_FILE or TEPAT_BACKUP_KEY)")
        parser.add_argument("--checkpoint-dir", help="audit checkpoint directory (default: TEPAT_AUDIT_CHECKPOINT_DIR)")
        parser.add_argument("--media-dir", help="uploaded files (default: MEDIA_ROOT; must be empty)")
        parser.add_argument("--tmp-dir", help="private working directory base (needs room for the unpacked archive)")

    def handle(self, *args, **options):
        try:
            key = key_load(options["key_file"])
            result = backup_restore(actor=SYSTEM, archive=options["archive"], key=key,
                                    media_root=options["media_dir"], checkpoint_dir=options["checkpoint_dir"],
                                    tmp_dir=options["tmp_dir"],
                                    progress=lambda message: self.stdout.write(f"… {message}"))
        except RestoreVerificationError as exc:
            raise CommandError(str(exc), returncode=3) from exc
        except (BackupKeyError, BackupIntegrityError, BackupError) as exc:
            raise CommandError(f"Pemulihan ditolak, tidak ada yang diubah / Restore refused, nothing changed: {exc}",
                               returncode=2) from exc
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(
            f"Dipulihkan dan terverifikasi / Restored and verified: {result.rows} rows in {result.tables} tables "
            f"match the manifest; audit chain intact ({result.audit_checked} events, head "
            f"#{result.manifest['audit_head']['last_seq']}); backup of {result.manifest['created_at']}."
        ))
