"""How heavy and how fast the map pages are, in Chromium, against a running portal.

    python benchmarks/map_page.py --url http://127.0.0.1:8000 --username ANALYST \\
        --password SECRET [--code 123456] [--page /hotspots/ --page /overview/ ...] [--runs 3]

Logs in through the real login form (``--code``: the second factor's current code, for
the demo accounts ``manage.py demo_totp LOGIN``), then opens
each map page with an empty cache ``--runs`` times and prints, per page, the bytes
transferred (response bodies as sent on the wire, so compressed when the server
compresses, plus headers), the same bytes uncompressed, the number of requests, the
requests to any other host (must be none) and the time from navigation start until the
street base map has drawn every layer (``data-basemap-ready``, set by static/js/maps.js).
Target: under 1.5 MB transferred and under 1 s.

Measure against a server that serves static files the way production does: collected
and compressed by WhiteNoise (``CompressedManifestStaticFilesStorage``, i.e. the
production settings, or ``manage.py collectstatic`` with those STORAGES and
``WHITENOISE_USE_FINDERS=False``); the development server sends the GeoJSON uncompressed
(about 4 MB instead of about 0.7 MB).

Not a test: run it by hand and note the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from urllib.parse import urlsplit

TARGET_BYTES = 1_500_000
TARGET_SECONDS = 1.0
DEFAULT_PAGES = ["/hotspots/", "/overview/", "/taskforces/displacements/"]


def _log_in(context, url: str, username: str, password: str, code: str | None) -> None:
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda current: "/accounts/login/" not in current)
    if "/accounts/two-factor/" in page.url:
        if not code:
            sys.exit("This account asks for a second factor: give its current code (--code).")
        page.locator("input[name=code]").fill(code)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(lambda current: "/accounts/two-factor/" not in current)
    page.close()


def _measure(context, url: str, path: str) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    wire: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: wire.__setitem__(event["requestId"], int(event["encodedDataLength"])),
    )
    requests: list[str] = []
    decoded: dict[str, int] = {}
    cdp.on(
        "Network.dataReceived",
        lambda event: decoded.__setitem__(
            event["requestId"], decoded.get(event["requestId"], 0) + int(event["dataLength"])
        ),
    )
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{url}{path}")
    page.wait_for_selector(".leaflet-map[data-basemap-ready]", timeout=30_000)
    ready_ms = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")
    page.close()
    host = urlsplit(url).netloc
    outside = [r for r in requests if not r.startswith("data:") and urlsplit(r).netloc != host]
    return {
        "transferred": sum(wire.values()),
        "decoded": sum(decoded.values()),
        "requests": len(requests),
        "outside": outside,
        "seconds": ready_ms / 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--code", help="current code of the second factor, if asked")
    parser.add_argument("--page", action="append", dest="pages")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    url = args.url.rstrip("/")

    from playwright.sync_api import sync_playwright

    failed = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium)
        context = browser.new_context(locale="fr-BE", viewport={"width": 1280, "height": 900})
        _log_in(context, url, args.username, args.password, args.code)
        print(f"{'page':32} {'transferred':>12} {'uncompressed':>13} {'requests':>8} {'ready':>8}")
        for path in args.pages or DEFAULT_PAGES:
            runs = [_measure(context, url, path) for _ in range(args.runs)]
            transferred = max(run["transferred"] for run in runs)
            seconds = statistics.median(run["seconds"] for run in runs)
            outside = sorted({r for run in runs for r in run["outside"]})
            print(
                f"{path:32} {transferred / 1e6:>10.2f}MB {runs[0]['decoded'] / 1e6:>11.2f}MB "
                f"{runs[0]['requests']:>8} {seconds:>7.2f}s"
            )
            for request in outside:
                print(f"    request outside the portal: {request}")
            failed |= transferred > TARGET_BYTES or seconds > TARGET_SECONDS or bool(outside)
        browser.close()
    print(
        f"target: < {TARGET_BYTES / 1e6:.1f} MB, < {TARGET_SECONDS:.0f} s, no request outside: "
        + ("missed" if failed else "met")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
