from django.apps import AppConfig


class GrievancesConfig(AppConfig):
    name = "tepat.grievances"
    label = "grievances"
    verbose_name = "Pengaduan dan rujukan"

    def ready(self) -> None:
        import tepat.grievances.transitions  # noqa: F401  (registers the transitions tables)
        from tepat.grievances.distribution_hooks import connect

        connect()  # a post-distribution shortfall opens a complaint
