"""factory_boy factories for the task forces: task forces, members, meetings, plans, actions."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from coordination.models import Axis
from taskforces.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Escalation,
    Meeting,
    MeetingPoint,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.services import actions as action_services
from taskforces.services import plans as plan_services
from taskforces.services import taskforces as taskforce_services
from tests.factories import AgencyFactory, HotspotFactory, UserFactory


class TaskForceFactory(DjangoModelFactory):
    class Meta:
        model = TaskForce
        django_get_or_create = ["hotspot"]

    hotspot = factory.SubFactory(HotspotFactory)

    @factory.post_generation
    def plan(obj, create, extracted, **kwargs):
        """A task force opens with its plan (as ``taskforce_open`` does)."""
        if create:
            plan_services.plan_open(taskforce=obj)


class MembershipFactory(DjangoModelFactory):
    """A member; use ``member()`` when the guardian permissions matter too."""

    class Meta:
        model = Membership

    taskforce = factory.SubFactory(TaskForceFactory)
    user = factory.SubFactory(UserFactory)
    agency = factory.LazyAttribute(lambda membership: membership.user.agency)
    role = Membership.Role.MEMBER


def member(taskforce: TaskForce, user, role: str = Membership.Role.MEMBER) -> Membership:
    """Add ``user`` through the service, as the chair would (permissions granted)."""
    return taskforce_services.membership_add(taskforce=taskforce, user=user, role=role, by=None)


class ActionPlanFactory(DjangoModelFactory):
    class Meta:
        model = ActionPlan
        django_get_or_create = ["taskforce"]
        skip_postgeneration_save = True

    taskforce = factory.SubFactory(TaskForceFactory)

    @factory.post_generation
    def first_version(obj, create, extracted, **kwargs):
        if create:
            PlanVersion.objects.get_or_create(plan=obj, number=1)


class PlanVersionFactory(DjangoModelFactory):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(ActionPlanFactory)
    number = factory.Sequence(lambda n: n + 2)
    state = PlanVersion.State.DRAFT


class ActionFactory(DjangoModelFactory):
    """A complete action (ready for submission) unless told otherwise."""

    class Meta:
        model = Action
        skip_postgeneration_save = True

    plan = factory.SubFactory(ActionPlanFactory)
    axis = Axis.SECURITY
    title = factory.Sequence(lambda n: f"Action {n}")
    description = "Une action du plan."
    lead_agency = factory.SubFactory(AgencyFactory)
    start_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))
    horizon = Action.Horizon.SHORT
    status = Action.Status.PLANNED
    progress = 0
    deliverable = "Rapport"

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.partner_agencies.set(extracted)
        if create:
            # The lead and partner agencies' permissions, as the action services grant them.
            action_services.action_grants_sync(obj)


class ActionUpdateFactory(DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionFactory)
    author = factory.SubFactory(UserFactory)
    agency = factory.LazyAttribute(lambda update: update.author.agency)
    comment = factory.Sequence(lambda n: f"Note {n}")
    confidentiality = factory.LazyAttribute(lambda update: update.action.confidentiality)


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    taskforce = factory.SubFactory(TaskForceFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    place = "Maison communale, salle du conseil"
    agenda = "1. Suivi du plan"
    created_by = factory.SubFactory(UserFactory)


class MeetingPointFactory(DjangoModelFactory):
    class Meta:
        model = MeetingPoint

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Point {n}")
    is_open = True


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    action = factory.SubFactory(ActionFactory, status=Action.Status.BLOCKED)
    reason = "Pas de local disponible."
    raised_by = factory.SubFactory(UserFactory)


# --- A whole task force, as the tests meet it --------------------------------------------


class Cast:
    """The Midi task force: its members from several agencies and a complete plan.

    Actions: one on each axis for the task force, plus one police-judicial security action.
    """

    def __init__(self, *, hotspot, chair, police, association, analyst):
        from coordination.models import Agency

        self.taskforce = taskforce_services.taskforce_open(hotspot=hotspot, by=analyst)
        self.plan = plan_services.plan_open(taskforce=self.taskforce)
        self.chair, self.police, self.association = chair, police, association
        self.commune = chair.agency
        self.coordinator = UserFactory(username="tf-coordinator", agency=self.commune)
        self.dune = AgencyFactory(name_fr="Dune asbl", name_nl="Dune vzw")
        self.partner = UserFactory(username="dune-worker", agency=self.dune)
        self.parquet = AgencyFactory(
            name_fr="Parquet de Bruxelles",
            name_nl="Parket van Brussel",
            kind=Agency.Kind.PROSECUTOR,
        )
        self.prosecutor = UserFactory(username="parquet", agency=self.parquet)
        member(self.taskforce, chair, Membership.Role.CHAIR)
        member(self.taskforce, self.coordinator, Membership.Role.COORDINATOR)
        member(self.taskforce, police)
        member(self.taskforce, association)
        member(self.taskforce, self.partner)
        member(self.taskforce, self.prosecutor)
        self.security = ActionFactory(
            plan=self.plan,
            axis=Axis.SECURITY,
            title="Patrouilles mixtes autour de la gare",
            lead_agency=police.agency,
            partners=[association.agency],
        )
        self.secret = ActionFactory(
            plan=self.plan,
            axis=Axis.SECURITY,
            title="Enquête sur le réseau du square",
            lead_agency=police.agency,
            partners=[self.parquet],
            confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
            progress=80,
        )
        self.prevention = ActionFactory(
            plan=self.plan,
            axis=Axis.PREVENTION,
            title="Travail de rue en soirée",
            lead_agency=association.agency,
            partners=[self.dune],
            progress=40,
        )
        self.neighbourhood = ActionFactory(
            plan=self.plan,
            axis=Axis.NEIGHBOURHOOD,
            title="Éclairage du passage",
            lead_agency=self.commune,
            progress=20,
        )
