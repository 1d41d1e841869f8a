"""Demo police orders: the regional order of 2 April 2024, its extensions, local orders.

Idempotent (orders are looked up by their French title) and right on any date: the
regional order is extended by six months at a time until an extension covers today.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.html import escape

from coordination.core import workdays
from coordination.core.dates import add_months
from coordination.core.demo_texts import stored
from coordination.models import User
from hotspots.models import Hotspot, MeasureType, OrderAmendment, PoliceOrder, PublicationStep
from hotspots.services.order_register import amendment_record, step_mark_done
from hotspots.services.orders import order_create

Scope = PoliceOrder.Scope
M = MeasureType

REGIONAL_START = dt.date(2024, 4, 2)
REGIONAL_END = dt.date(2024, 10, 1)
REGIONAL_SIGNATORY = "Le Ministre-Président de la Région de Bruxelles-Capitale"
REGIONAL_LEGAL_REFERENCE = (
    "Loi spéciale du 12 janvier 1989 relative aux Institutions bruxelloises, art. 48 ; "
    "Nouvelle loi communale, art. 134ter"
)
REGIONAL_TITLE_FR = (
    "Arrêté de police du 2 avril 2024 portant des mesures temporaires dans les zones "
    "prioritaires de la stratégie régionale contre le trafic de drogues"
)
REGIONAL_TITLE_NL = (
    "Politieverordening van 2 april 2024 houdende tijdelijke maatregelen in de "
    "prioritaire zones van de gewestelijke strategie tegen drugshandel"
)
# The orders' texts in Dutch, by their French text.
NL = {
    REGIONAL_SIGNATORY: "De Minister-President van het Brussels Hoofdstedelijk Gewest",
    REGIONAL_LEGAL_REFERENCE: "Bijzondere wet van 12 januari 1989 met betrekking tot de "
    "Brusselse Instellingen, art. 48; Nieuwe Gemeentewet, art. 134ter",
    "Interdiction de vente d'alcool à emporter de 20 h à 6 h ; interdiction de vente de "
    "protoxyde d'azote ; contrôles d'identité et fouilles systématiques ; saisie des "
    "objets servant au trafic.": "Verbod op de verkoop van alcohol om mee te nemen van 20 "
    "tot 6 uur; verbod op de verkoop van distikstofmonoxide; systematische "
    "identiteitscontroles en fouilleringen; inbeslagname van voorwerpen die voor de handel "
    "worden gebruikt.",
    "Nouvelle loi communale, art. 134sexies": "Nieuwe Gemeentewet, art. 134sexies",
    "Nouvelle loi communale, art. 134quater": "Nieuwe Gemeentewet, art. 134quater",
    "Nouvelle loi communale, art. 135, § 2": "Nieuwe Gemeentewet, art. 135, § 2",
    "Le bourgmestre d'Anderlecht": "De burgemeester van Anderlecht",
    "La bourgmestre de Saint-Gilles": "De burgemeester van Sint-Gillis",
    "Le bourgmestre de Molenbeek-Saint-Jean": "De burgemeester van Sint-Jans-Molenbeek",
    "La bourgmestre de la Ville de Bruxelles": "De burgemeester van de Stad Brussel",
    "Interdiction de lieu de trois mois pour les personnes interpellées pour trafic ; "
    "contrôles systématiques aux entrées des blocs.": "Plaatsverbod van drie maanden voor "
    "personen die voor drugshandel werden opgepakt; systematische controles aan de ingangen "
    "van de blokken.",
    "Fermeture de 22 h à 6 h des commerces de nuit désignés ; interdiction de vente "
    "d'alcool à emporter.": "Sluiting van de aangewezen nachtwinkels van 22 tot 6 uur; "
    "verbod op de verkoop van alcohol om mee te nemen.",
}
TEXT_FIELDS = ("signatory", "legal_reference", "measure_details")
REGIONAL_MEASURES = [M.ALCOHOL_BAN, M.LAUGHING_GAS_BAN, M.ID_CHECKS, M.CONFISCATION]
REGIONAL_DETAILS = (
    "Interdiction de vente d'alcool à emporter de 20 h à 6 h ; interdiction de vente de "
    "protoxyde d'azote ; contrôles d'identité et fouilles systématiques ; saisie des "
    "objets servant au trafic."
)


def _pdf(title: str, signatory: str, signed_on: dt.date) -> ContentFile:
    """A small signed-order PDF, rendered like the real ones would be printed."""
    import weasyprint

    html = (
        "<html><body style='font-family: DejaVu Sans, sans-serif'>"
        f"<h1 style='font-size: 14pt'>{escape(title)}</h1>"
        f"<p>{escape(signatory)}, le {signed_on:%d/%m/%Y}.</p>"
        "<p><em>Document de démonstration, sans valeur légale.</em></p>"
        "</body></html>"
    )
    return ContentFile(weasyprint.HTML(string=html).write_pdf(), name="order.pdf")


def _order(
    title_fr: str,
    *,
    with_document: bool = False,
    language: str = "fr",
    translated: bool = True,
    **fields,
) -> PoliceOrder:
    """The demo order titled ``title_fr``, recorded through the service the first time.

    Its texts are written in ``language`` (a Dutch-speaking mayor writes in Dutch) and
    carry their translation when ``translated``.
    """
    existing = PoliceOrder.objects.filter(title_fr=title_fr).first()
    if existing is not None:
        return existing
    texts = stored(
        {name: (fields[name], NL.get(fields[name], "")) for name in TEXT_FIELDS},
        original=language,
        translated=translated,
    )
    if with_document:  # the French copy of the signed order
        fields["document"] = _pdf(title_fr, fields["signatory"], fields["signed_on"])
    fields.update(texts)
    return order_create(title_fr=title_fr, **fields)


def seed_regional(*, by: User, today: dt.date) -> list[PoliceOrder]:
    """The order of 2 April 2024 and its six-month extensions, up to one in force today."""
    first = _order(
        REGIONAL_TITLE_FR,
        by=by,
        scope=Scope.REGIONAL,
        title_nl=REGIONAL_TITLE_NL,
        measures=REGIONAL_MEASURES,
        measure_details=REGIONAL_DETAILS,
        legal_reference=REGIONAL_LEGAL_REFERENCE,
        signatory=REGIONAL_SIGNATORY,
        signed_on=REGIONAL_START,
        valid_from=REGIONAL_START,
        valid_until=REGIONAL_END,
        with_document=True,
    )
    chain = [first]
    number = 1
    while chain[-1].valid_until < today:
        previous = chain[-1]
        valid_from = previous.valid_until + dt.timedelta(days=1)
        valid_until = add_months(valid_from, 6) - dt.timedelta(days=1)
        signed_on = workdays.on_or_before(valid_from - dt.timedelta(days=5))
        chain.append(
            _order(
                f"Prolongation n° {number} de l'arrêté de police du 2 avril 2024 "
                f"(du {valid_from:%d/%m/%Y} au {valid_until:%d/%m/%Y})",
                by=by,
                scope=Scope.REGIONAL,
                title_nl=f"Verlenging nr. {number} van de politieverordening van 2 april 2024 "
                f"(van {valid_from:%d/%m/%Y} tot {valid_until:%d/%m/%Y})",
                measures=REGIONAL_MEASURES,
                measure_details=REGIONAL_DETAILS,
                legal_reference=REGIONAL_LEGAL_REFERENCE,
                signatory=REGIONAL_SIGNATORY,
                signed_on=signed_on,
                valid_from=valid_from,
                valid_until=valid_until,
                extends=previous,
            )
        )
        number += 1
    return chain


def _local_orders(today: dt.date) -> list[dict]:
    """Local orders; dates relative to the first seeding so every state shows."""
    return [
        {
            "code": "HS08",
            "mayor": "mayor.anderlecht",
            "title_fr": "Arrêté du bourgmestre d'Anderlecht : interdiction de lieu et contrôles "
            "au Peterbos",
            "title_nl": "Besluit van de burgemeester van Anderlecht: plaatsverbod en controles "
            "in Peterbos",
            "measures": [M.PLACE_BAN, M.ID_CHECKS],
            "measure_details": "Interdiction de lieu de trois mois pour les personnes "
            "interpellées pour trafic ; contrôles systématiques aux entrées des blocs.",
            "legal_reference": "Nouvelle loi communale, art. 134sexies",
            "signatory": "Le bourgmestre d'Anderlecht",
            "language": "nl",  # the mayor of Anderlecht writes in Dutch
            # Ends within 14 days, so the reminders show in the demo.
            "valid_from": today - dt.timedelta(days=80),
            "valid_until": today + dt.timedelta(days=10),
            "document": True,
        },
        {
            "code": "HS10",
            "mayor": "mayor.saint-gilles",
            "title_fr": "Arrêté du bourgmestre de Saint-Gilles : fermeture de commerces de nuit "
            "aux abords de la Gare du Midi",
            "title_nl": "Besluit van de burgemeester van Sint-Gillis: sluiting van nachtwinkels "
            "rond het Zuidstation",
            "measures": [M.ALCOHOL_BAN, M.CLOSURE],
            "measure_details": "Fermeture de 22 h à 6 h des commerces de nuit désignés ; "
            "interdiction de vente d'alcool à emporter.",
            "legal_reference": "Nouvelle loi communale, art. 134quater",
            "signatory": "La bourgmestre de Saint-Gilles",
            "valid_from": today - dt.timedelta(days=30),
            "valid_until": today + dt.timedelta(days=150),
            "document": False,
        },
        {
            "code": "HS12",
            "mayor": "mayor.molenbeek",
            "title_fr": "Arrêté du bourgmestre de Molenbeek-Saint-Jean : interdiction de lieu "
            "aux Étangs Noirs",
            "title_nl": "Besluit van de burgemeester van Sint-Jans-Molenbeek: plaatsverbod aan "
            "de Zwarte Vijvers",
            "measures": [M.PLACE_BAN, M.CONFISCATION],
            "measure_details": "",
            "legal_reference": "Nouvelle loi communale, art. 134sexies",
            "signatory": "Le bourgmestre de Molenbeek-Saint-Jean",
            "translated": False,  # signed last week: not translated yet
            "valid_from": today + dt.timedelta(days=7),
            "valid_until": today + dt.timedelta(days=97),
            "document": False,
        },
        {
            "code": "HS01",
            "mayor": "mayor.bruxelles",
            "title_fr": "Arrêté du bourgmestre de la Ville de Bruxelles : interdiction des "
            "feux d'artifice chaussée d'Anvers (fin d'année 2024)",
            "title_nl": "Besluit van de burgemeester van de Stad Brussel: verbod op vuurwerk "
            "Antwerpsesteenweg (eindejaar 2024)",
            "measures": [M.FIREWORKS, M.CONFISCATION],
            "measure_details": "",
            "legal_reference": "Nouvelle loi communale, art. 135, § 2",
            "signatory": "La bourgmestre de la Ville de Bruxelles",
            "valid_from": dt.date(2024, 12, 24),
            "valid_until": dt.date(2025, 1, 2),
            "document": False,
        },
    ]


def seed(*, people: dict[str, User], hotspots: dict[str, Hotspot]) -> None:
    today = timezone.localdate()
    seed_regional(by=people["csir.coordinator"], today=today)
    seed_register(by=people["csir.coordinator"], hotspots=hotspots)
    for spec in _local_orders(today):
        hotspot = hotspots.get(spec["code"])
        mayor = people.get(spec["mayor"])
        if hotspot is None or mayor is None:
            continue
        signed_on = workdays.on_or_before(min(spec["valid_from"] - dt.timedelta(days=3), today))
        _order(
            spec["title_fr"],
            with_document=spec["document"],
            by=mayor,
            scope=Scope.LOCAL,
            hotspot=hotspot,
            title_nl=spec["title_nl"],
            measures=spec["measures"],
            measure_details=spec["measure_details"],
            legal_reference=spec["legal_reference"],
            signatory=spec["signatory"],
            signer=mayor,
            signed_on=signed_on,
            valid_from=spec["valid_from"],
            valid_until=spec["valid_until"],
            language=spec.get("language", "fr"),
            translated=spec.get("translated", True),
        )


# --- The register of the order of 2 April 2024 (issue 15, item 4) -------------------------
#
# The Minister-President's order of 2 April 2024 was extended on 1 October 2024, amended on
# 25 October 2024 and amended and extended on 26–28 February 2025 (in force 4 March –
# 3 September 2025), each time published in the Moniteur belge, e-mailed to the mayors who
# post it, and sent to the National Crisis Centre. The hotspots covered grow from the 15
# of 29 March 2024 to 17. One commune's posting of the last amendment is still pending, so
# the reminder shows in the demo.

ORIGINAL_HOTSPOTS = [f"HS{n:02d}" for n in range(1, 16)]
FEBRUARY_2025_HOTSPOTS = [*ORIGINAL_HOTSPOTS, "HS17", "HS18"]
AUTUMN_MEASURES = [*REGIONAL_MEASURES, M.FIREWORKS]
AUTUMN_DETAILS = (
    "Interdiction de vente d'alcool à emporter de 18 h à 6 h ; interdiction de vente de "
    "protoxyde d'azote ; interdiction des pétards et feux d'artifice jusqu'au 2 janvier "
    "2025 ; contrôles d'identité et fouilles systématiques ; saisie des objets servant au "
    "trafic."
)
AUTUMN_DETAILS_NL = (
    "Verbod op de verkoop van alcohol om mee te nemen van 18 tot 6 uur; verbod op de "
    "verkoop van distikstofmonoxide; verbod op knalvuurwerk en vuurwerk tot 2 januari "
    "2025; systematische identiteitscontroles en fouilleringen; inbeslagname van "
    "voorwerpen die voor de handel worden gebruikt."
)
# (kind, signed on, in force from, until, hotspots, measures, details (fr, nl),
#  what changed (fr, nl), Moniteur belge publication)
REGISTER = [
    (
        "original",
        dt.date(2024, 4, 2),
        dt.date(2024, 4, 2),
        dt.date(2024, 10, 1),
        ORIGINAL_HOTSPOTS,
        REGIONAL_MEASURES,
        (REGIONAL_DETAILS, NL[REGIONAL_DETAILS]),
        (
            "Texte initial : les 15 zones prioritaires du 29 mars 2024.",
            "Oorspronkelijke tekst: de 15 prioritaire zones van 29 maart 2024.",
        ),
        dt.date(2024, 4, 4),
    ),
    (
        "extension",
        dt.date(2024, 10, 1),
        dt.date(2024, 10, 2),
        dt.date(2025, 3, 3),
        ORIGINAL_HOTSPOTS,
        REGIONAL_MEASURES,
        (REGIONAL_DETAILS, NL[REGIONAL_DETAILS]),
        (
            "Prolongation jusqu'au 3 mars 2025, mesures inchangées.",
            "Verlenging tot 3 maart 2025, maatregelen ongewijzigd.",
        ),
        dt.date(2024, 10, 2),
    ),
    (
        "amendment",
        dt.date(2024, 10, 25),
        dt.date(2024, 10, 26),
        dt.date(2025, 3, 3),
        ORIGINAL_HOTSPOTS,
        AUTUMN_MEASURES,
        (AUTUMN_DETAILS, AUTUMN_DETAILS_NL),
        (
            "Interdiction d'alcool dès 18 h ; interdiction des feux d'artifice en fin d'année.",
            "Alcoholverbod vanaf 18 uur; verbod op vuurwerk tijdens de eindejaarsperiode.",
        ),
        dt.date(2024, 10, 28),
    ),
    (
        "amendment",
        dt.date(2025, 2, 26),
        dt.date(2025, 3, 4),
        dt.date(2025, 9, 3),
        FEBRUARY_2025_HOTSPOTS,
        REGIONAL_MEASURES,
        (REGIONAL_DETAILS, NL[REGIONAL_DETAILS]),
        (
            "Prolongation du 4 mars au 3 septembre 2025 ; deux zones ajoutées (17 zones).",
            "Verlenging van 4 maart tot 3 september 2025; twee zones toegevoegd (17 zones).",
        ),
        dt.date(2025, 2, 28),
    ),
]
# The commune whose posting of the last amendment the demo leaves pending (Saint-Gilles).
PENDING_POSTING_NIS = "21013"


def _tick_steps(
    amendment: OrderAmendment, *, by: User, published_on: dt.date, leave_pending: str | None
) -> None:
    """Mark the amendment's steps done as they were: the Moniteur on ``published_on``, the
    rest within days; each commune's posting by its mayor when the demo has one."""
    Step = PublicationStep.Kind
    for step in amendment.steps.select_related("commune").order_by("id"):
        if step.commune is not None and step.commune.nis_code == leave_pending:
            continue
        done_dates: dict[str, dt.date] = {
            Step.MONITEUR: published_on,
            Step.MAYORS: workdays.add_working_days(amendment.signed_on, 1),
            Step.CRISIS_CENTRE: workdays.add_working_days(amendment.signed_on, 1),
        }
        done_on = done_dates.get(step.kind, workdays.add_working_days(published_on, 1))
        actor = by
        if step.kind == Step.POSTED:
            mayor = User.objects.filter(
                role=User.Role.MAYOR, commune=step.commune, is_active=True
            ).first()
            actor = mayor or by
        step_mark_done(step=step, by=actor, done_on=done_on)


def seed_register(*, by: User, hotspots: dict[str, Hotspot]) -> PoliceOrder | None:
    """The register of the order of 2 April 2024; idempotent (done once per order)."""
    order = PoliceOrder.objects.filter(title_fr=REGIONAL_TITLE_FR).first()
    if order is None or order.amendments.exists():
        return order
    last = len(REGISTER) - 1
    for index, row in enumerate(REGISTER):
        kind, signed, start, end, codes, measures, details, summary, published = row
        covered = [hotspots[code] for code in codes if code in hotspots]
        if not covered:
            return order
        amendment = amendment_record(
            order=order,
            by=by,
            kind=kind,
            signed_on=signed,
            valid_from=start,
            valid_until=end,
            measures=measures,
            hotspots=covered,
            summary=summary[0],
            summary_translation=summary[1],
            measure_details=details[0],
            measure_details_translation=details[1],
            language="fr",
        )
        _tick_steps(
            amendment,
            by=by,
            published_on=published,
            leave_pending=PENDING_POSTING_NIS if index == last else None,
        )
    return order
