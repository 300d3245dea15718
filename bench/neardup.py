"""A labelled near-duplicate benchmark built from the real datasets, and its scoring.

    python bench/neardup.py [--originals 1500] [--out bench/.work/neardup]

Originals are real records (Stanford Alpaca, Code Alpaca, GSM8K, the Korean chatbot set, the Chinese
Alpaca), kept only if no other original comes near them (exact k-gram Jaccard below 0.5 against all
others), so any duplicate the benchmark holds is one it planted. Each original may get variants,
each labelled with its kind:
- exact: the same text with whitespace and casing changed (duplicates on normalised text);
- edit: one to three word-level edits (replace, delete, insert, a typo) in a long enough text;
- reorder: two sentences of the reply swapped;
and the benchmark lists the pairs of originals that share a template (the same first three words of
the prompt): true non-duplicates that look alike. Ground truth is written beside the data:
`truth.jsonl`, one line per planted variant {original, variant, kind} and per template pair
{a, b, kind: "template"}.

Scoring (`score`) compares the clusters dedup wrote with the truth, pair by pair: a predicted pair is
two examples in one cluster; it is right when they are an original and its variant (or two variants
of one original).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.helpers.neardup import build  # noqa: E402  (the set and its scoring live with the tests)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--originals", type=int, default=1500)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / ".work" / "neardup")
    args = parser.parse_args()
    from bench.ingest import shared_dir

    print(build(shared_dir(), args.out, originals=args.originals))


if __name__ == "__main__":
    main()
