"""History rules (see trustwide/audit/history.py): a feed source and its runs are shown on
the source's page, to those who see the school's imports; the trust's settings to those who
configure its feeds; stale warnings have no page."""

from trustwide.access import Perm, restrict, trust_ids_at

from .models import FeedRun, FeedSettings, FeedSource

VISIBLE = {
    "feeds.feedsource": lambda user: restrict(
        FeedSource.objects.all(), user, Perm.DATA_VIEW_IMPORTS
    ),
    "feeds.feedrun": lambda user: restrict(FeedRun.objects.all(), user, Perm.DATA_VIEW_IMPORTS),
    "feeds.feedsettings": lambda user: FeedSettings.objects.filter(
        trust_id__in=trust_ids_at(user, Perm.DATA_IMPORT)
    ),
}
