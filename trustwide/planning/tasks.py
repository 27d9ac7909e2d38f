import datetime

from django_tasks import task


@task()
def send_pocket_guide_reminders(today_iso: str) -> int:
    from .services.publishing import send_september_reminders

    return send_september_reminders(datetime.date.fromisoformat(today_iso))
