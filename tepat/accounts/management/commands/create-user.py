import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.roles import Role
from tepat.accounts.services import user_create
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ValidationFailed


class Command(BaseCommand):
    help = (
        "Buat pengguna dengan peran dan wilayah tugas / Create a user with a role and assigned regions. "
        f"Roles: {', '.join(Role.values)}"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", action="append", required=True, dest="regions",
                            help="Assigned region code (repeatable), e.g. 36.04 or 36.04.05.2001")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Omit to be asked (recommended: keeps it out of shell history).")

    def handle(self, *args, **options):
        password = options["password"] or getpass.getpass("Kata sandi / Password: ")
        try:
            user = user_create(
                actor=SYSTEM, username=options["username"], password=password, role=options["role"],
                region_codes=options["regions"], full_name=options["full_name"], email=options["email"],
            )
        except (ValidationFailed, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Pengguna dibuat / User created: {user.username} ({user.role}) → {', '.join(options['regions'])}")
