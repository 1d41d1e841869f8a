"""Views of orders (being written)."""

urlpatterns: list = []
