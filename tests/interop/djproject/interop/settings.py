"""Settings of the test-only Django project beside restauth: Django's
contrib auth and sessions, DRF with TokenAuthentication, simplejwt with
rotation and its blacklist, django-allauth's account app, on the
PostgreSQL database of a restauth test stack, with its SECRET_KEY.

Environment:
  INTEROP_SECRET_KEY   the SECRET_KEY both sides share
  INTEROP_DB_NAME      database name in the test cluster
  INTEROP_DB_HOST      the cluster's unix socket folder
  INTEROP_DB_USER      database user (default restauth)
  INTEROP_MAIL_DIR     where Django's file e-mail backend writes mails
  INTEROP_HASHERS      "default" (Django's own PASSWORD_HASHERS) or
                       "argon2" (Argon2PasswordHasher first)
  INTEROP_MFA          "0" leaves dj-rest-auth's MFA app (mfaside) out
  INTEROP_PASSKEYS     "0" leaves dj-rest-auth's passkeys app (passkeyside)
                       out
"""
import os
from datetime import timedelta

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = os.environ["INTEROP_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.sites",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt.token_blacklist",
    "allauth",
    "allauth.account",
    "interop",
]
# dj-rest-auth's MFA app (its stand-in mfaside), unless INTEROP_MFA=0:
# a project without it must still work beside restauth's MFA table.
if os.environ.get("INTEROP_MFA", "1") != "0":
    INSTALLED_APPS.append("mfaside.apps.MfaSideConfig")
# dj-rest-auth's passkeys app (its stand-in passkeyside), unless
# INTEROP_PASSKEYS=0, for the same reason.
if os.environ.get("INTEROP_PASSKEYS", "1") != "0":
    INSTALLED_APPS.append("passkeyside.apps.PasskeySideConfig")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "interop.urls"
WSGI_APPLICATION = "interop.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
    ]},
}]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["INTEROP_DB_NAME"],
        "HOST": os.environ["INTEROP_DB_HOST"],
        "USER": os.environ.get("INTEROP_DB_USER", "restauth"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

if os.environ.get("INTEROP_HASHERS", "default") == "argon2":
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    ]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
SITE_ID = 1

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("INTEROP_MAIL_DIR", "/nonexistent")
DEFAULT_FROM_EMAIL = "webmaster@localhost"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}

ACCOUNT_EMAIL_REQUIRED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_AUTHENTICATION_METHOD = "username"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
