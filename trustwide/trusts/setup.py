"""Starting a trust: what `trustwide createtrust` does, shared with the demo builder so the
demo starts exactly as a real trust does. A deployment operation (no actor, a label)."""

from __future__ import annotations

import datetime

from django.db import transaction

from trustwide.accounts.models import User
from trustwide.accounts.roles import Role
from trustwide.accounts.services import membership_create, user_get_or_create

from .models import AcademicYear, Trust
from .services import academic_year_create, trust_create
from .utils import current_academic_start_year


@transaction.atomic
def trust_start(
    *,
    actor_label: str,
    name: str,
    admin_email: str,
    admin_name: str,
    admin_password: str | None = None,
    admin_job_title: str = "",
    admin_starts_on: datetime.date | None = None,
    slug: str = "",
    **trust_fields,
) -> tuple[Trust, AcademicYear, User]:
    """The trust, its current academic year and its first trust administrator, who does the
    rest (schools, hubs, years, staff) in the product."""
    trust = trust_create(actor=None, actor_label=actor_label, name=name, slug=slug, **trust_fields)
    year = academic_year_create(
        actor=None,
        actor_label=actor_label,
        trust=trust,
        start_year=current_academic_start_year(),
        is_current=True,
    )
    admin = user_get_or_create(
        actor=None,
        actor_label=actor_label,
        trust=trust,
        email=admin_email,
        full_name=admin_name,
        job_title=admin_job_title,
        password=admin_password or None,
    )
    membership_create(
        actor=None,
        actor_label=actor_label,
        user=admin,
        role=Role.TRUST_ADMINISTRATOR,
        trust=trust,
        starts_on=admin_starts_on,
    )
    return trust, year, admin
