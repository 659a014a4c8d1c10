from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "tepat.programs"
    label = "programs"
    verbose_name = "Program bantuan"

    def ready(self) -> None:
        from tepat.programs import sections, transitions  # noqa: F401 - registers tables and the family section
