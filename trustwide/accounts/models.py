"""Users log in by email; what they may see comes from their memberships."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import ROLE_LEVEL, ROLES_REQUIRING_END_DATE, Role, ScopeLevel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # People type their address with capitals; addresses are stored lower-case.
        return self.get(email__iexact=(username or "").strip())

    def create_superuser(self, email, password=None, **extra):
        # createsuperuser --noinput takes DJANGO_SUPERUSER_PASSWORD without validating it.
        if password:
            validate_password(password, self.model(email=email, **extra))
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    # Django admin only; superusers run the deployment, they are not trust staff.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)),
            user__is_active=True,
        )


class Membership(models.Model):
    """A role held by a user over one node of the scope tree, for a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    trust = models.ForeignKey("trusts.Trust", on_delete=models.CASCADE, related_name="memberships")
    hub = models.ForeignKey(
        "trusts.Hub", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    school = models.ForeignKey(
        "trusts.School", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    # Lists of people are narrowed by the page (the school's or the trust's people);
    # managing memberships needs membership.manage at trust level.
    scope_trust_path = "trust"
    view_permission = "people.view"

    class Meta:
        ordering = ["trust", "role", "user__full_name"]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"])]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} - {self.scope_node}"

    @property
    def level(self) -> str:
        return ROLE_LEVEL[self.role]

    @property
    def scope_node(self):
        return self.school or self.hub or self.trust

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def audit_scope(self):
        return self.trust_id, self.school_id

    def clean(self):
        errors = {}
        level = ROLE_LEVEL.get(self.role)
        if level == ScopeLevel.SCHOOL and not self.school_id:
            errors["school"] = "This role is held in a school: choose the school."
        if level == ScopeLevel.HUB and not self.hub_id:
            errors["hub"] = "An executive headteacher leads a hub: choose the hub."
        if level != ScopeLevel.SCHOOL and self.school_id:
            errors["school"] = "This role is not held in a single school: leave the school empty."
        if level != ScopeLevel.HUB and self.hub_id:
            errors["hub"] = "This role is not held in a hub: leave the hub empty."
        if self.school_id and self.school.trust_id != self.trust_id:
            errors["school"] = "The school belongs to another trust."
        if self.hub_id and self.hub.trust_id != self.trust_id:
            errors["hub"] = "The hub belongs to another trust."
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The end date is before the start date."
        if self.role in ROLES_REQUIRING_END_DATE and not self.ends_on:
            errors["ends_on"] = "Peer reviewer access is time-boxed: give an end date."
        if errors:
            raise ValidationError(errors)
