from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "tepat.distribution"
    label = "distribution"
    verbose_name = "Penyaluran"
