from django.core.management.base import BaseCommand

from tepat.accounts.idempotency import purge_expired


class Command(BaseCommand):
    help = "Hapus kunci idempotensi kedaluwarsa / Delete expired idempotency keys (stored API answers)."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_expired()} expired idempotency records deleted")
