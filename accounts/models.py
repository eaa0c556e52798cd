from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("DIPROM officer")
    CENTRE_STAFF = "centre_staff", _("Centre staff")
    FACULTY = "faculty", _("Faculty")
    STUDENT = "student", _("Student")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")


# Staff pages of these roles need two-factor sign-in.
MFA_REQUIRED_ROLES = frozenset({Role.OFFICER, Role.CENTRE_STAFF})
SELF_SIGNUP_ROLES = (Role.ENTREPRENEUR, Role.STUDENT)
INVITED_ROLES = (Role.FACULTY, Role.CENTRE_STAFF)

# A Thai number from 0 (9 or 10 digits: 054 281 234, 081 234 5678) or an international one
# from + (+66 81 234 5678), 9 to 15 digits in all, spaces and hyphens between them. Not a
# date (2026-12-31) nor a short code.
phone_validator = RegexValidator(
    r"^(?=\+?(?:[ -]*[0-9]){9,15}[ -]*$)(?:0|\+[1-9])[0-9 -]*[0-9]$",
    _("Enter a phone number of digits, for example 081 234 5678 or +66 81 234 5678."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.OFFICER)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Gives access to Django's admin site only; portal roles are `role`.
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def needs_mfa(self):
        return self.role in MFA_REQUIRED_ROLES

    @property
    def is_officer(self):
        return self.role == Role.OFFICER

    @property
    def is_centre_staff(self):
        return self.role == Role.CENTRE_STAFF


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(
        _("role"), max_length=20, choices=[(r.value, r.label) for r in INVITED_ROLES]
    )
    language = models.CharField(
        _("language of the invitation"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # Only a hash is stored: the token itself travels in the email and nowhere else.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(Lower("email"), name="invitation_email_ci")]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at

    @property
    def status(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "pending"

    def get_status_display(self):
        return {
            "accepted": _("accepted"),
            "revoked": _("revoked"),
            "expired": _("expired"),
            "pending": _("pending"),
        }[self.status]


class PrivacyNoticeQuerySet(models.QuerySet):
    def current(self):
        return (
            self.filter(published_at__lte=timezone.now()).order_by("-published_at", "-pk").first()
        )


class PrivacyNotice(models.Model):
    """A version of the PDPA privacy notice; sign-up records which version was accepted."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    body_th = models.TextField(_("notice in Thai"))
    body_en = models.TextField(_("notice in English"))
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self):
        return self.version

    def get_absolute_url(self):
        return reverse("accounts:privacy_notice")

    @property
    def body(self):
        return self.body_en if translation.get_language() == "en" else self.body_th


class PrivacyConsent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_consents"
    )
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents")
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")
        constraints = [
            models.UniqueConstraint(fields=["user", "notice"], name="consent_once_per_notice"),
        ]

    def __str__(self):
        return f"{self.user} – {self.notice}"
