from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trustwide.accounts.roles import Role
from trustwide.accounts.services import membership_create, user_get_or_create
from trustwide.trusts.models import Trust
from trustwide.trusts.services import academic_year_create, trust_create
from trustwide.trusts.utils import current_academic_start_year


class Command(BaseCommand):
    help = "Create a trust, its current academic year and its first trust administrator."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="Trust administrator")
        parser.add_argument("--slug", default="")

    @transaction.atomic
    def handle(self, *args, name, admin_email, admin_name, slug, **options):
        if Trust.objects.filter(name=name).exists():
            raise CommandError(f"A trust called {name!r} already exists.")
        label = "trustwide createtrust"
        trust = trust_create(actor=None, actor_label=label, name=name, slug=slug)
        academic_year_create(
            actor=None, actor_label=label, trust=trust, start_year=current_academic_start_year(), is_current=True
        )
        admin = user_get_or_create(
            actor=None, actor_label=label, trust=trust, email=admin_email, full_name=admin_name
        )
        membership_create(actor=None, actor_label=label, user=admin, role=Role.TRUST_ADMINISTRATOR, trust=trust)
        self.stdout.write(
            f"Created {trust.name} ({trust.slug}). {admin.email} is its administrator: "
            "they set a password with 'Forgotten your password?' on the login page."
        )
