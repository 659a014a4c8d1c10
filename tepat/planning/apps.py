from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "tepat.planning"
    label = "planning"
    verbose_name = "Perencanaan (Renja)"

    def ready(self) -> None:
        import tepat.planning.transitions  # noqa: F401  (registers the transitions tables)
