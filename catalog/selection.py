"""Selection: N examples that fill a target mix, eligible by its rules, representative and diverse.

1. The pool: supply examples, one per duplicate cluster (representatives only), usable under the
   license policy once every ancestor's license counts, without issues above the allowed severity,
   without a safety flag unless the rules include flagged examples, and (when the spec sets task
   quotas) with a task assigned at or above the confidence threshold: an uncertain or unlabelled
   example never fills a quota. Tasks and topics below the threshold do not count for any cell.
2. Quotas: the spec's shares of N and its minimum counts scaled by N / total: every task, format, language and
   topic quota, and every cross cell. Cross cells come first (they are minimums), then the quotas of
   the dimension whose shares cover most of the mix (tasks, in the InstructGPT spec), largest first,
   then the others from what is left; what cannot be filled within N is reported.
3. Within a cell, examples are chosen far apart (farthest-point selection on MinHash distance of
   their text, the way active learning picks a diverse batch), starting from the example nearest the
   cell's centre, so a cell is represented by varied examples rather than near-copies.
4. The report says, per quota, what was wanted, what was chosen and what could not be filled.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from catalog.census import confident, parse_scored_key
from catalog.coverage import SpecError, TargetSpec
from catalog.coverage.report import UNDETERMINED
from catalog.coverage.spec import DIMENSIONS, Eligibility, Quota
from catalog.eligibility import ineligible_examples
from catalog.quality.dedup import conversation_text
from catalog.quality.minhash import MinHasher
from catalog.schema import with_broader
from catalog.store.base import GraphStore
from catalog.store.rows import MessagesRow

log = logging.getLogger(__name__)

#: signature entries used for the diversity distance (the first of a 128-entry MinHash)
DIVERSITY_PERMS = 32
#: at most this many candidates per cell are compared (a deterministic sample of larger cells)
CANDIDATE_CAP = 20_000


class QuotaFill(BaseModel):
    dimension: str  # task | format | language | topic | cell
    value: str
    wanted: int
    chosen: int
    available: int  # eligible examples in the cell
    unfilled: int


class Selection(BaseModel):
    spec: str
    requested: int
    selected: int
    pool: int  # eligible examples
    excluded: dict[str, int]  # why examples were not eligible
    fills: list[QuotaFill]
    ids: list[str]


@dataclass(frozen=True)
class _Example:
    id: str
    tasks: frozenset[str]
    formats: frozenset[str]
    language: str
    topics: frozenset[str]

    def values(self, dimension: str) -> frozenset[str]:
        if dimension == "language":
            return frozenset([self.language])
        return {"task": self.tasks, "format": self.formats, "topic": self.topics}[dimension]


def _stable(ident: str) -> int:
    return int.from_bytes(hashlib.blake2b(ident.encode(), digest_size=8).digest(), "little")


def farthest_first(ids: list[str], signatures: np.ndarray, k: int) -> list[str]:
    """k ids far apart: start at the medoid-like example (most similar to the rest on average),
    then repeatedly take the one least similar to everything taken so far."""
    if k >= len(ids):
        return list(ids)
    if k <= 0:
        return []
    sig = signatures[:, :DIVERSITY_PERMS]
    centre = sig[np.argmax(np.array([(sig == row).mean() for row in sig[: min(len(sig), 512)]]))]
    start = int(np.argmax((sig == centre).mean(axis=1)))
    chosen = [start]
    nearest = (sig == sig[start]).mean(axis=1)  # similarity to the nearest chosen example
    nearest[start] = np.inf
    for _ in range(k - 1):
        pick = int(np.argmin(nearest))
        chosen.append(pick)
        nearest = np.maximum(nearest, (sig == sig[pick]).mean(axis=1))
        nearest[pick] = np.inf
    return [ids[i] for i in chosen]


def select_examples(
    store: GraphStore,
    spec: TargetSpec,
    n: int,
    *,
    eligibility: Eligibility | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Selection:
    if n <= 0:
        raise SpecError(
            "-n must be a positive number of examples",
            hint="e.g. curagraph select --target instructgpt -n 1000",
        )
    rules = eligibility or spec.eligibility
    schema = store.schema
    rows = store.selection_rows(role="supply")
    excluded: dict[str, int] = {}
    ineligible = ineligible_examples(store, rules)
    flagged = store.flagged_examples() if rules.safety == "exclude" else set()
    duplicates = set(store.duplicate_members()) if rules.exclude_duplicates else set()
    needs_task = bool(spec.tasks) or any(c.task for c in spec.cells)

    def leave_out(reason: str) -> None:
        excluded[reason] = excluded.get(reason, 0) + 1

    pool: dict[str, _Example] = {}
    for row in rows:
        ident = row.id
        if ident in duplicates:
            leave_out("duplicate")
            continue
        if ident in flagged:
            leave_out("safety flag")
            continue
        if ident in ineligible:
            leave_out("license or quality")
            continue
        scored = parse_scored_key(row.coverage_key) if row.coverage_key else ((), (), ())
        tasks = confident(scored[0], rules.min_confidence)
        if needs_task and not tasks:
            leave_out("task below the confidence threshold" if scored[0] else "no task (unlabelled)")
            continue
        pool[ident] = _Example(
            ident,
            with_broader(schema.tasks, tasks),
            frozenset(f for f, _ in scored[1]),
            row.language or UNDETERMINED,
            with_broader(schema.topics, confident(scored[2], rules.min_confidence)),
        )
    quotas: list[tuple[str, str, dict[str, str], int]] = []  # (dimension, label, conditions, wanted)
    for dim in DIMENSIONS:
        for value, q in sorted(spec.dimension(dim).items()):
            quotas.append((dim, value, {dim: value}, _wanted(q, n, spec.total)))
    for cell in spec.cells:
        quotas.append(("cell", cell.label(), cell.conditions(), _wanted(cell.quota(), n, spec.total)))
    primary = max(DIMENSIONS, key=lambda d: sum(q.share or 0.0 for q in spec.dimension(d).values()))
    # cross cells (hard minimums) first, then the primary dimension's quotas, largest first, then the rest
    order = sorted(quotas, key=lambda q: (q[0] != "cell", q[0] != primary, -q[3]))
    hasher = MinHasher(num_perm=128)
    chosen: list[str] = []
    taken: set[str] = set()
    fills: list[QuotaFill] = []
    for step, (dim, label, conditions, wanted) in enumerate(order):
        members = sorted(
            (e.id for e in pool.values() if all(v in e.values(d) for d, v in conditions.items())), key=_stable
        )
        have = sum(1 for i in members if i in taken)
        room = n - len(chosen)
        need = max(0, min(wanted - have, room))
        fresh = [i for i in members if i not in taken]
        picked: list[str] = []
        if need and fresh:
            fresh = _most_helpful(fresh, need, pool, quotas, taken, exclude=(dim, label))[:CANDIDATE_CAP]
            texts = [conversation_text(m) for _i, m in _ordered(store.example_messages(ids=fresh), fresh)]
            picked = farthest_first(fresh, hasher.signatures(texts), need)
        chosen += picked
        taken.update(picked)
        got = have + len(picked)
        fills.append(
            QuotaFill(
                dimension=dim,
                value=label,
                wanted=wanted,
                chosen=got,
                available=len(members),
                unfilled=max(0, wanted - got),
            )
        )
        if progress:
            progress("filling quotas", step + 1, len(order))
    # what each quota holds in the end: later quotas' picks count for earlier cells too
    for f, (_d, _l, conditions, _w) in zip(fills, order, strict=True):
        f.chosen = sum(1 for i in chosen if all(v in pool[i].values(d) for d, v in conditions.items()))
        f.unfilled = max(0, f.wanted - f.chosen)
    fills.sort(key=lambda f: (-f.unfilled, f.dimension, f.value))
    return Selection(
        spec=spec.name,
        requested=n,
        selected=len(chosen),
        pool=len(pool),
        excluded=excluded,
        fills=fills,
        ids=sorted(chosen),
    )


def _most_helpful(
    candidates: list[str],
    need: int,
    pool: dict[str, _Example],
    quotas: list[tuple[str, str, dict[str, str], int]],
    taken: set[str],
    *,
    exclude: tuple[str, str],
) -> list[str]:
    """The candidates that also serve the most other quotas still short (a cell's examples should
    be English when the mix wants 96% English), best tier first, enough tiers to pick `need`."""
    open_quotas = []
    for dim, label, conditions, wanted in quotas:
        if (dim, label) == exclude:
            continue
        have = sum(1 for i in taken if all(v in pool[i].values(d) for d, v in conditions.items()))
        if have < wanted:
            open_quotas.append(conditions)
    if not open_quotas:
        return candidates
    tiers: dict[int, list[str]] = {}
    for i in candidates:
        e = pool[i]
        score = sum(all(v in e.values(d) for d, v in c.items()) for c in open_quotas)
        tiers.setdefault(score, []).append(i)
    out: list[str] = []
    for score in sorted(tiers, reverse=True):
        out += tiers[score]
        if len(out) >= need:
            break
    return out


def _wanted(q: Quota, n: int, total: int | None) -> int:
    """A quota for a selection of n: shares of n; minimum counts scaled by n / the spec's total
    (a minimum of 500 in a 12,725-example mix is 40 in a selection of 1,000)."""
    share = math.ceil(q.share * n - 1e-9) if q.share is not None else 0
    minimum = q.min or 0
    if minimum and total:
        minimum = math.ceil(minimum * n / total - 1e-9)
    return max(share, minimum)


def _ordered(rows: list[MessagesRow], ids: list[str]) -> list[tuple[str, str | None]]:
    """(id, messages JSON) of `ids`, in their order."""
    by = {r.id: r.messages for r in rows}
    return [(i, by.get(i)) for i in ids]
