from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "tepat.updates"
    label = "updates"
    verbose_name = "Pemutakhiran data"

    def ready(self) -> None:
        import tepat.updates.workflow  # noqa: F401  (registers the transitions tables)
