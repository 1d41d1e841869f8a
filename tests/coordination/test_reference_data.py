from collections import Counter

import pytest

from coordination.models import Commune, PoliceZone

pytestmark = pytest.mark.django_db


def test_nineteen_communes_in_six_zones():
    assert Commune.objects.count() == 19
    assert PoliceZone.objects.count() == 6
    per_zone = Counter(Commune.objects.values_list("police_zone__number", flat=True))
    assert sum(per_zone.values()) == 19
    assert set(per_zone) == set(PoliceZone.objects.values_list("number", flat=True))
    assert per_zone[5341] == 3  # Anderlecht, Forest, Saint-Gilles


def test_each_commune_has_names_boundary_and_nis_code():
    for town in Commune.objects.all():
        assert town.name_fr and town.name_nl
        assert len(town.nis_code) == 5 and town.nis_code.startswith("21")
        assert town.boundary["type"] in {"Polygon", "MultiPolygon"}


def test_names_follow_the_language():
    from django.utils import translation

    forest = Commune.objects.get(nis_code="21007")
    with translation.override("nl"):
        assert str(forest) == "Vorst"
    with translation.override("fr"):
        assert str(forest) == "Forest"
