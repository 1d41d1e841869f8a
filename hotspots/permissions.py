"""Who may see and change hotspots, decisions, police orders and indicators (DESIGN.md §5).

One access helper per model: ``get_<model>_for(user, pk, perm)`` raises 404 when the user
may not see the object (an outsider cannot tell it exists) and 403 when they may see it
but not do ``perm``. Views, partials and exports all go through these helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from coordination.models import Agency, Commune, User
from coordination.people import permissions as policy
from coordination.people.permissions import checker_for
from hotspots.models import (
    ExitCriterion,
    Hotspot,
    IndicatorDefinition,
    MayorDecision,
    OrderDocument,
    PerimeterDecision,
    PerimeterVersion,
    PoliceOrder,
    PublicationStep,
)

Status = Hotspot.Status
# Once approved, a hotspot is public knowledge among the partners; before, only the CSIR,
# the CoReS, the concerned mayors and the proposer know of it.
PUBLIC_STATUSES = (Status.APPROVED, Status.ACTIVE, Status.CLOSED)
POLICE_KINDS = Agency.POLICE_KINDS

HotspotPerm = Literal["view", "change", "request_approval", "decide", "govern"]
# The object permission (django-guardian) a mayor holds on a hotspot while their commune's
# decision is pending; granted and taken back by the hotspot services.
DECIDE_CODENAME = "decide_hotspot"
DECIDE_PERM = f"hotspots.{DECIDE_CODENAME}"


def mayors_of(communes: Iterable[Commune]) -> QuerySet[User]:
    """The active mayors (and delegates) of ``communes``: who decides for each."""
    return User.objects.filter(role=User.Role.MAYOR, commune__in=list(communes), is_active=True)


OrderPerm = Literal["view", "change"]


def visible_hotspots(user: User) -> QuerySet[Hotspot]:
    """The hotspots ``user`` may see, as a queryset to filter further."""
    hotspots = Hotspot.objects.all()
    if policy.is_csir(user) or policy.is_cores_member(user):
        return hotspots
    condition = Q(status__in=PUBLIC_STATUSES) | Q(proposed_by=user)
    if policy.is_mayor(user):
        condition |= Q(pk__in=Hotspot.objects.filter(communes=user.commune_id).values("pk"))
    return hotspots.filter(condition)


def concerns_mayor(user: User, hotspot: Hotspot) -> bool:
    return policy.is_mayor(user) and any(c.pk == user.commune_id for c in hotspot.communes.all())


def can_view_hotspot(user: User, hotspot: Hotspot) -> bool:
    return (
        hotspot.status in PUBLIC_STATUSES
        or policy.is_csir(user)
        or policy.is_cores_member(user)
        or hotspot.proposed_by_id == user.pk
        or concerns_mayor(user, hotspot)
    )


def can_change_hotspot(user: User, hotspot: Hotspot) -> bool:
    """The CSIR edits any open hotspot; a mayor edits their own proposal until it is sent."""
    if hotspot.status in (Status.CLOSED, Status.REJECTED):
        return False
    if policy.is_csir(user):
        return True
    return hotspot.status == Status.PROPOSED and hotspot.proposed_by_id == user.pk


def can_request_approval(user: User, hotspot: Hotspot) -> bool:
    return hotspot.status == Status.PROPOSED and (
        policy.is_csir(user) or hotspot.proposed_by_id == user.pk
    )


def pending_decision(user: User, hotspot: Hotspot) -> MayorDecision | PerimeterDecision | None:
    """The decision this mayor still owes on this hotspot, if any (guardian decides who):
    on the hotspot itself while it awaits approval, or on a proposed change of its
    perimeter once it is approved."""
    if not policy.is_mayor(user):
        return None
    commune_id = cast(int, user.commune_id)
    if hotspot.status == Status.AWAITING_APPROVAL:
        if not checker_for(user).has_perm(DECIDE_CODENAME, hotspot):
            return None
        return (
            hotspot.decisions.filter(commune_id=commune_id, decision=MayorDecision.Decision.PENDING)
            .select_related("commune")
            .first()
        )
    if hotspot.status not in (Status.APPROVED, Status.ACTIVE):
        return None
    if not checker_for(user).has_perm(DECIDE_CODENAME, hotspot):
        return None
    return (
        PerimeterDecision.objects.filter(
            hotspot=hotspot,
            commune_id=commune_id,
            decision=PerimeterDecision.Decision.PENDING,
            version__state=PerimeterVersion.State.PROPOSED,
        )
        .select_related("commune", "version__proposed_by")
        .first()
    )


# The versions that were the hotspot's perimeter for everyone; the others (drafts before
# approval, proposals, rejected or withdrawn ones) stay within the circle that sees
# proposals, as a proposed hotspot does.
PUBLIC_VERSION_STATES = (PerimeterVersion.State.IN_FORCE, PerimeterVersion.State.SUPERSEDED)


def sees_proposals(user: User, hotspot: Hotspot) -> bool:
    """The CSIR, the CoReS and the concerned mayors see what is proposed before it is decided."""
    return policy.is_csir(user) or policy.is_cores_member(user) or concerns_mayor(user, hotspot)


def can_view_version(user: User, hotspot: Hotspot, version: PerimeterVersion) -> bool:
    """``hotspot`` is one ``user`` may see (checked by ``get_hotspot_for``)."""
    if version.state in PUBLIC_VERSION_STATES and hotspot.status in PUBLIC_STATUSES:
        return True
    return sees_proposals(user, hotspot) or version.proposed_by_id == user.pk


def get_perimeter_version_for(user: User, pk: int, number: int) -> PerimeterVersion:
    """Version ``number`` of hotspot ``pk``'s perimeter; 404 if either is unseen."""
    hotspot = get_hotspot_for(user, pk)
    version = hotspot.perimeter_versions.select_related("proposed_by").filter(number=number).first()
    if version is None or not can_view_version(user, hotspot, version):
        raise Http404
    version.hotspot = hotspot
    return version


