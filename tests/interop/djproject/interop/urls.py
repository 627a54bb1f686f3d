"""URLs of the test-only Django project (views in interop/views.py):
dj-rest-auth's paths under /auth/, allauth's account URLs (the
confirmation mail links to account_confirm_email), and test helpers
under /interop/."""
from django.urls import include, path
from rest_framework_simplejwt.views import TokenRefreshView

from . import views

urlpatterns = [
    path("auth/login/", views.Login.as_view()),
    path("auth/login-jwt/", views.Login.as_view(jwt=True)),
    path("auth/user/", views.UserDetails.as_view()),
    path("auth/logout/", views.Logout.as_view()),
    path("auth/token/refresh/", TokenRefreshView.as_view()),
    path("auth/password/change/", views.PasswordChange.as_view()),
    path("auth/password/reset/", views.PasswordReset.as_view()),
    path("auth/password/reset/confirm/",
         views.PasswordResetConfirm.as_view()),
    path("auth/registration/verify-email/", views.VerifyEmail.as_view()),
    path("interop/create-user/", views.CreateUser.as_view()),
    path("interop/send-confirmation/", views.SendConfirmation.as_view()),
    path("interop/ping/", views.Ping.as_view()),
    path("accounts/", include("allauth.urls")),
]
