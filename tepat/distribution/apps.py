from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "tepat.distribution"
    label = "distribution"
    verbose_name = "Penyaluran"

    def ready(self) -> None:
        # The invitations package keeps its own model (app_label "distribution"); importing it here registers
        # it without touching this app's models.py.
        import tepat.distribution.invitations.models
        import tepat.distribution.invitations.transitions
        import tepat.distribution.models_followup  # susulan, post-distribution check, receipt files
        import tepat.distribution.transitions
        import tepat.distribution.transitions_followup  # noqa: F401 - registers the tables
