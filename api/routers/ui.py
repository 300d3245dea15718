"""Dashboards: server-rendered pages drawn with the vendored ECharts; every page has a JSON twin
(the same path with `.json`) that holds exactly the data the page draws."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import CatalogDep, ReadAccess, SettingsDep
from api.errors import ERROR_RESPONSES, PAGE_ERROR_RESPONSES
from api.routers.coverage import shipped_spec, shipped_targets
from api.routers.review import Next, Target, queue_for
from api.views.browse import ExampleFilters, example_detail, list_examples
from api.views.dashboards import coverage_heatmap, provenance_overview, quality_overview
from catalog.coverage import SpecError
from catalog.store.base import GraphStore

log = logging.getLogger(__name__)

router = APIRouter(prefix="/ui", tags=["dashboards"], dependencies=[ReadAccess])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
_FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:```|\Z)", re.S)


def fenced_segments(text: str) -> list[tuple[str, str]]:
    """A message's text as ("text" | "code", part) segments: fenced code blocks become code."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _FENCE.finditer(text or ""):
        if m.start() > pos:
            out.append(("text", text[pos : m.start()]))
        out.append(("code", m.group(1).rstrip("\n")))
        pos = m.end()
    if pos < len(text or ""):
        out.append(("text", text[pos:]))
    return out


templates.env.filters["segments"] = fenced_segments


def _page(
    request: Request, template: str, title: str, page: str, data: dict[str, Any], engine: str
) -> HTMLResponse:
    twin = request.url.path + ".json" + (f"?{request.url.query}" if request.url.query else "")
    return templates.TemplateResponse(
        request,
        template,
        {
            "title": title,
            "page": page,
            "data": data,
            "engine": engine,
            "json_url": twin,
            "data_json": json.dumps(data, ensure_ascii=False, default=str).replace("</", "<\\/"),
        },
    )


# ---------------------------------------------------------------- data builders (shared by page and twin)


def _index(store: GraphStore) -> dict[str, Any]:
    stats = store.stats()
    return {
        "page": "index",
        "cards": [
            ["examples", stats.nodes.get("Example", 0)],
            ["datasets", stats.nodes.get("Dataset", 0)],
            ["source files", stats.nodes.get("Source", 0)],
            ["models", stats.nodes.get("Model", 0)],
            ["quality issues", stats.nodes.get("QualityIssue", 0)],
            ["near-duplicates", stats.relationships.get("DUPLICATE_OF", 0)],
        ],
    }


def _coverage(store: GraphStore, target: str, rows: str, cols: str, level: int) -> dict[str, Any]:
    if rows == cols:
        raise SpecError("rows and cols must differ", hint="e.g. rows=topic&cols=task")
    data = coverage_heatmap(store, shipped_spec(target, store.schema), rows=rows, cols=cols, level=level)  # type: ignore[arg-type]
    data["targets"] = shipped_targets()
    data["drill_url"] = "/ui/examples"
    # a cell's examples are the ones the heatmap counts: tasks and topics at the target's confidence
    # threshold, without duplicates when the target leaves them out
    drill: dict[str, str] = {"min_confidence": str(data["min_confidence"])}
    if data.get("exclude_duplicates"):
        drill["duplicate"] = "false"
    data["drill_params"] = drill
    return data


def _examples(store: GraphStore, filters: ExampleFilters, cursor: str | None, limit: int) -> dict[str, Any]:
    page = list_examples(store, filters, cursor=cursor, limit=limit)
    given = filters.given()
    schema = store.schema
    # as the query string spells them (true/false, not Python's True/False)
    as_query = {k: str(v).lower() if isinstance(v, bool) else v for k, v in given.items()}
    selects = ("topic", "task", "format", "language")
    return {
        "page": "examples",
        **page.model_dump(),
        "filters": given,
        "limit": limit,
        # filters the form has no field for: kept as hidden fields, so a resubmission keeps them
        "hidden_filters": {k: v for k, v in as_query.items() if k not in selects},
        "next_query": urlencode(
            {**as_query, **({"limit": limit} if limit != DEFAULT_LIMIT else {}), "cursor": page.next_cursor}
        )
        if page.next_cursor
        else None,
        "filter_options": {
            "topic": sorted(c.id for c in schema.topics.values() if c.depth <= 2),
            "task": sorted(schema.tasks),
            "format": sorted(schema.formats),
            "language": sorted(
                {"en", "ko", "zh", "und", *([given["language"]] if "language" in given else [])}
            ),
        },
    }


