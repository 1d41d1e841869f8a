"""The hotspots URLs, each under the ``hotspots`` namespace."""

from django.urls import path

from hotspots.views import hotspots, indicators, orders

app_name = "hotspots"
urlpatterns = [
    # Hotspots
    path("", hotspots.hotspot_list, name="list"),
    path("new/", hotspots.hotspot_propose, name="propose"),
    path("awaiting/", hotspots.awaiting_decision, name="awaiting"),
    path("<int:pk>/", hotspots.hotspot_detail, name="detail"),
    path("<int:pk>/edit/", hotspots.hotspot_edit, name="edit"),
    path("<int:pk>/perimeter/", hotspots.hotspot_perimeter, name="perimeter"),
    path(
        "<int:pk>/perimeter/v<int:number>.geojson",
        hotspots.perimeter_version_geojson,
        name="perimeter_version",
    ),
    path("<int:pk>/request-approval/", hotspots.hotspot_request_approval, name="request_approval"),
    path("<int:pk>/decide/", hotspots.hotspot_decide, name="decide"),
    path("<int:pk>/activate/", hotspots.hotspot_activate, name="activate"),
    path("<int:pk>/close/", hotspots.hotspot_close, name="close"),
    # Orders
    path("orders/", orders.order_list, name="orders"),
    path("orders/new/", orders.order_new, name="order_new"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", orders.order_edit, name="order_edit"),
    path("orders/<int:pk>/document", orders.order_document, name="order_document"),
    path(
        "orders/<int:pk>/documents/<int:number>",
        orders.order_document_version,
        name="order_document_version",
    ),
    # Indicators
    path("<int:pk>/indicators/", indicators.indicator_grid, name="indicator_grid"),
    path("<int:pk>/indicators/cell/", indicators.indicator_cell, name="indicator_cell"),
    path("<int:pk>/indicators/export.csv", indicators.indicator_export, name="indicator_export"),
    path("indicators/export.csv", indicators.indicator_export_all, name="indicator_export_all"),
    path("indicators/import/", indicators.indicator_import, name="indicator_import"),
    path(
        "indicators/import/template.csv",
        indicators.indicator_import_template,
        name="indicator_import_template",
    ),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/goal/",
        indicators.indicator_goal,
        name="indicator_goal",
    ),
    path(
        "indicators/completeness/",
        indicators.indicator_completeness,
        name="indicator_completeness",
    ),
    path("indicators/completeness/remind/", indicators.indicator_remind, name="indicator_remind"),
]
