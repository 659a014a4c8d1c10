from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "tepat.quality"
    label = "quality"
    verbose_name = "Kualitas data"

    def ready(self) -> None:
        import tepat.quality.transitions  # noqa: F401  (registers the transitions tables)
