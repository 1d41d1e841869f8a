"""How long and how much memory the regional report takes on a large region.

    python benchmarks/report_benchmark.py [--keep DIR] [--hotspots 15] [--actions 40]
        [--sections auto|on|off]

Builds a throwaway SQLite database (in a temporary folder, deleted afterwards) holding a
large region: 15 active hotspots, 40 actions each (some late, blocked, escalated or
police-judicial), 24 months of every indicator, a year of action updates, monthly task
force meetings, police orders and displacement reports. Then, in a fresh process pinned
to 2 CPU cores (when the machine has them), it times the snapshot and the French PDF of
the regional report (police-judicial version: everything counted) and prints the seconds
and the peak resident memory (``getrusage`` maxrss: Python and WeasyPrint's native
libraries together; the higher of the rendering process and the PDF assembly's child
process, both printed); then, in a third process, a plain WeasyPrint document of as many
pages of table rows (the floor) and the report's ratios to it. Target (issue 16): a peak
under 400 MB and a render time within 1.2× the floor's. ``--keep DIR`` keeps the French and
Dutch PDFs there. ``--sections`` forces the rendering by sections (``on``, see
``reporting.render.render_sections``) or as one document (``off``); by default the
renderer decides by the report's size (``use_sections``), and the output says which.

Not a test: run it by hand and record the figures in README.md ("Performance").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Issue 16: under 400 MB at every size, and within 1.2× the floor document's time.
TARGET_MB, TARGET_RATIO = 400, 1.2


def _setup(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    # A private database and media folder: never the developer's or CI's.
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'benchmark.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "coordination.settings.test"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


# --- The large region ---------------------------------------------------------------------


def build_region(*, hotspots: int, actions: int) -> dict[str, int]:
    from django.core.management import call_command
    from django.utils import timezone

    from coordination.core import geo
    from coordination.models import Agency, Axis, Commune, Strategy, StrategyPeriod, User
    from hotspots.models import (
        Hotspot,
        IndicatorDefinition,
        IndicatorValue,
        MayorDecision,
        Phenomenon,
        PoliceOrder,
    )
    from taskforces.models import (
        Action,
        ActionPlan,
        ActionUpdate,
        DisplacementReport,
        Escalation,
        Meeting,
        MeetingParticipant,
        Membership,
        TaskForce,
    )

    call_command("migrate", verbosity=0)
    rng = random.Random(6)
    today = timezone.localdate()
    now = timezone.now()
    Kind = Agency.Kind

    strategy = Strategy.objects.create(
        title_fr="Stratégie régionale de lutte contre le trafic de drogues",
        title_nl="Gewestelijke strategie tegen drugshandel",
        adopted_on=today - dt.timedelta(days=700),
    )
    StrategyPeriod.objects.create(
        strategy=strategy,
        number=1,
        starts_on=today - dt.timedelta(days=130),
        ends_on=today + dt.timedelta(days=50),
        decided_on=today - dt.timedelta(days=140),
    )
    csir = Agency.objects.create(
        name_fr="safe.brussels", name_nl="safe.brussels", kind=Kind.REGIONAL_COORDINATION
    )
    police = Agency.objects.create(
        name_fr="Zone de police Midi", name_nl="Politiezone Zuid", kind=Kind.LOCAL_POLICE
    )
    parquet = Agency.objects.create(
        name_fr="Parquet de Bruxelles", name_nl="Parket van Brussel", kind=Kind.PROSECUTOR
    )
    association = Agency.objects.create(
        name_fr="Transit asbl", name_nl="Transit vzw", kind=Kind.ASSOCIATION
    )
    analyst = User.objects.create(
        username="analyst", agency=csir, role=User.Role.CSIR_ANALYST, email="a@example.test"
    )
    communes = list(Commune.objects.order_by("nis_code"))
    mayors = {}
    for commune in communes:
        agency = Agency.objects.create(
            name_fr=f"Commune de {commune.name_fr}",
            name_nl=f"Gemeente {commune.name_nl}",
            kind=Kind.COMMUNE,
            commune=commune,
        )
        mayors[commune.pk] = User.objects.create(
            username=f"mayor-{commune.nis_code}",
            agency=agency,
            role=User.Role.MAYOR,
            commune=commune,
            email=f"{commune.nis_code}@example.test",
        )
    staff = [
        User.objects.create(username=f"staff-{i}", agency=agency, email=f"s{i}@example.test")
        for i, agency in enumerate([police, parquet, association] * 4)
    ]
    definitions = list(IndicatorDefinition.objects.all())
    phenomena = [code for code, _label in Phenomenon.choices]
    axes = [code for code, _label in Axis.choices]
    months = [
        dt.date(
            (today.year * 12 + today.month - 1 - back) // 12,
            (today.year * 12 + today.month - 1 - back) % 12 + 1,
            1,
        )
        for back in range(24, 0, -1)
    ]
    counts = {"actions": 0, "updates": 0, "values": 0}
    for index in range(hotspots):
        commune = communes[index % len(communes)]
        centre = geo.area_center(commune.boundary)
        perimeter = geo.circle_area(centre[0], centre[1], 250 + 20 * index)
        hotspot = Hotspot.objects.create(
            code=f"HS{index + 1:02d}",
            name_fr=f"Zone prioritaire {index + 1} ({commune.name_fr})",
            name_nl=f"Prioritaire zone {index + 1} ({commune.name_nl})",
            phenomena=rng.sample(phenomena, 2),
            perimeter=perimeter,
            # As the services store it (hotspots.services.hotspots.perimeter_centre).
            perimeter_centre=list(geo.area_center(perimeter)),
            status=Hotspot.Status.ACTIVE,
            proposed_by=analyst,
            approved_at=now - dt.timedelta(days=400),
            activated_at=now - dt.timedelta(days=390),
        )
        hotspot.communes.set([commune])
        MayorDecision.objects.create(
            hotspot=hotspot,
            commune=commune,
            decision=MayorDecision.Decision.APPROVE,
            decided_by=mayors[commune.pk],
            decided_at=now - dt.timedelta(days=401),
        )
        taskforce = TaskForce.objects.create(hotspot=hotspot)
        Membership.objects.bulk_create(
            Membership(taskforce=taskforce, user=person, agency=person.agency) for person in staff
        )
        plan = ActionPlan.objects.create(taskforce=taskforce)
        rows = []
        for number in range(actions):
            status = rng.choice(list(Action.Status.values))
            rows.append(
                Action(
                    plan=plan,
                    axis=axes[number % 3],
                    title=f"Action {number + 1} de {hotspot.code}: "
                    + rng.choice(["patrouilles", "travail de rue", "éclairage", "médiation"]),
                    lead_agency=rng.choice([police, association, csir]),
                    start_on=today - dt.timedelta(days=rng.randint(100, 300)),
                    due_on=today + dt.timedelta(days=rng.randint(-90, 180)),
                    status=status,
                    progress=100 if status == "done" else rng.randint(0, 90),
                    confidentiality="police_judicial" if number % 9 == 0 else "taskforce",
                )
            )
        created = Action.objects.bulk_create(rows)
        counts["actions"] += len(created)
        updates = []
        for action in created:
            for month in range(12):
                updates.append(
                    ActionUpdate(
                        action=action,
                        author=staff[month % len(staff)],
                        agency=staff[month % len(staff)].agency,
                        progress=min(100, month * 8),
                        comment=f"Suivi mensuel {month + 1}",
                        confidentiality=action.confidentiality,
                    )
                )
        updates = ActionUpdate.objects.bulk_create(updates)
        for number, update in enumerate(updates):
            update.at = now - dt.timedelta(days=365 * (number % 12) / 12 + 1)
        ActionUpdate.objects.bulk_update(updates, ["at"], batch_size=1000)
        counts["updates"] += len(updates)
        blocked = [a for a in created if a.status == "blocked"][:3]
        Escalation.objects.bulk_create(
            Escalation(action=a, reason="Pas de local disponible.", raised_by=analyst)
            for a in blocked
        )
        for month in range(12):
            meeting = Meeting.objects.create(
                taskforce=taskforce,
                starts_at=now - dt.timedelta(days=30 * month + 3),
                place="Maison communale",
                created_by=analyst,
            )
            MeetingParticipant.objects.bulk_create(
                MeetingParticipant(meeting=meeting, user=person, status="attended")
                for person in staff[:6]
            )
        values = [
            IndicatorValue(
                hotspot=hotspot,
                indicator=definition,
                month=month,
                value=Decimal(rng.randint(0, 120)),
                entered_by=analyst,
            )
            for definition in definitions
            for month in months
        ]
        IndicatorValue.objects.bulk_create(values)
        counts["values"] += len(values)
        for local in range(2):
            PoliceOrder.objects.create(
                scope="local",
                hotspot=hotspot,
                title_fr=f"Interdiction de lieu {local + 1}",
                title_nl=f"Plaatsverbod {local + 1}",
                measures=["place_ban"],
                legal_reference="NLC art. 134ter",
                signatory="Le bourgmestre",
                signed_on=today - dt.timedelta(days=60),
                valid_from=today - dt.timedelta(days=50),
                valid_until=today + dt.timedelta(days=20 + 30 * local),
                created_by=analyst,
            )
        for number in range(3):
            DisplacementReport.objects.create(
                from_hotspot=hotspot,
                phenomenon="dealing",
                commune=communes[(index + 1) % len(communes)],
                place=f"Rue {number + 1}",
                observed_on=today - dt.timedelta(days=20 * number + 5),
                severity="medium",
                reported_by=analyst,
            )
    PoliceOrder.objects.create(
        scope="regional",
        title_fr="Interdiction de vente de protoxyde d'azote",
        title_nl="Verkoopverbod op lachgas",
        measures=["laughing_gas_ban"],
        legal_reference="Arrêté du Ministre-Président",
        signatory="Le Ministre-Président",
        signed_on=today - dt.timedelta(days=90),
        valid_from=today - dt.timedelta(days=80),
        valid_until=today + dt.timedelta(days=100),
        created_by=analyst,
    )
    return counts


# --- The measure --------------------------------------------------------------------------


def measure(keep: Path | None, sections: str = "auto") -> dict[str, float]:
    from reporting import render, snapshot
    from reporting.models import REGION_SCOPE  # noqa: F401 - the app loads

    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 2:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
    from coordination.strategy.selectors import current_period

    period = current_period()
    started = time.perf_counter()
    data = snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=period.starts_on,
        period_end=period.ends_on,
        audience="police_judicial",
    )
    data["changes"] = snapshot.compare(None, data, report=None)
    # Stored as JSON: the renderer gets what it would read back from the database.
    data = json.loads(json.dumps(data))
    collected = time.perf_counter()
    by_sections = {"auto": None, "on": True, "off": False}[sections]
    # The assembly's child process reports its own peak (getrusage's RUSAGE_CHILDREN
    # would count this process's memory before the child's exec).
    assembly_peaks: list[int] = []
    handler = logging.Handler()
    handler.emit = lambda record: assembly_peaks.append(getattr(record, "peak_rss_mb", 0) or 0)  # type: ignore[method-assign]
    logging.getLogger("reporting.render").addHandler(handler)
    logging.getLogger("reporting.render").setLevel(logging.INFO)
    pdf, pages = render.render_pdf(data, language="fr", meta={"version": 1}, sections=by_sections)
    rendered = time.perf_counter()
    # Every process of the build: the assembly of a report rendered by sections runs in a
    # child process (``reporting.render.assemble_apart``).
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = max(assembly_peaks, default=0)
    peak_mb = max(self_mb, children_mb)
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        (keep / "regional-fr.pdf").write_bytes(pdf)
        (keep / "regional-nl.pdf").write_bytes(
            render.render_pdf(data, language="nl", sections=by_sections)[0]
        )
    return {
        "snapshot_s": round(collected - started, 2),
        "render_s": round(rendered - collected, 2),
        "total_s": round(rendered - started, 2),
        "peak_rss_mb": round(peak_mb),
        "render_process_mb": round(self_mb),
        "assembly_process_mb": round(children_mb),
        "pages": pages,
        "sections": render.use_sections(data) if by_sections is None else by_sections,
        "pdf_kb": round(len(pdf) / 1024),
        "snapshot_kb": round(len(json.dumps(data)) / 1024),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
    }


def measure_floor(pages: int) -> dict[str, float]:
    """The floor: a plain WeasyPrint document of ``pages`` pages of table rows (no maps,
    charts or fonts beyond the default), rendered in a fresh process like the report."""
    from weasyprint import HTML

    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 2:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])
    # A4, 2 cm margins, 10 pt rows: 49 rows fill a page (measured: 38 a page gave 46 pages
    # for 59 and 416 for 536), so the floor has as many pages as the report.
    rows_per_page = 49
    body = "".join(
        f"<tr><td>{n}</td><td>Action {n}: patrouilles et travail de rue</td>"
        f"<td>Zone de police Midi</td><td>2026-06-30</td><td>{n % 100} %</td></tr>"
        for n in range(pages * rows_per_page)
    )
    html = (
        "<html><head><style>@page { size: A4; margin: 2cm } body { font: 10pt sans-serif }"
        "</style></head><body><h1>Floor</h1><table>" + body + "</table></body></html>"
    )
    started = time.perf_counter()
    document = HTML(string=html).render()
    pdf = document.write_pdf()
    rendered = time.perf_counter()
    return {
        "render_s": round(rendered - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "pages": len(document.pages),
        "pdf_kb": round(len(pdf) / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hotspots", type=int, default=15)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="keep the French and Dutch PDFs here")
    parser.add_argument(
        "--sections",
        choices=["auto", "on", "off"],
        default="auto",
        help="render by sections: as the app decides (auto), always, or never",
    )
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=["build", "measure", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=int, default=50, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        _setup(args.folder)
        if args.phase == "build":
            print(json.dumps(build_region(hotspots=args.hotspots, actions=args.actions)))
        elif args.phase == "floor":
            print(json.dumps(measure_floor(args.pages)))
        else:
            keep = args.keep.resolve() if args.keep else None
            print(json.dumps(measure(keep, args.sections)))
        return 0

    folder = Path(tempfile.mkdtemp(prefix="report-benchmark-"))
    try:
        # Two processes: the measure's peak memory must not include building the data.
        # Our own script with our own arguments: no untrusted input reaches the commands.
        common = [sys.executable, __file__, "--folder", str(folder)]
        actions = ["--actions", str(args.actions)]
        started = time.perf_counter()
        built = subprocess.run(  # noqa: S603
            [*common, "--phase", "build", "--hotspots", str(args.hotspots), *actions],
            check=True,
            capture_output=True,
            text=True,
        )
        counts = json.loads(built.stdout.strip().splitlines()[-1])
        print(
            f"region: {args.hotspots} hotspots, {counts['actions']} actions, "
            f"{counts['updates']} updates, {counts['values']} indicator values "
            f"(built in {time.perf_counter() - started:.0f} s)"
        )
        keep = ["--keep", str(args.keep.resolve())] if args.keep else []
        measured = subprocess.run(  # noqa: S603
            [*common, "--phase", "measure", "--sections", args.sections, *keep],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(measured.stdout.strip().splitlines()[-1])
        # The floor in a process of its own too: peak memory is a high-water mark.
        floor_run = subprocess.run(  # noqa: S603
            [*common, "--phase", "floor", "--pages", str(result["pages"])],
            check=True,
            capture_output=True,
            text=True,
        )
        floor = json.loads(floor_run.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"snapshot {result['snapshot_s']} s + render {result['render_s']} s = "
        f"{result['total_s']} s; peak memory {result['peak_rss_mb']} MB "
        f"(rendering process {result['render_process_mb']} MB, assembly process "
        f"{result['assembly_process_mb']} MB); "
        f"{result['pages']} pages ({'by sections' if result['sections'] else 'one document'}), "
        f"PDF {result['pdf_kb']} KB, snapshot {result['snapshot_kb']} KB; "
        f"{result['cpus']} CPU cores"
    )
    ratio = result["render_s"] / max(floor["render_s"], 0.01)
    print(
        f"floor (plain WeasyPrint, {floor['pages']} pages of rows): render {floor['render_s']} s, "
        f"peak memory {floor['peak_rss_mb']} MB; report/floor: time {ratio:.2f}×, memory "
        f"{result['peak_rss_mb'] / max(floor['peak_rss_mb'], 1):.2f}×"
    )
    memory_ok, time_ok = result["peak_rss_mb"] < TARGET_MB, ratio <= TARGET_RATIO
    print(
        f"target: peak < {TARGET_MB} MB {'met' if memory_ok else 'MISSED'}; "
        f"time ≤ {TARGET_RATIO}× the floor {'met' if time_ok else 'MISSED'}"
    )
    ok = memory_ok and time_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
