"""Reads for MIS feeds, narrowed by trustwide.access like every page."""

from __future__ import annotations

from django.db.models import QuerySet

from trustwide.access import Perm, get_object_or_404_for, restrict

from .models import FeedRun, FeedSource

RUNS_SHOWN = 100


def sources_for(*, user, trust) -> QuerySet:
    return restrict(
        FeedSource.objects.filter(trust=trust), user, Perm.DATA_VIEW_IMPORTS
    ).select_related("school")


def runs_for(*, user, trust=None, source=None) -> QuerySet:
    runs = restrict(FeedRun.objects.all(), user, Perm.DATA_VIEW_IMPORTS)
    if trust is not None:
        runs = runs.filter(source__trust=trust)
    if source is not None:
        runs = runs.filter(source=source)
    return runs.select_related("source", "source__school").defer("errors", "items")


def source_for_page(user, pk) -> FeedSource:
    return get_object_or_404_for(
        user, Perm.DATA_VIEW_IMPORTS, FeedSource.objects.select_related("trust", "school"), pk=pk
    )


def run_for_page(user, pk) -> FeedRun:
    return get_object_or_404_for(
        user,
        Perm.DATA_VIEW_IMPORTS,
        FeedRun.objects.select_related("source", "source__trust", "source__school"),
        pk=pk,
    )
