"""The dashboard in a real headless Chromium against a real uvicorn server on 127.0.0.1.

Debian's ``chromium`` package (``/usr/bin/chromium``) driven by Playwright; Playwright's own
browser download is never used. Every request the page makes is logged and any request to a
host other than the server is aborted and reported, so "works with no internet" is checked, not
assumed. Screenshots go to ``tests/artifacts/`` (ignored by git, kept by CI).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from graph_engine.demo import demo_graph
from graph_engine.figures.ego import ego_network
from graph_engine.keys import KeyRing
from graph_engine.stores.sqlite import SQLiteStore

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("GRAPH_ENGINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    key: str
    db: Path


@dataclass
class PageLog:
    """What the page did: console errors, uncaught errors, requests, and blocked requests."""

    errors: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn serving a 400-customer demo store with one read key."""
    db = tmp_path_factory.mktemp("dashboard") / "demo.db"
    graph = demo_graph(400, seed=5)
    with SQLiteStore(db) as store:
        store.upsert_graph(graph.customers, graph.ties)
        key = KeyRing(store).create("read")[0]
    port = _free_port()
    env = {**os.environ, "GRAPH_ENGINE_DB": str(db), "GRAPH_ENGINE_HOST": "127.0.0.1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("uvicorn did not answer /v1/health within 60 s")
            time.sleep(0.2)
        yield Server(url, key, db)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium through Playwright (never Playwright's own download)."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chrome = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chrome
        finally:
            chrome.close()


@pytest.fixture
def page(browser, server: Server) -> Iterator[tuple[object, PageLog]]:  # type: ignore[no-untyped-def]
    """A fresh page whose requests leave only for the server (others are aborted and logged)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    log = PageLog()
    allowed = urlsplit(server.url).netloc

    def gate(route) -> None:  # type: ignore[no-untyped-def]
        request = route.request
        log.requests.append((request.method, request.url, request.headers.get("authorization")))
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob") or parts.netloc == allowed:
            route.continue_()
        else:
            log.blocked.append(request.url)
            route.abort()

    context.route("**/*", gate)
    pg = context.new_page()
    pg.on("console", lambda msg: log.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: log.errors.append(f"uncaught: {exc}"))
    try:
        yield pg, log
    finally:
        context.close()


def _node_points(pg) -> int:  # type: ignore[no-untyped-def]
    """Points drawn by the ego figure's last trace (the customers; ties come first)."""
    return int(pg.locator("#ego .scatterlayer .trace").last.locator("path.point").count())


def _expected_nodes(server: Server, customer: str, depth: int) -> int:
    with SQLiteStore(server.db) as store:
        return len(ego_network(store.snapshot(), customer, depth=depth).nodes)


def _top_customers(server: Server, n: int) -> list[str]:
    r = httpx.get(
        f"{server.url}/v1/stickiness",
        params={"limit": n},
        headers={"Authorization": f"Bearer {server.key}"},
    )
    r.raise_for_status()
    return [row["id"] for row in r.json()["items"]]


def test_dashboard_shows_ego_network_and_search_updates_it(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    pg, log = page
    pg.goto(server.url + "/")
    # the page itself needs no key: it asks for one and calls nothing protected yet
    pg.wait_for_selector("#need-key", state="visible")
    assert pg.evaluate("sessionStorage.getItem('graphEngineReadKey')") is None

    pg.fill("#key-input", server.key)
    pg.click("#key-form button[type=submit]")
    first, second = _top_customers(server, 2)[0], _top_customers(server, 40)[-1]
    pg.wait_for_selector(f'#ego[data-customer="{first}"]', timeout=30_000)
    assert pg.evaluate("sessionStorage.getItem('graphEngineReadKey')") == server.key
    assert _node_points(pg) == _expected_nodes(server, first, 1)
    assert pg.inner_text("#explanation h2") == first

    # search another customer at depth 2: the picture and the explanation follow
    pg.fill("#customer-input", second)
    pg.select_option("#depth-input", "2")
    pg.click("#customer-form button[type=submit]")
    pg.wait_for_selector(f'#ego[data-customer="{second}"]', timeout=30_000)
    assert _node_points(pg) == _expected_nodes(server, second, 2)
    assert pg.inner_text("#explanation h2") == second
    assert second in (pg.text_content("#ego .gtitle") or "")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard-ego.png"
    pg.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    api_calls = [r for r in log.requests if urlsplit(r[1]).path.startswith("/v1/")]
    assert api_calls and all(auth == f"Bearer {server.key}" for _, _, auth in api_calls)
    assert log.blocked == []
    assert log.errors == []


def test_dashboard_tabs_render_offline(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    pg, log = page
    pg.goto(server.url + "/")
    pg.fill("#key-input", server.key)
    pg.click("#key-form button[type=submit]")
    pg.wait_for_selector("#ego[data-customer]", timeout=30_000)

    pg.click("button.tab[data-tab=influencers]")
    pg.wait_for_selector("#influencers[data-rendered]", timeout=60_000)
    assert pg.locator("#influencers .barlayer .point").count() == 25
    # clicking the top bar opens that customer's ego network
    top_id = pg.evaluate("document.getElementById('influencers').data[0].y[0]")
    box = pg.locator("#influencers .barlayer .point").first.bounding_box()
    pg.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    pg.wait_for_selector(f'#ego[data-customer="{top_id}"]', timeout=30_000)
    pg.click("button.tab[data-tab=influencers]")

    pg.click("button.tab[data-tab=communities]")
    pg.wait_for_selector("#communities[data-rendered]", timeout=60_000)
    assert pg.locator("#communities .scatterlayer .trace").last.locator("path.point").count() > 1

    pg.click("button.tab[data-tab=distribution]")
    for fig in ("distribution", "pareto", "own-vs-network"):
        pg.wait_for_selector(f"#{fig}[data-rendered]", timeout=30_000)

    leavers = _top_customers(server, 2)
    pg.click("button.tab[data-tab=churn]")
    pg.fill("#churn-customers", ", ".join(leavers))
    pg.fill("#churn-threshold", "0.6")
    pg.click("#churn-form button[type=submit]")
    pg.wait_for_selector("#churn[data-rendered]", timeout=30_000)
    assert "What if 2 customers leave" in (pg.text_content("#churn .gtitle") or "")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / "dashboard-churn.png"), full_page=True)

    assert log.blocked == []
    assert log.errors == []
    assert all(urlsplit(url).hostname == "127.0.0.1" for _, url, _ in log.requests)


def test_dashboard_refuses_a_wrong_key(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    pg, log = page
    pg.goto(server.url + "/")
    pg.fill("#key-input", "ge_00000000_not-a-key")
    pg.click("#key-form button[type=submit]")
    pg.wait_for_selector("#need-key", state="visible")
    pg.wait_for_function("document.getElementById('status').textContent.length > 0")
    assert pg.evaluate("sessionStorage.getItem('graphEngineReadKey')") is None
    # the 401 itself is logged by Chromium as a failed resource; nothing else may be
    assert [e for e in log.errors if "401" not in e] == []
    assert log.blocked == []


def test_cli_writes_png_with_local_chromium(server: Server, tmp_path: Path) -> None:
    """`graph-engine figure ... --out x.png` renders offline through kaleido and Chromium."""
    out = tmp_path / "pareto.png"
    env = {**os.environ, "BROWSER_PATH": CHROMIUM}
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "graph-engine"),
            "figure",
            "pareto",
            "--db",
            str(server.db),
            "--out",
            str(out),
            "--width",
            "640",
            "--height",
            "420",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
