"""The hotspots URLs, each under the ``hotspots`` namespace."""

from django.urls import path

from hotspots.views import (
    displacement_quotient,
    hotspot_list,
    hotspots,
    indicators,
    order_register,
    orders,
)

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
    # The register of police orders: amendments, publication steps
    path("orders/register/", order_register.order_register, name="order_register"),
    path(
        "orders/<int:pk>/amendments/new/",
        order_register.amendment_new,
        name="order_amendment_new",
    ),
    path("orders/steps/<int:pk>/done/", order_register.step_done, name="order_step_done"),
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
    # Displacement early warning
    path(
        "displacement-quotient/",
        displacement_quotient.displacement_quotient,
        name="displacement_quotient",
    ),
    path(
        "<int:pk>/displacement-quotient/",
        displacement_quotient.displacement_hotspot,
        name="displacement_hotspot",
    ),
]

# The hotspot list over time (issue 15, item 3)
urlpatterns += [
    path("list-history/", hotspot_list.list_history, name="list_history"),
    path("list-history/record/", hotspot_list.list_change_record, name="list_change_record"),
    path("<int:pk>/exit-criteria/", hotspot_list.exit_criteria, name="exit_criteria"),
    path(
        "exit-criteria/<int:pk>/review/",
        hotspot_list.exit_criterion_review,
        name="exit_criterion_review",
    ),
]
