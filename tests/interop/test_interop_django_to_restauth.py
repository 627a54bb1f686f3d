"""Interop, Django to restauth: users, DRF tokens, JWTs, reset links,
confirmation keys and sessions made by a real Django project
(djproject: Django 3.2, DRF, simplejwt with rotation and blacklist,
allauth; under gunicorn) are used on restauth stacks serving the same
database with the same SECRET_KEY; refresh tokens rotate across, and
what one side blacklists or uses up the other refuses; a login on one
side leaves the user's session on the other alive. The password checks
run with Django's default PASSWORD_HASHERS and with Argon2 first.
The checks are in cross.py, the Django side in djside.py."""
import cross
from djside import h

cross.run(h.Tests(__file__), "django")
