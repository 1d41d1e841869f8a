from hotspots.views import displacement, hotspots, indicators, orders

app_name = "hotspots"

urlpatterns = (
    hotspots.urlpatterns + orders.urlpatterns + indicators.urlpatterns + displacement.urlpatterns
)
