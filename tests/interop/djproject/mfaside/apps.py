"""App config: the label dj-rest-auth's MFA app registers under."""
from django.apps import AppConfig


class MfaSideConfig(AppConfig):
    name = "mfaside"
    label = "dj_rest_auth_mfa"
    default_auto_field = "django.db.models.BigAutoField"
