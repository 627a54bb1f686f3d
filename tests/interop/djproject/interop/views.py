"""Views of the test-only Django project: the part of dj-rest-auth's API
the interop tier crosses with restauth, written for the test on Django,
DRF, simplejwt and allauth (same paths, fields, answers and side effects
as dj-rest-auth 7.1.1 with allauth installed and REST_SESSION_LOGIN on;
not its code). Plus two test helpers: create-user/ (Django's
create_user and allauth's EmailAddress row) and send-confirmation/
(allauth's confirmation mail with an HMAC or a stored key)."""
from allauth.account.forms import default_token_generator
from allauth.account.models import (EmailAddress, EmailConfirmation,
                                    EmailConfirmationHMAC)
from allauth.account.utils import url_str_to_user_pk, user_pk_to_url_str
from django.contrib.auth import authenticate
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import send_mail
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

# Where the reset link points (the front end's page), as restauth's
# PASSWORD_RESET_URL default; the test reads uid and token from it.
RESET_URL = "http://localhost:8000/password-reset/confirm/{uid}/{token}/"


def user_details(user):
    """dj-rest-auth's UserDetailsSerializer."""
    return {"pk": user.pk, "username": user.username, "email": user.email,
            "first_name": user.first_name, "last_name": user.last_name}


def form_errors(form):
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


class Login(APIView):
    """POST login/ (token mode): {"key"}; login-jwt/ (JWT mode):
    {"access", "refresh", "user"}. Both also start a Django session."""
    permission_classes = [AllowAny]
    authentication_classes = []
    jwt = False

    def post(self, request):
        username = request.data.get("username", "")
        password = request.data.get("password", "")
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            return Response({"non_field_errors": [
                "Unable to log in with provided credentials."]}, status=400)
        django_login(request, user)
        if self.jwt:
            refresh = RefreshToken.for_user(user)
            return Response({"access": str(refresh.access_token),
                             "refresh": str(refresh),
                             "user": user_details(user)})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"key": token.key})


class UserDetails(APIView):
    """GET user/: Token, JWT Bearer or session (DRF's authenticators)."""
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(user_details(request.user))

    def post(self, request):
        """An unsafe method for the CSRF check of a session caller."""
        return Response(user_details(request.user))


class Logout(APIView):
    """POST logout/: blacklist the refresh token in the body, delete the
    DRF token of a token caller, end the session."""
    permission_classes = [AllowAny]

    def post(self, request):
        if request.user.is_authenticated and request.auth is not None and \
                isinstance(request.auth, Token):
            request.user.auth_token.delete()
        django_logout(request)
        if "refresh" in request.data:
            try:
                RefreshToken(request.data["refresh"]).blacklist()
            except TokenError as e:
                return Response({"detail": str(e.args[0]),
                                 "code": "token_not_valid"}, status=401)
        return Response({"detail": "Successfully logged out."})


class PasswordChange(APIView):
    """POST password/change/: new_password1/2; keeps the caller's
    session (update_session_auth_hash)."""
    permission_classes = [IsAuthenticated]

    def post(self, request):
        form = SetPasswordForm(user=request.user, data=request.data)
        if not form.is_valid():
            return Response(form_errors(form), status=400)
        form.save()
        update_session_auth_hash(request, form.user)
        return Response({"detail": "New password has been saved."})


class PasswordReset(APIView):
    """POST password/reset/: a mail per active user of the address, with
    a base36 uid and allauth's EmailAwarePasswordResetTokenGenerator
    token."""
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        from allauth.account.utils import filter_users_by_email
        email = request.data.get("email", "")
        for user in filter_users_by_email(email, is_active=True):
            link = RESET_URL.format(uid=user_pk_to_url_str(user),
                                    token=default_token_generator.make_token(
                                        user))
            send_mail("Password reset", "Reset your password: %s\n" % link,
                      None, [email])
        return Response({"detail": "Password reset e-mail has been sent."})


class PasswordResetConfirm(APIView):
    """POST password/reset/confirm/: uid (base36), token (allauth's
    generator), new_password1/2."""
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        try:
            pk = url_str_to_user_pk(request.data.get("uid", ""))
            user = User._default_manager.get(pk=pk)
        except (TypeError, ValueError, OverflowError, ObjectDoesNotExist):
            return Response({"uid": ["Invalid value"]}, status=400)
        form = SetPasswordForm(user=user, data=request.data)
        if not form.is_valid():
            return Response(form_errors(form), status=400)
        if not default_token_generator.check_token(user,
                                                   request.data.get("token")):
            return Response({"token": ["Invalid value"]}, status=400)
        form.save()
        return Response({"detail":
                         "Password has been reset with the new password."})


class VerifyEmail(APIView):
    """POST registration/verify-email/ {"key"}: an HMAC key, else a
    stored, unexpired one."""
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        key = request.data.get("key", "")
        confirmation = EmailConfirmationHMAC.from_key(key)
        if confirmation is None:
            try:
                confirmation = EmailConfirmation.objects.all_valid().get(
                    key=key.lower())
            except EmailConfirmation.DoesNotExist:
                return Response({"detail": "Not found."}, status=404)
        confirmation.confirm(request)
        return Response({"detail": "ok"})


class CreateUser(APIView):
    """Test helper: Django's create_user and allauth's primary address."""
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        d = request.data
        with transaction.atomic():
            user = User.objects.create_user(d["username"], d["email"],
                                            d["password"])
            EmailAddress.objects.create(user=user, email=d["email"],
                                        primary=True, verified=False)
        return Response({"pk": user.pk}, status=201)


class SendConfirmation(APIView):
    """Test helper: allauth mails a confirmation of an address, with an
    HMAC key ({"hmac": true}) or a stored one."""
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        ea = EmailAddress.objects.get(email__iexact=request.data["email"])
        if request.data.get("hmac"):
            conf = EmailConfirmationHMAC(ea)
        else:
            conf = EmailConfirmation.create(ea)
        conf.send(request, signup=False)
        return Response({"key": conf.key})


class Ping(APIView):
    """GET ping/: the server is up."""
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        return Response({})
