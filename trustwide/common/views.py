from django.contrib.auth.mixins import LoginRequiredMixin


class ScopedViewMixin(LoginRequiredMixin):
    """Base for every page: login required; objects are fetched through trustwide.access."""

    raise_exception = False

    def is_htmx(self) -> bool:
        return bool(getattr(self.request, "htmx", False))