def can_govern(user: User, hotspot: Hotspot) -> bool:
    """Activate or close a hotspot: the CSIR's job."""
    return policy.is_csir(user)


def can_propose_hotspot(user: User) -> bool:
    return policy.is_csir(user) or policy.is_mayor(user)


def get_hotspot_for(user: User, pk: int, perm: HotspotPerm = "view") -> Hotspot:
    """The hotspot ``pk`` if ``user`` may ``perm`` it; 404 if unseen, 403 if not allowed."""
    hotspot = (
        Hotspot.objects.select_related("proposed_by", "period")
        .prefetch_related("communes__police_zone")
        .filter(pk=pk)
        .first()
    )
    if hotspot is None or not can_view_hotspot(user, hotspot):
        raise Http404
    allowed = {
        "view": lambda: True,
        "change": lambda: can_change_hotspot(user, hotspot),
        "request_approval": lambda: can_request_approval(user, hotspot),
        "decide": lambda: pending_decision(user, hotspot) is not None,
        "govern": lambda: can_govern(user, hotspot),
    }[perm]()
    if not allowed:
        raise PermissionDenied
    return hotspot


# --- Police orders --------------------------------------------------------------------


def visible_orders(user: User) -> QuerySet[PoliceOrder]:
    """Orders are legal acts: everyone sees the regional ones and those of visible hotspots."""
    return PoliceOrder.objects.filter(
        Q(hotspot__isnull=True) | Q(hotspot__in=visible_hotspots(user))
    )


def can_create_order(user: User, hotspot: Hotspot | None) -> bool:
    """The CSIR records any order; a mayor records local orders for hotspots of their commune."""
    if policy.is_csir(user):
        return True
    return hotspot is not None and concerns_mayor(user, hotspot)


def can_change_order(user: User, order: PoliceOrder) -> bool:
    return can_create_order(user, order.hotspot)


