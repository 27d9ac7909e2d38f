app_name = "peer_review"
urlpatterns: list = []
