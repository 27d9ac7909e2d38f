import contextlib
import contextvars

from django.dispatch import Signal

# Sent after a batch is stored or rolled back (on commit): KPI recomputation listens.
batch_stored = Signal()

_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "batch_signals_suspended", default=False
)


@contextlib.contextmanager
def batch_signals_suspended():
    """For bulk loads (the demo) that recompute once at the end instead of after every file."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def batch_signals_are_suspended() -> bool:
    return _suspended.get()
