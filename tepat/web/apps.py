from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tepat.web"
    label = "web"
    verbose_name = "Web"
