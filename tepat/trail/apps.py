from django.apps import AppConfig


class TrailConfig(AppConfig):
    name = "tepat.trail"
    label = "trail"
    verbose_name = "Jejak audit"
