from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "tepat.public"
    label = "public"
    verbose_name = "Publik"
