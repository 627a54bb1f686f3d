#!/usr/bin/python3
"""manage.py of the test-only Django project that shares a database with
restauth (tests/interop). Settings come from the environment: see
interop/settings.py."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interop.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
