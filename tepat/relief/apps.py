from django.apps import AppConfig


class ReliefConfig(AppConfig):
    name = "tepat.relief"
    label = "relief"
    verbose_name = "Bantuan bencana"
