"""One row per WebAuthn credential of a user: the raw credential id, the
COSE public key as the authenticator gave it, the signature counter,
the transports the client reported (a JSON list)."""
from django.conf import settings
from django.db import models


class WebAuthnCredential(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=255)
    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField()
    sign_count = models.PositiveIntegerField(default=0)
    transports = models.JSONField(default=list)
    discoverable = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL,
                             on_delete=models.CASCADE,
                             related_name="webauthn_credentials")
