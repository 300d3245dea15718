"""Ask-mode evaluation: 63 questions in English, Korean and Chinese over the real datasets.

57 are in scope: each names the template it should reach and a gold answer computed through the
catalog's own queries (coverage matrix, license check, synthetic audit, lineage, duplicate clusters;
not through the template's Cypher). 45 of them were written with the templates, 12 afterwards to see
how far the matching generalises. 6 are out of scope (a ranking, an average, a filter no template
takes): right when no template claims them, since a template that ignores part of a question
answers a different one.

    python bench/ask_eval.py            # builds the real catalog (embedded), prints the table

Every question is asked five times; the Cypher and the answer must not change.
tests/test_ask_eval.py runs the same set on both engines.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from catalog.config import Settings  # noqa: E402
from tests.helpers.ask_eval import build_catalog, evaluate  # noqa: E402  (the set and its gold answers live with the tests)


def main() -> None:
    import shutil

    from catalog.store import open_store

    work = REPO / "bench" / ".work" / "ask-eval"
    shutil.rmtree(work, ignore_errors=True)
    settings = Settings(db=work)
    store = open_store(settings)
    try:
        build_catalog(store, settings, work)
        out = evaluate(store, settings)
    finally:
        store.close()
    for r in out["results"]:
        mark = "ok " if r["right"] else ("tpl" if r["covered"] else "---")
        print(f"  [{mark}] {r['language']} {r['template']:<34} {r['question']}")
    print(
        f"\n{out['questions']} questions, each asked 5 times; same Cypher and answer every time: {out['stable']}"
    )
    print(
        "\n| language | in scope | answered by a template | right | out of scope | declined (left to a model) |"
        "\n|---|---:|---:|---:|---:|---:|"
    )
    for lang, v in [*out["by_language"].items(), ("all", out["all"])]:
        print(
            f"| {lang} | {v['n']} | {v['covered']} | {v['right']} | {v['out_of_scope']} | {v['declined']} |"
        )


if __name__ == "__main__":
    main()
