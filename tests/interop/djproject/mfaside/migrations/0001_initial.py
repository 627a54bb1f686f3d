"""The app's only migration: the authenticator table."""
from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.CreateModel(
            name="Authenticator",
            fields=[
                ("id", models.BigAutoField(primary_key=True,
                                           serialize=False)),
                ("type", models.CharField(max_length=20)),
                ("data", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(null=True)),
                ("user", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="mfa_authenticators",
                    to=settings.AUTH_USER_MODEL)),
            ],
            options={"unique_together": {("user", "type")}},
        ),
    ]
