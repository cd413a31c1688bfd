from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person: admin (``is_staff``), or someone whose roles come from the sessions
    they facilitate, observe or sit in as a delegation member."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.is_staff
