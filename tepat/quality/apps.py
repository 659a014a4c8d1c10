from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "tepat.quality"
    label = "quality"
    verbose_name = "Kualitas data"
