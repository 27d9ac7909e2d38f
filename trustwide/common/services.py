"""Helpers every domain service uses."""

from django.core.exceptions import PermissionDenied


def require(allowed: bool, message: str = "You may not do this here.") -> None:
    """Services re-check permission even when the view did: commands and tasks call them too."""
    if not allowed:
        raise PermissionDenied(message)
