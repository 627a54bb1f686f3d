"""WSGI entry point for gunicorn (tests/interop)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interop.settings")
application = get_wsgi_application()
