from django.apps import AppConfig


class TargetingConfig(AppConfig):
    name = "tepat.targeting"
    label = "targeting"
    verbose_name = "Penargetan"

    def ready(self) -> None:
        import tepat.targeting.sections
        import tepat.targeting.transitions  # noqa: F401  (registers the desil release's transitions)
