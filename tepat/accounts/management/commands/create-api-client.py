from django.core.management.base import BaseCommand, CommandError

from tepat.accounts.roles import Role
from tepat.accounts.tokens import api_client_create
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import ValidationFailed


class Command(BaseCommand):
    help = ("Buat klien mesin API (mis. sinkronisasi malam provinsi) / Create a machine API client "
            "(e.g. the province's nightly sync). The secret is printed once.")

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--region", action="append", required=True, dest="regions")
        parser.add_argument("--capability", action="append", default=[], dest="capabilities",
                            help="Allowed capability (repeatable), within the role's, e.g. registry.view")

    def handle(self, *args, **options):
        try:
            client, secret = api_client_create(actor=SYSTEM, name=options["name"], role=options["role"],
                                               region_codes=options["regions"], capabilities=options["capabilities"])
        except ValidationFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"client_id={client.client_id}\nclient_secret={secret}")
