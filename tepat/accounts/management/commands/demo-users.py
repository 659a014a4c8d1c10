from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.demo import DEMO_PASSWORD, demo_users_ensure
from tepat.accounts.roles import ROLE_SUMMARIES
from tepat.core.environment import production_settings
from tepat.core.exceptions import ValidationFailed

OUTCOMES = {"created": "dibuat / created", "password_reset": "kata sandi direset / password reset",
            "unchanged": "tetap / unchanged"}


class Command(BaseCommand):
    help = (
        "Buat satu pengguna demo per peran dan cetak login-nya (idempoten) / "
        "Create one demo user per role and print their logins (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEMO_PASSWORD,
                            help=f"Password for every demo user (default {DEMO_PASSWORD}).")
        parser.add_argument("--allow-production", action="store_true",
                            help="Allow running with production settings (known passwords!).")

    def handle(self, *args, **options):
        if production_settings() and not options["allow_production"]:
            raise CommandError(
                "Refusing to create demo users with production settings (use --allow-production)."
            )
        try:
            logins = demo_users_ensure(password=options["password"])
        except ValidationFailed as error:
            messages = "; ".join(f"{issue.id} / {issue.en}" for issue in error.issues)
            if any(issue.code == "unknown_region" for issue in error.issues):
                messages += " (jalankan / run `tepat load-regions`)"
            raise CommandError(messages) from error
        rows = [("username", "password", "peran / role", "wilayah / region", "status")]
        for login in logins:
            regions = ", ".join(f"{code} {name}".strip() for code, name in login.regions) or "-"
            rows.append((login.username, login.password, f"{login.role_label} ({login.role})", regions,
                         OUTCOMES[login.outcome]))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write("Yang boleh dilakukan tiap peran / what each role may do:")
        for login in logins:
            text_id, text_en = ROLE_SUMMARIES.get(login.role, ("", ""))
            self.stdout.write(f"  {login.username}: {text_id} / {text_en}")
        self.stdout.write(self.style.SUCCESS(
            f"{len(logins)} akun demo siap / demo accounts ready; kata sandi / password: {options['password']}"
        ))
