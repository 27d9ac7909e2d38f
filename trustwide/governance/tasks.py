import datetime

from django_tasks import task


@task()
def send_weekly_digest(today_iso: str) -> int:
    from trustwide.accounts.models import User

    from .digest import send_digests

    users = User.objects.filter(is_active=True).order_by("pk")
    return send_digests(users.iterator(), datetime.date.fromisoformat(today_iso))
