from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tepat.reports"
    label = "reports"
    verbose_name = "Reports"
