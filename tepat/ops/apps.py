from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tepat.ops"
    label = "ops"
    verbose_name = "Tepat operations"
