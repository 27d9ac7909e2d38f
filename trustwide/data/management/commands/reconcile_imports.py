from django.core.management.base import BaseCommand

from trustwide.data.reconcile import import_batches_reconcile


class Command(BaseCommand):
    help = (
        "Reconcile import batches with the analytics store after kills and outages: finish or "
        "undo interrupted store writes, remove left-over temporary files, mark imports left "
        "running by a gone worker as failed, roll back store batches no import owns. "
        "`serve` runs it at start-up; the scheduler hourly."
    )

    def handle(self, *args, **options):
        done = import_batches_reconcile()
        for line in done:
            self.stdout.write(line)
        self.stdout.write(f"Import sweep: {len(done)} change(s).")
