"""URLs of the test-only Django project (views in interop/views.py)."""
from django.urls import path

urlpatterns = []
