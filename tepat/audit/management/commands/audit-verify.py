from django.core.management.base import BaseCommand, CommandError

from tepat.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; names the first broken link. / Periksa rantai hash jejak audit."

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Rantai audit rusak pada event #{result.broken_seq}: {result.reason} "
                f"/ Audit chain broken at event #{result.broken_seq}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Rantai audit utuh / Audit chain intact: {result.checked} events verified.")
        )
