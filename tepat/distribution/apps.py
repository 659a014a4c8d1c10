from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "tepat.distribution"
    label = "distribution"
    verbose_name = "Penyaluran"

    def ready(self) -> None:
        from tepat.distribution import transitions  # noqa: F401 - registers the tables
