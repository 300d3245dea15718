"""Cut the demo sample shipped in catalog/demo/data from the real datasets in ../shared/datasets.

A development tool: run it when the sample should change, commit its output. curagraph itself
never reads ../shared at run time. Records are taken from the start of each file, as they are.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets"
OUT = ROOT / "catalog" / "demo" / "data"

# (dataset folder, file, how many records, container)
PICKS = [
    ("stanford-alpaca-5k", "alpaca_5000.json", 60, "array"),
    ("code-alpaca-2k", "code_alpaca_2k.json", 30, "array"),
    ("alpaca-zh-demo", "alpaca_zh_demo.json", 30, "array"),
    ("lima", "lima.json", 25, "array"),
    ("gsm8k", "train.jsonl", 50, "lines"),
    ("oasst-en-100-trees", "en_100_tree.jsonl", 5, "lines"),
    ("glaive-toolcall-demo", "glaive_toolcall_en_demo.json", 30, "array"),
    ("self-instruct", "seed_tasks.jsonl", 30, "lines"),
    ("kullm-user-oriented-ko", "user_oriented_instructions_eval.jsonl", 20, "lines"),
    ("ko-chatbot-data", "ChatbotData.csv", 50, "csv"),
    ("bfcl-v4", "BFCL_v4_simple_python.json", 30, "lines"),
]


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "manifests").mkdir(parents=True)
    credits = [
        "# Demo sample: sources and attribution\n",
        "Each file is the first records of a public dataset, unchanged. Licenses are the upstream ones.\n",
    ]
    for folder, name, n, kind in PICKS:
        src = SHARED / folder / name
        dst_dir = OUT / folder
        dst_dir.mkdir()
        if kind == "array":
            records = json.loads(src.read_text(encoding="utf-8"))[:n]
            (dst_dir / name).write_text(
                json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
        elif kind == "lines":
            lines = src.read_text(encoding="utf-8").splitlines(keepends=True)[:n]
            (dst_dir / name).write_text("".join(lines), encoding="utf-8")
            answers = SHARED / folder / "possible_answer" / name
            if answers.exists():
                ids = {json.loads(line)["id"] for line in lines}
                keep = [
                    a
                    for a in answers.read_text(encoding="utf-8").splitlines(keepends=True)
                    if json.loads(a)["id"] in ids
                ]
                (dst_dir / "possible_answer").mkdir()
                (dst_dir / "possible_answer" / name).write_text("".join(keep), encoding="utf-8")
        else:
            lines = src.read_text(encoding="utf-8").splitlines(keepends=True)[: n + 1]
            (dst_dir / name).write_text("".join(lines), encoding="utf-8")
        shutil.copy(ROOT / "tests" / "manifests" / f"{folder}.yaml", OUT / "manifests" / f"{folder}.yaml")
        source_md = (SHARED / folder / "SOURCE.md").read_text(encoding="utf-8")
        title = source_md.splitlines()[0].lstrip("# ").strip()
        lic = next((line.strip() for line in source_md.splitlines() if line.startswith("- **License")), "")
        credits.append(f"\n## {folder}/{name} ({n} records)\n\n{title}\n\n{lic}\n")
    (OUT / "ATTRIBUTION.md").write_text("".join(credits), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
