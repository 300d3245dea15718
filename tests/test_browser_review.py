"""The review page in Debian's chromium against `curagraph serve` with a write token: the keyboard
flow (choose another task, skip, mark unsafe, accept), each answer saved as a person's label, the
queue advancing, a wrong token refused without losing the example, and answered examples gone from
the next queue."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from tests.helpers.browser import chromium, need_chromium, serving

TOKEN = "review-write-token-0123"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_chromium()
    db = tmp_path_factory.mktemp("review") / "catalog"
    done = run_cli("demo", "--db", str(db), "--json", env={"CURAGRAPH_STORE": "embedded"})
    assert done.returncode == 0, done.stderr
    with serving(db, {"CURAGRAPH_API_TOKEN": TOKEN}) as base:
        yield base


def _edges(server: str, ident: str, rel: str) -> list[list[Any]]:
    query = f"MATCH (e:Example {{id: '{ident}'}})-[r:{rel}]->(k) RETURN k.id, r.method ORDER BY k.id"
    request = urllib.request.Request(
        server + "/cypher",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        rows: list[list[Any]] = json.loads(r.read())["rows"]
        return rows


def test_the_review_page_answers_with_the_keyboard(server: str, tmp_path: Path) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        assert page.goto(server + "/ui/review?next=4", wait_until="networkidle").status == 200  # type: ignore[union-attr]
        items = page.evaluate("() => window.curagraphData.items")
        assert len(items) == 4
        ids = [i["id"] for i in items]
        progress, status = page.locator("#progress"), page.locator("#status")
        assert progress.inner_text() == "1 / 4"
        visible = page.locator(".review-item:not([hidden])")
        assert visible.get_attribute("data-id") == ids[0]
        # the example, its labels with method and confidence, and the labelled neighbours are shown
        assert items[0]["preview"][:30] in visible.locator(".conversation").inner_text()
        for label in items[0]["labels"]["task"]:
            assert label["method"] in visible.locator("table.labels").inner_text()
        assert visible.locator("table.neighbours tbody tr").count() == max(1, len(items[0]["neighbours"]))

        # no token yet: the answer is not sent, the form asks for one
        page.keyboard.press("c")
        page.locator(".review-item:not([hidden]) .task-choice").select_option("extraction")
        page.keyboard.press("Enter")
        assert "give the API token" in status.inner_text() and page.locator("#token-form").is_visible()
        # a wrong token: refused by the server, the example stays
        page.fill("#write-token", "wrong-token")
        page.keyboard.press("Enter")
        page.keyboard.press("c")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('status').textContent.startsWith('not saved')")
        assert progress.inner_text() == "1 / 4" and page.locator("#token-form").is_visible()
        # the right token; then c + a task + Enter on the first example
        page.fill("#write-token", TOKEN)
        page.keyboard.press("Enter")
        page.keyboard.press("c")
        page.locator(".review-item:not([hidden]) .task-choice").select_option("extraction")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('progress').textContent === '2 / 4'")
        assert status.inner_text() == f"saved: task extraction for {ids[0]}"
        # s skips the second
        page.keyboard.press("s")
        assert progress.inner_text() == "3 / 4" and visible.get_attribute("data-id") == ids[2]
        # u + a risk + Enter marks the third unsafe
        page.keyboard.press("u")
        page.locator(".review-item:not([hidden]) .risk-choice").select_option("privacy-violation")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.getElementById('progress').textContent === '4 / 4'")
        # Enter accepts the fourth's current task (or, without one, says so and c chooses)
        fourth = items[3]["task"]
        if fourth is None:
            page.keyboard.press("Enter")
            assert "no current task" in status.inner_text()
            page.keyboard.press("c")
            fourth = "open-qa"
            page.locator(".review-item:not([hidden]) .task-choice").select_option(fourth)
        page.keyboard.press("Enter")
        page.wait_for_selector("#done:not([hidden])")
        assert page.locator("#done-summary").inner_text() == "3 answered, 1 skipped."
        assert not problems or all("401" in p for p in problems), problems  # the refused write's log line

        # saved as a person's labels, the skipped one untouched
        assert _edges(server, ids[0], "FOR_TASK") == [["extraction", "human"]]
        assert all(m != "human" for _, m in _edges(server, ids[1], "FOR_TASK"))
        assert ["privacy-violation", "human"] in _edges(server, ids[2], "HAS_RISK")
        assert _edges(server, ids[3], "FOR_TASK") == [[fourth, "human"]]
        # the next queue leaves the answered ones out
        page.goto(server + "/ui/review?next=4", wait_until="networkidle")
        again = {i["id"] for i in page.evaluate("() => window.curagraphData.items")}
        assert not again & {ids[0], ids[2], ids[3]}
