from hotspots.views import hotspots, indicators, orders

app_name = "hotspots"

urlpatterns = hotspots.urlpatterns + orders.urlpatterns + indicators.urlpatterns
