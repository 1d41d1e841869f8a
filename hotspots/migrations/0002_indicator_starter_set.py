"""The starter set of indicators every install begins with (the CSIR can add more)."""

from django.db import migrations

STARTER_SET = [
    # code, name_fr, name_nl, unit_fr, unit_nl, axis, lower_is_better, supplier_kind
    ("shootings", "Fusillades", "Schietincidenten", "faits", "feiten", "security", True, "local_police"),
    ("drug_arrests", "Arrestations liées à la drogue", "Drugsgerelateerde arrestaties", "arrestations", "arrestaties", "security", False, "local_police"),
    ("seizures", "Saisies de stupéfiants", "Inbeslagnames van verdovende middelen", "saisies", "inbeslagnames", "security", False, "local_police"),
    ("identity_checks", "Contrôles d'identité", "Identiteitscontroles", "contrôles", "controles", "security", False, "local_police"),
    ("outreach_contacts", "Contacts de travail de rue", "Contacten straathoekwerk", "contacts", "contacten", "prevention", False, "association"),
    ("care_referrals", "Personnes orientées vers les soins", "Personen doorverwezen naar zorg", "personnes", "personen", "prevention", False, "association"),
    ("resident_complaints", "Plaintes d'habitants", "Klachten van bewoners", "plaintes", "klachten", "neighbourhood", True, "commune"),
    ("neighbourhood_activities", "Activités de quartier organisées", "Georganiseerde buurtactiviteiten", "activités", "activiteiten", "neighbourhood", False, "commune"),
]


def load(apps, schema_editor):
    IndicatorDefinition = apps.get_model("hotspots", "IndicatorDefinition")
    for position, (code, name_fr, name_nl, unit_fr, unit_nl, axis, lower, kind) in enumerate(
        STARTER_SET
    ):
        IndicatorDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name_fr": name_fr,
                "name_nl": name_nl,
                "unit_fr": unit_fr,
                "unit_nl": unit_nl,
                "axis": axis,
                "lower_is_better": lower,
                "supplier_kind": kind,
                "position": position,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("hotspots", "IndicatorDefinition").objects.filter(
        code__in=[row[0] for row in STARTER_SET], values__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("hotspots", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
