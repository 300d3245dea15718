"""The dashboards in a real browser: Debian's chromium driven by Playwright, against `curagraph
serve` on loopback over a catalog the CLI built (the demo sample plus near-duplicate copies of real
records, checked and deduplicated). Every page loads without console errors; the heatmap draws
exactly the numbers of its JSON twin; a filter and a drill-down from a heatmap cell work.

With CURAGRAPH_SCREENSHOTS=1 the pages are also saved to docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO
from tests.helpers.browser import chromium, need_chromium, serving
from tests.helpers.catalogs import build_browsing_catalog

SHOTS = REPO / "docs" / "screenshots"


@pytest.fixture(scope="module")
def server(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_chromium()
    db = tmp_path_factory.mktemp("browser") / "catalog"
    build_browsing_catalog(db, datasets, tmp_path_factory.mktemp("copies"), {"CURAGRAPH_STORE": "embedded"})
    with serving(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    with chromium() as b:
        yield b


def _twin(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def _cypher(server: str, query: str) -> Any:
    request = urllib.request.Request(
        server + "/cypher",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())["rows"][0][0]


def _open(browser: Any, url: str, shot: str | None = None) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, url
    if shot and os.environ.get("CURAGRAPH_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=False)
    return page, problems


@pytest.mark.parametrize(
    ("path", "shot"),
    [
        ("/ui", "home"),
        ("/ui/coverage", "coverage"),
        ("/ui/provenance", "provenance"),
        ("/ui/quality", "quality"),
        ("/ui/examples", "examples"),
        ("/ui/review", "review"),
    ],
)
def test_each_page_loads_without_console_errors(browser: Any, server: str, path: str, shot: str) -> None:
    page, problems = _open(browser, server + path, shot)
    assert problems == []
    assert page.locator("h1").inner_text()
    twin = page.get_attribute("#json-twin", "href")
    name = path.rpartition("/")[2]
    assert twin and _twin(server + twin)["page"] == ("index" if name == "ui" else name)
    page.close()


def test_an_example_page_shows_the_conversation_lineage_and_issues(browser: Any, server: str) -> None:
    listing = _twin(server + "/ui/examples.json?issue_kind=email")
    assert listing["count"] >= 1
    ident = listing["data"][0]["id"]
    page, problems = _open(browser, f"{server}/ui/examples/{ident}", "example")
    assert problems == []
    twin = _twin(f"{server}/ui/examples/{ident}.json")
    assert page.locator("#conversation .msg").count() == len(twin["example"]["messages"])
    assert page.locator("#issues-table tbody tr").count() == len(twin["issues"])
    assert "email" in page.locator("#issues-table").inner_text()
    assert page.locator("#lineage li").count() == len(twin["lineage"]["edges"])
    page.close()
    # tool calls and reasoning are drawn apart from the text
    tool = _cypher(server, "MATCH (e:Example) WHERE e.has_tool_calls RETURN e.id ORDER BY e.id LIMIT 1")
    page, problems = _open(browser, f"{server}/ui/examples/{tool}")
    assert problems == [] and page.locator("[data-kind=tool-call]").count() >= 1
    page.close()
    cot = _cypher(server, "MATCH (e:Example) WHERE e.has_reasoning RETURN e.id ORDER BY e.id LIMIT 1")
    page, problems = _open(browser, f"{server}/ui/examples/{cot}")
    assert problems == [] and page.locator("[data-kind=reasoning]").count() >= 1
    page.close()


def test_the_heatmap_draws_its_json_twin_and_a_cell_drills_down(browser: Any, server: str) -> None:
    page, problems = _open(browser, server + "/ui/coverage?rows=topic&cols=task")
    assert problems == []
    drawn = page.evaluate("echarts.getInstanceByDom(document.getElementById('heatmap')).getOption()")
    twin = _twin(server + "/ui/coverage.json?rows=topic&cols=task")
    assert drawn["series"][0]["data"] == twin["cells"]
    assert drawn["yAxis"][0]["data"] == twin["rows"] and drawn["xAxis"][0]["data"] == twin["cols"]
    # the gap table holds the twin's gap list
    assert page.locator("#gaps tbody tr").count() == len(twin["gaps"])
    # click the fullest cell: the examples page lists exactly the examples the cell counts
    x, y, _deficit, have, _want = max(twin["cells"], key=lambda c: c[3])
    assert have > 0
    px, py = page.evaluate(
        f"echarts.getInstanceByDom(document.getElementById('heatmap')).convertToPixel({{seriesIndex: 0}}, [{x}, {y}])"
    )
    box = page.locator("#heatmap").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + px, box["y"] + py)
    assert "/ui/examples?" in page.url
    count = int(page.locator("#count").inner_text().split()[0].replace(",", ""))
    assert count == have
    assert f"topic = {twin['rows'][y]}" in page.locator("#count").inner_text()
    page.close()


def test_the_examples_filter(browser: Any, server: str) -> None:
    page, problems = _open(browser, server + "/ui/examples")
    page.select_option("select[name=task]", "chat")
    page.select_option("select[name=language]", "ko")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert problems == []
    twin = _twin(server + "/ui/examples.json?task=chat&language=ko")
    shown = int(page.locator("#count").inner_text().split()[0].replace(",", ""))
    assert shown == twin["count"] > 0
    rows = page.locator("#examples tbody tr")
    assert rows.count() == len(twin["data"])
    assert all(cell == "ko" for cell in page.locator("#examples tbody tr td:nth-child(3)").all_inner_texts())
    page.close()


def test_the_api_docs_render_with_the_network_blocked(browser: Any, server: str) -> None:
    """/docs loads its Swagger UI from this server: with every other host blocked it still renders
    the operations of the OpenAPI document."""
    context = browser.new_context()
    blocked: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    response = page.goto(server + "/docs", wait_until="networkidle")
    assert response is not None and response.status == 200
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 20
    assert blocked == [] and problems == []
    context.close()


def test_filters_persist_through_paging_and_resubmission(browser: Any, server: str) -> None:
    """A filter the form has no field for (here `duplicate`) and the page size survive both the
    next-page link and a resubmitted form; the count says what it counts."""
    start = server + "/ui/examples?duplicate=false&limit=7"
    page, problems = _open(browser, start)
    twin = _twin(server + "/ui/examples.json?duplicate=false&limit=7")
    assert twin["count"] > 7 and page.locator("#examples tbody tr").count() == 7
    assert "training-supply examples match" in page.locator("#count").inner_text()
    with page.expect_navigation():
        page.click("#next")
    assert "duplicate=false" in page.url and "limit=7" in page.url
    assert page.locator("#examples tbody tr").count() == 7
    page.select_option("select[name=language]", "en")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert "duplicate=false" in page.url and "limit=7" in page.url and "language=en" in page.url
    shown = int(page.locator("#count").inner_text().split()[0].replace(",", ""))
    assert shown == _twin(server + "/ui/examples.json?duplicate=false&language=en")["count"]
    assert problems == []
    page.close()


def test_the_example_page_shows_tools_source_line_and_linked_lineage(browser: Any, server: str) -> None:
    ident = _cypher(
        server,
        "MATCH (e:Example) WHERE e.tools IS NOT NULL AND e.tools <> '[]' RETURN e.id ORDER BY e.id LIMIT 1",
    )
    twin = _twin(server + f"/ui/examples/{ident}.json")
    page, problems = _open(browser, server + f"/ui/examples/{ident}")
    tools = page.locator("#tools pre.tool")
    assert tools.count() == len(twin["example"]["tools"]) > 0
    assert "monospace" in tools.first.evaluate("e => getComputedStyle(e).fontFamily")
    source = twin["example"]["sources"][0]
    row = page.locator("#sources tbody tr").first.all_inner_texts()[0]
    assert source["file_name"] in row and str(source["line"]) in row
    links = page.locator("#lineage a")
    assert links.count() >= 1 and ident in (links.first.get_attribute("href") or "")
    assert problems == []
    page.close()
    # a derived example's lineage links to the example it came from
    child = _cypher(server, "MATCH (e:Example)-[:DERIVED_FROM]->(:Example) RETURN e.id ORDER BY e.id LIMIT 1")
    page, problems = _open(browser, server + f"/ui/examples/{child}")
    hrefs = [a.get_attribute("href") or "" for a in page.locator("#lineage a").all()]
    assert any(child not in h and "/ui/examples/" in h for h in hrefs), hrefs
    assert problems == []
    page.close()


def test_the_sankey_widths_are_example_counts(browser: Any, server: str) -> None:
    """Each dataset flows once into the licenses claimed for it: the widths leaving a dataset add up
    to its examples, however many claims it has."""
    page, problems = _open(browser, server + "/ui/provenance")
    links = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('flow')).getOption().series[0].links"
    )
    out: dict[str, int] = {}
    for link in links:
        if link["source"].startswith("dataset "):
            out[link["source"][len("dataset ") :]] = (
                out.get(link["source"][len("dataset ") :], 0) + link["value"]
            )
    examples = {d["dataset"]: d["examples"] for d in _twin(server + "/datasets")}
    assert out and all(out[d] == examples[d] for d in out), (out, examples)
    several = [d for d in _twin(server + "/datasets") if len(set(d["licenses"])) > 1 and d["dataset"] in out]
    assert several, "the demo has datasets with several license claims"
    assert problems == []
    page.close()


def test_coverage_totals_reconcile_and_the_page_states_the_rule(browser: Any, server: str) -> None:
    page, problems = _open(browser, server + "/ui/coverage?target=instructgpt&rows=topic&cols=task&level=1")
    twin = _twin(server + "/ui/coverage.json?target=instructgpt&rows=topic&cols=task&level=1")
    assert twin["examples_in_cells"] + twin["examples_outside_cells"] == twin["totals"]["examples"]
    assert twin["cell_memberships"] == sum(c[3] for c in twin["cells"]) >= twin["examples_in_cells"]
    assert twin["total_deficit"] == sum(c[2] for c in twin["cells"])

    def card(name: str) -> int:
        return int(page.locator(f"[data-total={name}]").inner_text().replace(",", ""))

    assert card("examples") == twin["totals"]["examples"]
    assert card("in-cells") == twin["examples_in_cells"]
    assert card("memberships") == twin["cell_memberships"]
    assert card("deficit") == twin["total_deficit"]
    rule = page.locator("#counting-rule").inner_text()
    assert "counts once in every cell" in rule and f"{twin['examples_outside_cells']:,}" in rule
    # cells with no examples, and topics no example has, are on the page
    for e in twin["empty"]:
        assert e in page.locator("#empty-wanted").inner_text()
    if twin["topics_never_seen"]:
        shown = page.locator("#never-seen").inner_text()
        assert all(t in shown for t in twin["topics_never_seen"])
    assert problems == []
    page.close()


def test_level_two_is_readable(browser: Any, server: str) -> None:
    """53 topic rows at level 2: every row band is tall enough for its label (no overlap), and the
    cells want something (the level-1 quotas split among their narrower topics)."""
    url = "/ui/coverage?target=instructgpt&rows=topic&cols=task&level=2"
    page, problems = _open(browser, server + url)
    twin = _twin(server + url.replace("/ui/coverage", "/ui/coverage.json"))
    assert len(twin["rows"]) > 40
    centres = page.evaluate(
        """(rows) => { const c = echarts.getInstanceByDom(document.getElementById('heatmap'));
                       return rows.map((r) => c.convertToPixel({yAxisIndex: 0}, r)); }""",
        twin["rows"],
    )
    font = 11
    gaps = [b - a for a, b in itertools.pairwise(centres)]
    assert min(gaps) >= font * 1.3, f"row bands of {min(gaps):.1f}px overlap {font}px labels"
    assert sum(c[4] for c in twin["cells"]) > 0 and twin["total_deficit"] > 0
    assert problems == []
    page.close()


def test_sign_in_with_a_read_token(browser: Any, tmp_path: Path) -> None:
    """A server that requires the token for reads: the dashboards send a browser to the sign-in
    form, which keeps the token in an HttpOnly, SameSite=Strict cookie, and then show the page."""
    db = tmp_path / "catalog"
    done = subprocess.run(
        [sys.executable, "-m", "catalog.cli", "demo", "--db", str(db), "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    token = "browser-read-token-123"
    env = {"CURAGRAPH_API_TOKEN": token, "CURAGRAPH_API_READ_TOKEN_REQUIRED": "true"}
    with serving(db, env) as base:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/ui/quality")
        assert "/ui/sign-in" in page.url and page.locator("#sign-in").count() == 1
        page.fill("input[name=token]", "wrong")
        page.click("#sign-in button")
        assert page.locator("#sign-in-error").count() == 1
        page.fill("input[name=token]", token)
        with page.expect_navigation():
            page.click("#sign-in button")
        assert page.url.endswith("/ui/quality") and page.locator("h1").inner_text() == "Quality"
        (cookie,) = [c for c in context.cookies() if c["name"] == "curagraph_token"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.evaluate("() => document.cookie") == ""  # no script can read it
        context.close()