def get_order_for(user: User, pk: int, perm: OrderPerm = "view") -> PoliceOrder:
    order = (
        visible_orders(user)
        .select_related("hotspot", "extends", "signer", "created_by")
        .prefetch_related("hotspot__communes")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    if perm == "change" and not can_change_order(user, order):
        raise PermissionDenied
    return order


def get_order_document_for(user: User, pk: int, number: int) -> OrderDocument:
    """Version ``number`` of order ``pk``'s signed document: whoever sees the order."""
    order = get_order_for(user, pk)
    document = order.documents.select_related("uploaded_by").filter(number=number).first()
    if document is None:
        raise Http404
    document.order = order
    return document


def creatable_hotspots(user: User) -> QuerySet[Hotspot]:
    """The hotspots ``user`` may record a local order for (empty for most roles)."""
    candidates = visible_hotspots(user).prefetch_related("communes")
    allowed = [hotspot.pk for hotspot in candidates if can_create_order(user, hotspot)]
    return Hotspot.objects.filter(pk__in=allowed).order_by("code")


def can_remind_indicators(user: User) -> bool:
    """The CSIR reminds the supplying agencies of the indicator values missing."""
    return policy.is_csir(user)


def may_record_orders(user: User) -> bool:
    """Whether the 'new order' page is open to ``user`` at all."""
    return can_create_order(user, None) or creatable_hotspots(user).exists()


# --- Indicators -----------------------------------------------------------------------


def can_enter_indicator(user: User, hotspot: Hotspot, indicator: IndicatorDefinition) -> bool:
    """Police and the CSIR enter police figures; each other agency its own kind, where it works.

    A local police or a commune enters values only for hotspots in its zone or commune;
    ``hotspot.communes`` should be prefetched with their police zones.
    """
    if hotspot.status not in PUBLIC_STATUSES and not policy.is_csir(user):
        return False
    if policy.is_csir(user):
        return True
    if not user.is_authenticated:
        return False
    agency = user.agency
    if indicator.supplier_kind in POLICE_KINDS:
        if agency.kind == Agency.Kind.FEDERAL_POLICE:
            return True
        if agency.kind != Agency.Kind.LOCAL_POLICE:
            return False
        return any(c.police_zone_id == agency.police_zone_id for c in hotspot.communes.all())
    if agency.kind != indicator.supplier_kind:
        return False
    if agency.kind == Agency.Kind.COMMUNE:
        return any(c.pk == agency.commune_id for c in hotspot.communes.all())
    return True


def enterable_indicators(
    user: User, hotspot: Hotspot, indicators: list[IndicatorDefinition]
) -> set[int]:
    return {i.pk for i in indicators if can_enter_indicator(user, hotspot, i)}


# --- Displacement reports -------------------------------------------------------------


def can_import_indicators(user: User) -> bool:
    """The CSIR, and any agency of a kind that supplies at least one indicator."""
    if policy.is_csir(user):
        return True
    kinds = set(IndicatorDefinition.objects.values_list("supplier_kind", flat=True).distinct())
    if kinds & POLICE_KINDS:
        kinds |= POLICE_KINDS
    return user.agency.kind in kinds


# --- The register of police orders: amendments and publication steps --------------------

StepPerm = Literal["view", "tick"]


def can_amend_order(user: User, order: PoliceOrder) -> bool:
    """Who records an amendment: whoever may correct the order (the CSIR; a mayor their
    commune's local orders)."""
    return can_change_order(user, order)


def speaks_for_commune(user: User, commune_id: int | None) -> bool:
    """The commune's mayor (or delegate), or a member of the commune's own agency."""
    if commune_id is None or not user.is_authenticated:
        return False
    if policy.is_mayor(user) and user.commune_id == commune_id:
        return True
    agency = user.agency
    return agency.kind == Agency.Kind.COMMUNE and agency.commune_id == commune_id


def can_tick_step(user: User, step: PublicationStep, order: PoliceOrder) -> bool:
    """A commune ticks its own posting step (and only that one); the CSIR any step; the
    other steps, whoever may amend the order; the step's named owner, their step."""
    if step.owner_user_id is not None and step.owner_user_id == user.pk:
        return True
    if policy.is_csir(user):
        return True
    if step.kind == PublicationStep.Kind.POSTED:
        return speaks_for_commune(user, step.commune_id)
    return can_amend_order(user, order)


def get_publication_step_for(user: User, pk: int, perm: StepPerm = "view") -> PublicationStep:
    """Publication step ``pk`` of an order ``user`` may see; 404 if unseen, 403 if ``user``
    may see it but not tick it."""
    step = (
        PublicationStep.objects.select_related(
            "amendment__order__hotspot", "commune", "owner_agency", "owner_user", "done_by"
        )
        .filter(pk=pk, amendment__order__in=visible_orders(user))
        .first()
    )
    if step is None:
        raise Http404
    if perm == "tick" and not can_tick_step(user, step, step.amendment.order):
        raise PermissionDenied
    return step


# --- The hotspot list over time: exit criteria -------------------------------------------

CriterionPerm = Literal["view", "review"]


def get_exit_criterion_for(user: User, pk: int, perm: CriterionPerm = "view") -> ExitCriterion:
    """Exit criterion ``pk`` of a hotspot ``user`` may see; 404 if unseen, 403 if ``user``
    may see it but not review it (only the CSIR reviews)."""
    criterion = (
        ExitCriterion.objects.select_related("hotspot")
        .filter(pk=pk, hotspot__in=visible_hotspots(user))
        .first()
    )
    if criterion is None:
        raise Http404
    if perm == "review" and not policy.is_csir(user):
        raise PermissionDenied
    return criterion