# ---------------------------------------------------------------- routes


@router.get(
    "", response_class=HTMLResponse, responses=PAGE_ERROR_RESPONSES, name="ui_index", summary="Dashboard home"
)
def ui_index(request: Request, catalog: CatalogDep) -> HTMLResponse:
    with catalog.use() as store:
        return _page(request, "index.html", "Catalog", "index", _index(store), store.engine.name)


@router.get(".json", responses=ERROR_RESPONSES, name="ui_index_json", summary="Dashboard home (JSON twin)")
def ui_index_json(catalog: CatalogDep) -> dict[str, Any]:
    with catalog.use() as store:
        return _index(store)


Rows = Annotated[Literal["topic", "task"], Query()]
Cols = Annotated[Literal["task", "format", "language"], Query()]
Level = Annotated[int, Query(ge=1, le=3)]


@router.get(
    "/coverage",
    response_class=HTMLResponse,
    responses=PAGE_ERROR_RESPONSES,
    name="ui_coverage",
    summary="Coverage heatmap and gap list",
)
def ui_coverage(
    request: Request,
    catalog: CatalogDep,
    target: str = "instructgpt",
    rows: Rows = "topic",
    cols: Cols = "task",
    level: Level = 1,
) -> HTMLResponse:
    with catalog.use() as store:
        return _page(
            request,
            "coverage.html",
            "Coverage",
            "coverage",
            _coverage(store, target, rows, cols, level),
            store.engine.name,
        )


@router.get(
    "/coverage.json",
    responses=ERROR_RESPONSES,
    name="ui_coverage_json",
    summary="Coverage heatmap and gap list (JSON twin)",
)
def ui_coverage_json(
    catalog: CatalogDep,
    target: str = "instructgpt",
    rows: Rows = "topic",
    cols: Cols = "task",
    level: Level = 1,
) -> dict[str, Any]:
    with catalog.use() as store:
        return _coverage(store, target, rows, cols, level)


@router.get(
    "/provenance",
    response_class=HTMLResponse,
    responses=PAGE_ERROR_RESPONSES,
    name="ui_provenance",
    summary="Provenance and licenses",
)
def ui_provenance(request: Request, catalog: CatalogDep) -> HTMLResponse:
    with catalog.use() as store:
        return _page(
            request,
            "provenance.html",
            "Provenance",
            "provenance",
            provenance_overview(store),
            store.engine.name,
        )


@router.get(
    "/provenance.json",
    responses=ERROR_RESPONSES,
    name="ui_provenance_json",
    summary="Provenance and licenses (JSON twin)",
)
def ui_provenance_json(catalog: CatalogDep) -> dict[str, Any]:
    with catalog.use() as store:
        return provenance_overview(store)


@router.get(
    "/quality",
    response_class=HTMLResponse,
    responses=PAGE_ERROR_RESPONSES,
    name="ui_quality",
    summary="Quality issues and duplicate clusters",
)
def ui_quality(request: Request, catalog: CatalogDep) -> HTMLResponse:
    with catalog.use() as store:
        return _page(
            request, "quality.html", "Quality", "quality", quality_overview(store), store.engine.name
        )


@router.get(
    "/quality.json", name="ui_quality_json", summary="Quality issues and duplicate clusters (JSON twin)"
)
def ui_quality_json(catalog: CatalogDep) -> dict[str, Any]:
    with catalog.use() as store:
        return quality_overview(store)


