from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tepat.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        """Refresh the precomputed recap after the changes that move its figures: a list approved, a
        determination done, a registry import done (reports is the top reader layer, so it listens;
        the apps below never import it)."""
        from django.db import transaction
        from django.db.models.signals import post_save

        from tepat.programs.models import BeneficiaryList
        from tepat.registry.models_transfer import ImportJob
        from tepat.updates.models import DeterminationPeriod

        def later(region_code: str, reason: str) -> None:
            from tepat.reports.precompute import refresh_after_change

            transaction.on_commit(lambda: refresh_after_change(region_code=region_code, reason=reason))

        def on_list(sender, instance, **kwargs) -> None:
            if instance.status == BeneficiaryList.Status.APPROVED:
                later(instance.region_code, "list_approved")

        def on_period(sender, instance, **kwargs) -> None:
            if instance.status == DeterminationPeriod.Status.DETERMINED:
                later(instance.region_id, "determination")

        def on_import(sender, instance, **kwargs) -> None:
            if instance.status == ImportJob.Status.DONE and not instance.dry_run:
                later(instance.region_code, "registry_import")

        post_save.connect(on_list, sender=BeneficiaryList, dispatch_uid="reports_recap_list")
        post_save.connect(on_period, sender=DeterminationPeriod, dispatch_uid="reports_recap_period")
        post_save.connect(on_import, sender=ImportJob, dispatch_uid="reports_recap_import")
