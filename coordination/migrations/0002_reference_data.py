"""Load the 6 police zones and 19 communes (names FR/NL, NIS codes, boundaries).

The files in coordination/reference/data/ are copies of ../shared/data/brussels/ (see SOURCES.md
there for origins and licence). Reversible: unloading removes exactly these rows.
"""

import csv
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "reference" / "data"


def load(apps, schema_editor):
    PoliceZone = apps.get_model("coordination", "PoliceZone")
    Commune = apps.get_model("coordination", "Commune")
    with (DATA / "police_zones.csv").open(encoding="utf-8") as fh:
        zones = {
            row["number"]: PoliceZone.objects.update_or_create(
                number=int(row["number"]),
                defaults={
                    "name_fr": row["name_fr"],
                    "name_nl": row["name_nl"],
                    "alias": row["alias"],
                },
            )[0]
            for row in csv.DictReader(fh)
        }
    boundaries = {
        feature["properties"]["nis_code"]: feature["geometry"]
        for feature in json.loads((DATA / "communes.geojson").read_text(encoding="utf-8"))[
            "features"
        ]
    }
    with (DATA / "communes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Commune.objects.update_or_create(
                nis_code=row["nis_code"],
                defaults={
                    "name_fr": row["name_fr"],
                    "name_nl": row["name_nl"],
                    "police_zone": zones[row["police_zone_number"]],
                    "postal_codes": row["postal_codes"].replace(";", ", "),
                    "boundary": boundaries[row["nis_code"]],
                },
            )


def unload(apps, schema_editor):
    Commune = apps.get_model("coordination", "Commune")
    PoliceZone = apps.get_model("coordination", "PoliceZone")
    with (DATA / "communes.csv").open(encoding="utf-8") as fh:
        Commune.objects.filter(nis_code__in=[row["nis_code"] for row in csv.DictReader(fh)]).delete()
    with (DATA / "police_zones.csv").open(encoding="utf-8") as fh:
        PoliceZone.objects.filter(number__in=[int(row["number"]) for row in csv.DictReader(fh)]).delete()


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
