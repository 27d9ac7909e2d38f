"""History rules (see trustwide/audit/history.py): a token and its uses are their owner's alone."""

from .models import ApiRequest, ApiToken

VISIBLE = {
    "api.apitoken": lambda user: ApiToken.objects.filter(user=user),
    "api.apirequest": lambda user: ApiRequest.objects.filter(token__user=user),
}
