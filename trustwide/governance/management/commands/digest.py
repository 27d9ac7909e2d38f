import datetime

from django.core.management.base import BaseCommand

from trustwide.accounts.models import User
from trustwide.governance.digest import send_digests


class Command(BaseCommand):
    help = (
        "Send the weekly email digest of due and overdue tasks (EMAIL_BACKEND; console by default)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is YYYY-MM-DD.")

    def handle(self, *args, **options):
        today = (
            datetime.date.fromisoformat(options["date"])
            if options["date"]
            else datetime.date.today()
        )
        users = User.objects.filter(is_active=True).order_by("pk")
        sent = send_digests(users.iterator(), today)
        self.stdout.write(f"Sent {sent} digest(s).")
