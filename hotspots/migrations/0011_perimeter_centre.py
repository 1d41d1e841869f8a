"""The centre of each hotspot's perimeter, stored beside it (issue 16).

The displacement arrows of the hotspots map start at the centre of their origin hotspot's
perimeter: it was computed from the perimeter (GeoJSON, loaded and parsed with shapely) on
every request of the hotspot list and the regional overview. The services that write
``Hotspot.perimeter`` now store ``perimeter_centre`` with it (``services.hotspots
.perimeter_centre``); this migration fills it for the perimeters already there, with the same
computation (``geo.area_center``).
"""

from django.db import migrations, models
from shapely.errors import ShapelyError

from coordination.core import geo


def fill_centres(apps, schema_editor):
    Hotspot = apps.get_model("hotspots", "Hotspot")
    for pk, perimeter in (
        Hotspot.objects.filter(perimeter__isnull=False).values_list("pk", "perimeter").iterator()
    ):
        if not perimeter:
            continue
        try:
            lon, lat = geo.area_center(perimeter)
        except (ValueError, TypeError, KeyError, AttributeError, ShapelyError):
            # Not a readable area: left empty, the maps compute it (or skip it) as before.
            continue
        Hotspot.objects.filter(pk=pk).update(perimeter_centre=[lon, lat])


class Migration(migrations.Migration):
    dependencies = [("hotspots", "0010_search_indexes_tuned")]

    operations = [
        migrations.AddField(
            model_name="hotspot",
            name="perimeter_centre",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="centre of the perimeter"
            ),
        ),
        migrations.RunPython(fill_centres, migrations.RunPython.noop, elidable=True),
    ]
