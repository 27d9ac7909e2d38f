from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trustwide.accounts.invitations import invitation_send
from trustwide.accounts.models import User
from trustwide.trusts.models import Trust
from trustwide.trusts.setup import trust_start


class Command(BaseCommand):
    help = (
        "Create a trust, its current academic year and its first trust administrator, who is "
        "emailed an invitation to set a password (or given --admin-password)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="Trust administrator")
        parser.add_argument(
            "--admin-password",
            default="",
            help="Set this password instead of emailing an invitation (checked by the password rules).",
        )
        parser.add_argument("--slug", default="")
        parser.add_argument(
            "--site-url",
            default="",
            help=f"Where the invitation link points (default TRUSTWIDE_SITE_URL, now {settings.SITE_URL}).",
        )

    def handle(
        self, *args, name, admin_email, admin_name, admin_password, slug, site_url, **options
    ):
        if Trust.objects.filter(name=name).exists():
            raise CommandError(f"A trust called {name!r} already exists.")
        if admin_password:
            try:
                validate_password(admin_password, User(email=admin_email, full_name=admin_name))
            except ValidationError as exc:
                raise CommandError("--admin-password: " + " ".join(exc.messages)) from exc
        label = "trustwide createtrust"
        link = None
        with transaction.atomic():
            trust, _, admin = trust_start(
                actor_label=label,
                name=name,
                slug=slug,
                admin_email=admin_email,
                admin_name=admin_name,
                admin_password=admin_password or None,
            )
            if not admin_password and not admin.has_usable_password():
                # The email is sent on commit (the console backend prints it).
                link = invitation_send(
                    actor=None,
                    actor_label=label,
                    user=admin,
                    trust=trust,
                    base_url=site_url or None,
                )
        if link:
            how = f"an invitation to set their password was emailed to them. The link: {link}"
        elif admin_password:
            how = "they sign in with the password given."
        else:
            how = "they already have a Trustwide password."
        self.stdout.write(
            f"Created {trust.name} ({trust.slug}). {admin.email} is its administrator: {how}"
        )
