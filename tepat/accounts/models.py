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


class ApiClient(models.Model):
    """A machine client of the API (e.g. the province's nightly sync): its own credentials, a service account
    that carries its role and regions (so every existing scope rule applies unchanged), and an allow-list of
    capabilities that narrows the role further. Issue 14."""

    client_id = models.CharField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    secret_hash = models.CharField(max_length=128)  # Django's password hasher; the secret is shown once
    service_user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="api_client")
    capabilities = models.JSONField(default=list, blank=True)  # subset of the role's; empty list: none
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["client_id"]

    def __str__(self) -> str:
        return f"{self.client_id} ({self.name})"


class ApiToken(models.Model):
    """A bearer token: only its SHA-256 is stored; `prefix` (shown in lists and audit events) identifies it.
    A personal token belongs to a user (issued by JSON login); a client token to an `ApiClient`."""

    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, blank=True)  # the device ("HP Android Bu Sari")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.CharField(max_length=45, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="api_token_user")]

    def __str__(self) -> str:
        return self.prefix


class IdempotencyRecord(models.Model):
    """The first response to a POST sent with an `Idempotency-Key` (issue 14): replayed for the same actor and
    key, refused for the same key with another body. `status` 0 while the first request is still running."""

    actor_key = models.CharField(max_length=80)  # "user:<id>" (session or personal token) or "client:<id>"
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["actor_key", "key"], name="unique_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.actor_key} {self.key}"