def ui_filters(
    topic: str | None = None,
    task: str | None = None,
    format: str | None = None,
    language: str | None = None,
    dataset: str | None = None,
    issue_kind: str | None = None,
    generator: str | None = None,
    duplicate: bool | None = None,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
) -> ExampleFilters:
    """The examples page's filters; the page's form sends "" for "any"."""
    return ExampleFilters(
        topic=topic or None,
        task=task or None,
        format=format or None,
        language=language or None,
        dataset=dataset or None,
        issue_kind=issue_kind or None,
        generator=generator or None,
        duplicate=duplicate,
        min_confidence=min_confidence,
    )


UiFilters = Annotated[ExampleFilters, Depends(ui_filters)]
DEFAULT_LIMIT = 50
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get(
    "/examples",
    response_class=HTMLResponse,
    responses=PAGE_ERROR_RESPONSES,
    name="ui_examples",
    summary="Examples by filter",
)
def ui_examples(
    request: Request,
    catalog: CatalogDep,
    filters: UiFilters,
    cursor: str | None = None,
    limit: Limit = DEFAULT_LIMIT,
) -> HTMLResponse:
    with catalog.use() as store:
        data = _examples(store, filters, cursor, limit)
        return _page(request, "examples.html", "Examples", "examples", data, store.engine.name)


@router.get(
    "/examples.json",
    responses=ERROR_RESPONSES,
    name="ui_examples_json",
    summary="Examples by filter (JSON twin)",
)
def ui_examples_json(
    catalog: CatalogDep, filters: UiFilters, cursor: str | None = None, limit: Limit = DEFAULT_LIMIT
) -> dict[str, Any]:
    with catalog.use() as store:
        return _examples(store, filters, cursor, limit)


def _example(store: GraphStore, example_id: str) -> dict[str, Any]:
    detail = example_detail(store, example_id).model_dump()
    ex = {
        **detail,
        "tasks": [a["concept"] for a in detail["tasks"]],
        "formats": [a["concept"] for a in detail["formats"]],
        "topics": [a["concept"] for a in detail["topics"]],
    }
    return {
        "page": "example",
        "example": ex,
        "lineage": detail["lineage"],
        "issues": detail["issues"],
        "duplicates": detail["duplicates"],
    }


@router.get(
    "/examples/{example_id}.json",
    responses=ERROR_RESPONSES,
    name="ui_example_json",
    summary="One example (JSON twin)",
)
def ui_example_json(example_id: str, catalog: CatalogDep) -> dict[str, Any]:
    with catalog.use() as store:
        return _example(store, example_id)


@router.get(
    "/examples/{example_id}",
    response_class=HTMLResponse,
    responses=PAGE_ERROR_RESPONSES,
    name="ui_example",
    summary="One example as a conversation",
)
def ui_example(request: Request, example_id: str, catalog: CatalogDep) -> HTMLResponse:
    with catalog.use() as store:
        return _page(
            request, "example.html", "Example", "examples", _example(store, example_id), store.engine.name
        )


def _review(store: GraphStore, settings: Any, n: int, target: str) -> dict[str, Any]:
    queue = queue_for(store, settings, n, "task", target).model_dump()
    return {"page": "review", **queue, "next": n, "target_param": target}


@router.get(
    "/review",
    response_class=HTMLResponse,
    responses=PAGE_ERROR_RESPONSES,
    name="ui_review",
    summary="Review: label the queued examples with the keyboard",
)
def ui_review(
    request: Request,
    catalog: CatalogDep,
    settings: SettingsDep,
    next: Next = 10,
    target: Target = "instructgpt",
) -> HTMLResponse:
    with catalog.use() as store:
        data = _review(store, settings, next, target)
        return _page(request, "review.html", "Review", "review", data, store.engine.name)


@router.get(
    "/review.json", responses=ERROR_RESPONSES, name="ui_review_json", summary="Review queue (JSON twin)"
)
def ui_review_json(
    catalog: CatalogDep, settings: SettingsDep, next: Next = 10, target: Target = "instructgpt"
) -> dict[str, Any]:
    with catalog.use() as store:
        return _review(store, settings, next, target)
