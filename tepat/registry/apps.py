from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tepat.registry"
    label = "registry"
    verbose_name = "Registri DTKS"

    def ready(self) -> None:
        import tepat.registry.transitions  # noqa: F401  (registers the transitions tables)
