from django.apps import AppConfig


class PeerReviewConfig(AppConfig):
    name = "trustwide.peer_review"
    label = "peer_review"
    verbose_name = "Peer review and support"
