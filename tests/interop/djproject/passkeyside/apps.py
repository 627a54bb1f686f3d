"""App config: the label dj-rest-auth's passkeys app registers under."""
from django.apps import AppConfig


class PasskeySideConfig(AppConfig):
    name = "passkeyside"
    label = "passkeys"
    default_auto_field = "django.db.models.BigAutoField"
