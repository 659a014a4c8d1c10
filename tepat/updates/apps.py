from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "tepat.updates"
    label = "updates"
    verbose_name = "Pemutakhiran data"
