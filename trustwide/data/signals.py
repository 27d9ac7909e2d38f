from django.dispatch import Signal

# Sent after a batch is stored or rolled back (on commit): KPI recomputation listens.
batch_stored = Signal()
