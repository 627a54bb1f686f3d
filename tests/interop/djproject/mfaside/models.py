"""One row per user and kind of second factor: "totp" (data: signed
secret, last accepted code) or "recovery_codes" (data: seed, used
mask)."""
from django.conf import settings
from django.db import models


class Authenticator(models.Model):
    id = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL,
                             on_delete=models.CASCADE,
                             related_name="mfa_authenticators")

    class Meta:
        unique_together = [("user", "type")]
