"""factory_boy factories for the domain, one per model, used by every test module."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from coordination.models import Agency, Commune, User
from coordination.people.services import person_saved
from hotspots.models import Hotspot

TEST_PASSWORD = "correct-horse-battery-staple"


def commune(nis_code: str) -> Commune:
    """Reference communes exist in every database (data migration): look them up."""
    return Commune.objects.select_related("police_zone").get(nis_code=nis_code)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["name_fr"]

    name_fr = factory.Sequence(lambda n: f"Agence {n}")
    name_nl = factory.Sequence(lambda n: f"Agentschap {n}")
    kind = Agency.Kind.ASSOCIATION


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_BE")
    last_name = factory.Faker("last_name", locale="fr_BE")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    agency = factory.SubFactory(AgencyFactory)
    role = User.Role.PARTICIPANT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])
            # Every person is in their agency's group, as the people services keep them.
            person_saved(obj)


class HotspotFactory(DjangoModelFactory):
    """A hotspot; pass ``communes=[...]`` (NIS codes or Commune objects)."""

    class Meta:
        model = Hotspot
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name_fr = factory.Sequence(lambda n: f"Lieu {n}")
    name_nl = factory.Sequence(lambda n: f"Plaats {n}")
    status = Hotspot.Status.ACTIVE
    phenomena = factory.LazyFunction(lambda: ["dealing"])
    proposed_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def communes(obj, create, extracted, **kwargs):
        if not create:
            return
        codes = extracted or ["21001"]
        obj.communes.set([c if isinstance(c, Commune) else commune(c) for c in codes])
