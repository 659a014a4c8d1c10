from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tepat.accounts.roles import Role


class User(AbstractUser):
    """A person who signs in. One role; one or more assigned regions (no assignment: sees nothing)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class RegionAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="region_assignments")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_id"]
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="unique_user_region")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.region_id}"


class LoginGate(models.Model):
    """One row per client address: sign-in attempts from one address lock it in turn, so that the lockout
    check, the password check and the recorded failure happen as one step (see `throttle.login_gate`)."""

    key = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.key
