from django.apps import AppConfig


class ReliefConfig(AppConfig):
    name = "tepat.relief"
    label = "relief"
    verbose_name = "Bantuan bencana"

    def ready(self) -> None:
        import tepat.relief.transitions  # noqa: F401  (registers the transitions table)
