from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "tepat.distribution"
    label = "distribution"
    verbose_name = "Penyaluran"

    def ready(self) -> None:
        from tepat.distribution import transitions  # noqa: F401 - registers the tables
        # The invitations package keeps its own model (app_label "distribution"); importing it here registers
        # it without touching this app's models.py.
        from tepat.distribution.invitations import (
            models,  # noqa: F401
            transitions,  # noqa: F401  (the print job's table)
        )
