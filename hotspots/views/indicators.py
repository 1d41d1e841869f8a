"""Views of indicators (being written)."""

urlpatterns: list = []
