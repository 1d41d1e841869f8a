"""The PDFs are tagged and accessible (PDF/UA-1): structure, language, title, bookmarks, alt.

Read with poppler's ``pdfinfo`` (tagging, metadata, structure tree) and, for what pdfinfo
does not print (the catalog's /Lang, the /Alt of the figures, the outline's titles), from
the PDF's objects themselves: WeasyPrint writes them in Flate-compressed object streams,
as literal ``(...)`` strings or UTF-16 ``<FEFF...>`` hex strings.
"""

from __future__ import annotations

import re
import subprocess
import zlib

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from coordination.core import charts
from hotspots.models import Hotspot, IndicatorDefinition
from reporting import render
from reporting.models import Report
from tests.reporting import test_reporting as base
from tests.reporting.test_reporting import build

pytestmark = pytest.mark.django_db
# The region of the reporting tests (Gare du Midi with its plan, orders and indicators).
cast, region, media = base.cast, base.region, base.media
Kind = Report.Kind

_STRING = rb"(\((?:\\.|[^\\()])*\)|<[0-9a-fA-F\s]*>)"


def _decode(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
        if raw.startswith(b"\xfe\xff"):
            return raw[2:].decode("utf-16-be")
        return raw.decode("latin-1")
    body = re.sub(rb"\\(.)", rb"\1", token[1:-1], flags=re.DOTALL)
    return body.decode("latin-1")


def pdf_objects(pdf: bytes) -> bytes:
    """The file and every Flate stream it holds, inflated (object streams included)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            parts.append(zlib.decompress(pdf[match.end() : end]))
        except zlib.error:
            continue  # not Flate (fonts with other filters): nothing we look for
    return b"\n".join(parts)


def pdf_strings(objects: bytes, pattern: bytes) -> list[str]:
    """The strings following ``pattern`` (a key such as ``/Alt``) in the objects."""
    return [_decode(m.group(1)) for m in re.finditer(pattern + rb"\s*" + _STRING, objects)]


def pdfinfo(path: str, *options: str) -> str:
    result = subprocess.run(["pdfinfo", *options, path], capture_output=True, text=True, check=True)
    return result.stdout


def info_fields(path: str) -> dict[str, str]:
    fields = {}
    for line in pdfinfo(path).splitlines():
        key, _sep, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def check_accessible(report: Report, *, title: str, chapters: list[str]) -> bytes:
    """The checks every report passes; returns its inflated objects for more."""
    assert report.status == Report.Status.READY, report.error
    language = report.language
    path = report.pdf.path
    fields = info_fields(path)
    assert fields["Tagged"] == "yes"
    assert fields["Form"] == "none"
    assert fields["PDF version"] == "1.7"
    assert fields["Title"] == title
    with translation.override(language):
        assert fields["Author"] == f"safe.brussels — {gettext('CSIR')}"
        assert fields["Subject"].startswith(gettext("CoReS version"))
    assert fields["Keywords"].startswith("safe.brussels")
    assert 'pdfuaid:part="1"' in pdfinfo(path, "-meta")

    with report.pdf.open("rb") as handle:
        objects = pdf_objects(handle.read())
    # The document language, from <html lang>, and the title shown instead of the file name.
    assert pdf_strings(objects, rb"/Lang") == [language]
    assert b"/DisplayDocTitle true" in objects
    assert b"/MarkInfo <</Marked true>>" in objects
    # Bookmarks: the chapters (h2) and their sections (h3), under the outline's root.
    assert b"/Type /Outlines" in objects or b"/Outlines " in objects
    outline = pdf_strings(objects, rb"/Title")
    for chapter in chapters:
        assert chapter in outline, (chapter, outline)

    # The structure tree: headings, data tables with header cells, figures.
    structure = pdfinfo(path, "-struct")
    for tag in ("H1", "H2", "H3", "Table", "TH", "TD", "Figure", "L", "LI", "Link"):
        assert re.search(rf"^\s*{tag}\b", structure, re.MULTILINE), tag

    # Every font is embedded (PDF/UA): pdffonts says "yes" in the emb column.
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True)
    rows = [line for line in fonts.stdout.splitlines()[2:] if line.strip()]
    assert rows and all(re.search(r"\s+yes\s+yes\s+yes\s+\d+\s+\d+$", r) for r in rows), rows
    return objects


def html_tables(report: Report) -> list[str]:
    html = render.render_html(report.snapshot, language=report.language)
    return re.findall(r"<table\b.*?</table>", html, re.DOTALL)


def alts(objects: bytes) -> list[str]:
    return pdf_strings(objects, rb"/Alt")


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_regional_report_is_a_tagged_accessible_pdf(region, language):
    (report,) = build(region, languages=(language,))
    midi = Hotspot.objects.get(pk=region.midi.pk)
    with translation.override(language):
        name = getattr(midi, f"name_{language}") or midi.name_fr
        objects = check_accessible(
            report,
            title=gettext("Report to the Regional Security Council (CoReS)"),
            chapters=[
                gettext("Key figures"),
                gettext("Late and escalated actions"),
                gettext("Indicator trends"),
                f"{midi.code} {name}",
            ],
        )
        status = str(Hotspot.Status(midi.status).label)
    # The map: what it shows and each hotspot with its status.
    (map_alt,) = [alt for alt in alts(objects) if midi.code in alt and status in alt]
    assert name in map_alt
    # No layout table: every table is data with header cells (scope col or row).
    tables = html_tables(report)
    assert tables and all('<th scope="' in table for table in tables)
    assert 'class="figures"' not in "".join(tables)


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_task_force_report_is_a_tagged_accessible_pdf(region, language):
    (report,) = build(region, languages=(language,), kind=Kind.TASKFORCE, hotspot=region.midi)
    midi = Hotspot.objects.get(pk=region.midi.pk)
    indicator = IndicatorDefinition.objects.order_by("position", "code").first()
    assert indicator is not None
    with translation.override(language):
        name = getattr(midi, f"name_{language}") or midi.name_fr
        objects = check_accessible(
            report,
            title=gettext("Task force report: %(name)s") % {"name": name},
            chapters=[
                gettext("Key figures"),
                gettext("Actions of the plan"),
                f"{midi.code} {name}",
            ],
        )
        indicator_name = getattr(indicator, f"name_{language}") or indicator.name_fr
    figure_alts = alts(objects)
    # One map and one chart per indicator, each with its text alternative.
    assert len(figure_alts) == pdfinfo(report.pdf.path, "-struct").count("Figure")
    (chart_alt,) = [alt for alt in figure_alts if alt.startswith(f"{indicator_name}. ")]
    assert "437" in chart_alt  # the latest value, entered by the fixture
    assert any(midi.code in alt and name in alt for alt in figure_alts if alt != chart_alt)
    tables = html_tables(report)
    assert tables and all('<th scope="' in table for table in tables)
    assert not any('class="charts"' in table for table in tables)


# --- The text alternatives themselves ----------------------------------------------------


def _hotspot(code: str, status: str = "active", *, perimeter: bool = True) -> dict:
    return {
        "code": code,
        "name": f"Place {code}",
        "communes": "Anderlecht",
        "status_label": status,
        "perimeter": {"type": "Polygon"} if perimeter else None,
    }


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_map_description_names_each_drawn_hotspot_and_its_status(language):
    with translation.override(language):
        two = render.map_description(
            [_hotspot("HS01"), _hotspot("HS02", "closed"), _hotspot("HS03", perimeter=False)],
            regional=True,
        )
        plural = ngettext(
            "Map of the Brussels-Capital Region showing the perimeter of %(count)s hotspot, "
            "labelled with its code",
            "Map of the Brussels-Capital Region showing the perimeters of %(count)s hotspots, "
            "labelled with their codes",
            2,
        ) % {"count": 2}
        one = render.map_description([_hotspot("HS01")], regional=True)
        none = render.map_description([_hotspot("HS03", perimeter=False)], regional=True)
        single = render.map_description([_hotspot("HS07")], regional=False)
    assert two.startswith(plural)
    # French puts a space before the colon.
    assert re.search(r"HS01 Place HS01 \(Anderlecht\) ?: active", two)
    assert re.search(r"HS02 Place HS02 \(Anderlecht\) ?: closed", two)
    assert "HS03" not in two  # not drawn: only in the table beside the map
    assert one != two and "HS01" in one
    assert "HS03" not in none and none
    assert "HS07 Place HS07" in single and "HS07" not in none


def test_a_chart_for_the_pdf_carries_its_summary_in_its_title():
    points = [("Jan", 4.0), ("Feb", None), ("Mar", 6.0), ("Apr", 12.5)]
    with translation.override("en"):
        web = charts.line_chart_svg(points=points, title="Shootings", unit="facts")
        pdf = charts.line_chart_svg(
            points=points, title="Shootings", unit="facts", summary_in_title=True
        )
    web_title = re.search(r'<title id="([^"]+)">([^<]*)</title>', web)
    pdf_title = re.search(r'<title id="([^"]+)">([^<]*)</title>', pdf)
    assert web_title and pdf_title
    # The web keeps the short title with the summary as <desc>, both naming the chart.
    assert web_title.group(2) == "Shootings"
    assert f'aria-labelledby="{web_title.group(1)} ' in web
    # The PDF's /Alt is the <title>: the series, its latest value and trend.
    name = pdf_title.group(2)
    assert name.startswith("Shootings. ") and "12.5" in name and "Apr" in name
    assert f'aria-labelledby="{pdf_title.group(1)}"' in pdf
    assert "<desc " in pdf
