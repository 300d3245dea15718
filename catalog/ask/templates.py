"""Common questions matched to parameterised Cypher, deterministically, in English, Korean and
Chinese: no model is asked, and the same question always gives the same query and answer.

A question is read for (1) an intent, from keyword patterns in the three languages, and (2) the
things it names: concepts of the ontology by any of their labels (`mathematics`, `수학`, `数学`),
languages, datasets and models of the catalog, an example id, a number. The first template whose
intent and slots are all present wins; templates are ordered from the most specific.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.schema import Schema
from catalog.store import ask_cypher as A

_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
#: a number, also where a Korean or Chinese counter follows it (10개, 10个)
_NUMBER = re.compile(r"(?<![0-9.a-z])(\d{1,7})(?![0-9.a-z])")

#: ISO code -> how people name the language
LANGUAGE_NAMES = {
    "en": ("english", "영어", "英语", "英文"),
    "ko": ("korean", "한국어", "한글", "韩语", "韩文"),
    "zh": ("chinese", "중국어", "中文", "汉语"),
    "ja": ("japanese", "일본어", "日语"),
    "fr": ("french", "프랑스어", "法语"),
    "de": ("german", "독일어", "德语"),
    "es": ("spanish", "스페인어", "西班牙语"),
}

_K = {
    "how_many": r"how many|number of|count|몇\s*개|몇개|개수|얼마나|有多少|多少|数量|几个",
    "per": r"\bper\b|\bby\b|\beach\b|별|마다|每个|每种|按|各",
    "generated": r"generat(?:ed|es|e|ing)|written by|\bwr(?:ote|ite)\b|made by|produced by|생성|만든|由.{0,20}生成|生成",
    "generators": r"generators?|모델별|生成模型",
    "lineage": r"come from|came from|lineage|origin|provenance|source|어디서|출처|기원|来源|出处|从哪",
    "license": r"licen[cs]e|라이선스|라이센스|许可|授权|协议",
    "duplicate": r"duplicat|near-dup|중복|重复",
    "commercial": r"commercial|상업|商用|商业",
    "fewer": r"fewer than|less than|under|below|미만|이하|보다 적|少于|不到|低于",
    "gap": r"\bgaps?\b|deficit|lack|missing|short of|부족|결핍|모자|缺口|不足|缺少",
    "issue": r"issues?|problems?|quality|품질|문제|质量|问题",
    "personal": r"personal data|pii|e-?mail|phone|개인\s*정보|이메일|전화|个人信息|邮箱|电话",
    "datasets": r"datasets|데이터셋|데이터 세트|数据集",
    "models": r"\bmodels?\b|모델|模型",
    "total": r"examples|예제|샘플|데이터(?!\s*셋|\s*세트)|例子|样本|示例|数据(?!集)",
    "without": r"\bno\b|\bwithout\b|\black(?:s|ing)? an?\b|\bunlabell?ed\b|없는|없이|없어|없나|없습|미분류|没有|无|未标注|缺少",
    "distribution": r"distribution|breakdown|split|분포|分布",
}
KEY = {k: re.compile(v, re.IGNORECASE) for k, v in _K.items()}

#: dimension words (for "per X" questions)
DIMENSIONS = {
    "topic": r"topics?|subjects?|주제|토픽|主题|话题",
    "task": r"tasks?|작업|과제|태스크|任务",
    "format": r"formats?|형식|포맷|格式",
    "language": r"languages?|언어|语言|语种",
    "dataset": r"datasets?|데이터셋|数据集",
}
DIM = {k: re.compile(v, re.IGNORECASE) for k, v in DIMENSIONS.items()}


@dataclass
class Mentions:
    concepts: dict[str, list[str]] = field(default_factory=dict)  # scheme -> ids, in order of appearance
    surfaces: dict[str, str] = field(default_factory=dict)  # concept id -> the words that named it
    languages: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    example_id: str | None = None
    number: int | None = None
    target: str | None = None
    #: the question with every slot's words taken out (what the intent words must account for)
    rest: str = ""


@dataclass(frozen=True)
class Match:
    template: str
    query: str | None  # the Cypher template, or None for a catalog call (gaps, commercial)
    params: dict[str, Any]
    #: concepts the question names only as part of the intent ("by language", "生成")
    consumed: frozenset[str] = frozenset()
    #: the intent words (KEY and DIM pattern names) this template stands for: with the slots and
    #: the words any question asks with, they must account for the whole question
    uses: tuple[str, ...] = ()


class Vocabulary:
    """Surface forms of what questions name: the ontology's concepts (every label, in every language,
    and the classifier's cue phrases), and the catalog's datasets and models."""

    def __init__(
        self, schema: Schema, *, datasets: list[str], models: list[tuple[str, str | None]], targets: list[str]
    ) -> None:
        forms: list[tuple[str, str, str]] = []  # (surface, scheme, id)
        for scheme, concepts in (
            ("topic", schema.topics),
            ("task", schema.tasks),
            ("format", schema.formats),
        ):
            for c in concepts.values():
                surfaces = {c.id, c.id.replace("-", " "), c.label}
                surfaces |= {a.split(":", 1)[1] for a in c.alt_labels}
                for s in surfaces:
                    if len(s) >= 2:
                        forms.append((s.lower(), scheme, c.id))
        # longest first, so "chain-of-thought" wins over "thought" and 수학 문제 over 수학
        self.forms = sorted(set(forms), key=lambda f: (-len(f[0]), f[0], f[1]))
        self.datasets = sorted(datasets, key=lambda d: -len(d))
        self.models = sorted(((m, (n or m)) for m, n in models), key=lambda m: -len(m[1]))
        self.targets = targets

    def read(self, question: str) -> Mentions:
        text = question.lower()
        found = Mentions()
        if m := _ID.search(text):
            found.example_id = m.group(0)
            text = text.replace(m.group(0), " ")
        for d in self.datasets:
            if d.lower() in text:
                found.datasets.append(d)
                text = text.replace(d.lower(), " ")
        for ident, name in self.models:
            for surface in {ident.lower(), name.lower()}:
                if surface and surface in text:
                    found.models.append(ident)
                    text = text.replace(surface, " ")
                    break
        for t in self.targets:
            if t.lower() in text:
                found.target = t
                text = text.replace(t.lower(), " ")
        for code, names in LANGUAGE_NAMES.items():
            if any(n in text for n in names):
                found.languages.append(code)
                for n in names:
                    text = text.replace(n, " ")
        for surface, scheme, ident in self.forms:
            if _mentions(text, surface):
                if ident not in found.concepts.get(scheme, []):
                    found.concepts.setdefault(scheme, []).append(ident)
                    found.surfaces[ident] = surface
                text = _cut(text, surface)
        if m := _NUMBER.search(text):
            found.number = int(m.group(1))
            text = text[: m.start()] + " " + text[m.end() :]
        found.rest = text
        return found


def _surface_pattern(surface: str) -> re.Pattern[str]:
    if surface.isascii():
        return re.compile(rf"(?<![a-z0-9]){re.escape(surface)}(?![a-z0-9])")
    return re.compile(re.escape(surface))


def _mentions(text: str, surface: str) -> bool:
    return _surface_pattern(surface).search(text) is not None


def _cut(text: str, surface: str) -> str:
    """The text with the surface (as a word, for ASCII) replaced by a space."""
    return _surface_pattern(surface).sub(" ", text)


def _intent_words(f: Mentions, pattern: re.Pattern[str]) -> frozenset[str]:
    """Concepts named by a word that is the question's intent ("language" in "by language")."""
    return frozenset(i for i, surface in f.surfaces.items() if pattern.fullmatch(surface))


def _has(key: str, q: str) -> bool:
    return KEY[key].search(q) is not None


def _dimension(q: str, found: Mentions) -> str | None:
    """The dimension a "per X" question groups by (a dimension word not used as a concept)."""
    for dim, pattern in DIM.items():
        if pattern.search(q):
            return dim
    return None


Rule = Callable[[str, Mentions], Match | None]

#: the intent words of a count
_COUNT_USES = ("how_many", "total")
_EXAMPLE_USES = ("duplicate", "license", "commercial", "lineage", "total")
_ISSUE_USES = (*_COUNT_USES, "issue", "personal", "per")


def _example_rules(q: str, f: Mentions) -> Match | None:
    if not f.example_id:
        return None
    if _has("duplicate", q):
        return Match(
            "duplicates-of-example", A.DUPLICATES_OF_EXAMPLE, {"id": f.example_id}, uses=_EXAMPLE_USES
        )
    if _has("license", q) or _has("commercial", q):
        return Match("license-of-example", A.EXAMPLE_LICENSES, {"id": f.example_id}, uses=_EXAMPLE_USES)
    # an example named with no other question is asked about where it came from
    return Match("lineage-of-example", A.EXAMPLE_SOURCES, {"id": f.example_id}, uses=_EXAMPLE_USES)


def _topics_under(q: str, f: Mentions) -> Match | None:
    fmt = f.concepts.get("format")
    if _has("fewer", q) and f.number is not None and fmt:
        return Match(
            "topics-with-fewer-than",
            A.TOPICS_UNDER,
            {"format": fmt[0], "k": f.number},
            uses=(*_COUNT_USES, "fewer"),
        )
    return None


def _gaps(q: str, f: Mentions) -> Match | None:
    if _has("gap", q):
        return Match(
            "gaps-for-target", None, {"target": f.target or "instructgpt"}, uses=(*_COUNT_USES, "gap")
        )
    return None


def _commercial(q: str, f: Mentions) -> Match | None:
    if _has("commercial", q) and not f.datasets:
        return Match(
            "commercially-usable",
            None,
            {"policy": "commercial"},
            uses=(*_COUNT_USES, "commercial", "license"),
        )
    return None


def _dataset_license(q: str, f: Mentions) -> Match | None:
    if f.datasets and (_has("license", q) or _has("commercial", q)):
        return Match(
            "licenses-of-dataset",
            A.DATASET_LICENSES,
            {"dataset": f.datasets[0]},
            uses=("license", "commercial", "datasets"),
        )
    return None


def _generator(q: str, f: Mentions) -> Match | None:
    if f.models and (_has("generated", q) or _has("how_many", q)):
        intent = _intent_words(f, KEY["generated"])
        return Match(
            "examples-by-generator",
            A.BY_GENERATOR,
            {"model": f.models[0]},
            intent,
            uses=(*_COUNT_USES, "generated", "models"),
        )
    asks_which = re.search(r"\b(which|what)\b|어떤|어느|哪", q) is not None
    if _has("generators", q) or (
        _has("generated", q) and (_has("per", f.rest) or _has("models", q) or asks_which)
    ):
        return Match(
            "generator-share",
            A.GENERATORS,
            {},
            _intent_words(f, KEY["generated"]),
            uses=(*_COUNT_USES, "generators", "generated", "per", "models"),
        )
    return None


def _issues(q: str, f: Mentions) -> Match | None:
    if _has("personal", q):
        kind = (
            "email"
            if re.search(r"e-?mail|이메일|邮箱", q, re.I)
            else "phone"
            if re.search(r"phone|전화|电话", q, re.I)
            else None
        )
        if kind:
            return Match(
                "examples-with-issue",
                A.ISSUES_OF_KIND,
                {"kind": kind},
                uses=(*_COUNT_USES, "personal", "issue"),
            )
        return Match("issues-by-kind", A.ISSUES_BY_KIND, {}, uses=_ISSUE_USES)
    if _has("issue", q):
        return Match("issues-by-kind", A.ISSUES_BY_KIND, {}, uses=_ISSUE_USES)
    return None


def _duplicates(q: str, f: Mentions) -> Match | None:
    if _has("duplicate", q):
        return Match("duplicate-total", A.DUPLICATE_TOTAL, {}, uses=(*_COUNT_USES, "duplicate"))
    return None


def _cross(q: str, f: Mentions) -> Match | None:
    picks = [(s, ids[0]) for s, ids in f.concepts.items()] + [("language", lang) for lang in f.languages[:1]]
    if len(picks) < 2:
        return None
    order = {"topic": 0, "task": 1, "format": 2, "language": 3}
    (a_dim, a), (b_dim, b) = sorted(picks, key=lambda p: order[p[0]])[:2]
    query = A.CROSS_COUNT.get((a_dim, b_dim))
    return Match(f"count-{a_dim}-x-{b_dim}", query, {"a": a, "b": b}, uses=_COUNT_USES) if query else None


def _count_of(q: str, f: Mentions) -> Match | None:
    for scheme in ("topic", "task", "format"):
        if f.concepts.get(scheme) and not _has("per", f.rest):
            return Match(
                f"count-of-{scheme}", A.COUNT_OF[scheme], {"value": f.concepts[scheme][0]}, uses=_COUNT_USES
            )
    if f.languages and not _has("per", f.rest):
        return Match("count-of-language", A.COUNT_OF["language"], {"value": f.languages[0]}, uses=_COUNT_USES)
    if f.datasets:
        return Match(
            "count-of-dataset",
            A.COUNT_OF["dataset"],
            {"value": f.datasets[0]},
            uses=(*_COUNT_USES, "datasets"),
        )
    return None


def _without(q: str, f: Mentions) -> Match | None:
    """Examples with no edge of a dimension: unlabelled is an answer of its own."""
    if not _has("without", q):
        return None
    for dim in ("topic", "task", "format"):
        if DIM[dim].search(q) and not f.concepts.get(dim):
            return Match(
                f"count-without-{dim}",
                A.COUNT_WITHOUT[dim],
                {},
                _intent_words(f, DIM[dim]),
                uses=(*_COUNT_USES, "without", dim),
            )
    return None


def _count_by(q: str, f: Mentions) -> Match | None:
    dim = _dimension(q, f)
    if dim and (_has("per", f.rest) or _has("how_many", q) or _has("distribution", q)):
        return Match(
            f"count-by-{dim}",
            A.COUNT_BY[dim],
            {},
            _intent_words(f, DIM[dim]),
            uses=(*_COUNT_USES, "per", dim, "distribution"),
        )
    return None


def _lists(q: str, f: Mentions) -> Match | None:
    if _has("datasets", q):
        return Match("datasets", A.DATASETS, {}, uses=(*_COUNT_USES, "datasets"))
    if _has("models", q):
        return Match("models", A.MODELS, {}, uses=(*_COUNT_USES, "models"))
    return None


def _total(q: str, f: Mentions) -> Match | None:
    if _has("how_many", q) and _has("total", q):
        return Match("examples-total", A.EXAMPLES_TOTAL, {}, uses=_COUNT_USES)
    return None


#: most specific first
RULES: tuple[Rule, ...] = (
    _example_rules,
    _topics_under,
    _dataset_license,
    _commercial,
    _without,
    _gaps,
    _generator,
    _issues,
    _duplicates,
    _cross,
    _count_of,
    _count_by,
    _lists,
    _total,
)


#: words that ask for more than a template computes (a ranking, an average, a comparison)
_BEYOND = re.compile(
    r"\b(most|least|fewest|largest|smallest|longest|shortest|average|mean|median|highest|lowest|top \d+|"
    r"compare|versus|vs\.?|ratio|percent(age)?)\b|가장|제일|평균|최대|최소|비교|비율|最多|最少|最长|最短|平均|最大|最小|比较|比例",
    re.IGNORECASE,
)


#: words a question asks with, whatever it asks: they add no condition. Negations, quantifiers
#: ("only", "more", "most") and anything else that would change the answer are not here.
_ASKING_EN = frozenset(
    [
        "how",
        "many",
        "much",
        "what",
        "which",
        "is",
        "are",
        "was",
        "were",
        "there",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "for",
        "to",
        "do",
        "does",
        "did",
        "we",
        "i",
        "you",
        "have",
        "has",
        "had",
        "catalog",
        "catalogue",
        "our",
        "my",
        "this",
        "these",
        "those",
        "me",
        "show",
        "tell",
        "list",
        "give",
        "please",
        "example",
        "examples",
        "sample",
        "samples",
        "record",
        "records",
        "item",
        "items",
        "data",
        "rows",
        "number",
        "count",
        "total",
        "all",
        "with",
        "that",
        "and",
        "currently",
        "right",
        "now",
        "overall",
        "altogether",
        "contain",
        "contains",
        "contained",
        "hold",
        "holds",
        "held",
        "stored",
        "kept",
        "get",
        "find",
        "see",
        "any",
        "it",
        "its",
        "can",
        "could",
        "would",
        "will",
        "be",
        "being",
        "been",
        "about",
        "per",
        "by",
        "each",
        "across",
        "among",
        "from",
        "written",
        "made",
        "created",
        "there's",
        "what's",
        "how's",
        "let",
        "us",
        "let's",
        "know",
        "want",
        "need",
        "currently",
        "exist",
        "exists",
        "existing",
        "one",
        "ones",
        "kind",
        "kinds",
        "type",
        "types",
        "question",
        "questions",
        "prompt",
        "prompts",
    ]
)
#: Korean: whole words, and the particles and endings that attach to a word
_ASKING_KO = frozenset(
    [
        "예제",
        "예시",
        "샘플",
        "데이터",
        "항목",
        "건",
        "개",
        "몇",
        "얼마",
        "얼마나",
        "전체",
        "총",
        "모두",
        "카탈로그",
        "알려줘",
        "알려",
        "주세요",
        "알려주세요",
        "보여줘",
        "보여",
        "보여주세요",
        "줘",
        "있어",
        "있나",
        "있나요",
        "있니",
        "있습니까",
        "있는",
        "있을",
        "있는지",
        "있지",
        "돼",
        "되나",
        "되나요",
        "되는",
        "된",
        "관련",
        "관련된",
        "대한",
        "대해",
        "중",
        "각",
        "별로",
        "무엇",
        "뭐",
        "어떤",
        "어느",
        "나와",
        "나열해",
        "나열",
        "해줘",
        "말해줘",
        "있고",
        "있어요",
        "개야",
        "개인가요",
        "개인지",
        "개예요",
        "개입니까",
        "인가요",
        "입니까",
        "인지",
        "이야",
        "이에요",
        "예요",
        "야",
        "요",
        "수",
        "좀",
    ]
)
_KO_PARTICLES = (
    "에서는", "에서의", "에서", "으로", "에는", "에게", "한테", "과는", "와는", "이라는", "라는",
    "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "요", "야",
    # verb endings after an intent word (생성한, 생성된, 만든): they add no condition
    "하는", "되는", "했던", "됐던", "된", "한", "했", "됐", "하여", "해서", "되어", "돼서", "인",
    # adjective and noun suffixes after an intent word (상업적으로, 상업용)
    "적으로", "적인", "적", "용으로", "용", "할", "셋이", "셋은",
    "했어요", "했어", "했나요", "했나", "했니", "했습니까", "했는지",
)  # fmt: skip
#: Chinese: the characters and words questions ask with (no spaces to split on)
_ASKING_ZH = tuple(
    sorted(
        [
            "有多少",
            "多少",
            "一共",
            "总共",
            "总数",
            "数量",
            "个数",
            "几个",
            "几",
            "共",
            "有",
            "个",
            "条",
            "的",
            "是",
            "吗",
            "呢",
            "请",
            "目录",
            "中",
            "里",
            "里面",
            "在",
            "了",
            "些",
            "都",
            "数据",
            "例子",
            "样本",
            "示例",
            "相关",
            "关于",
            "告诉",
            "我",
            "显示",
            "列出",
            "给",
            "看看",
            "目前",
            "现在",
            "总",
            "所有",
            "全部",
            "每",
            "各",
            "按",
            "分别",
            "哪些",
            "哪个",
            "什么",
            "用",
            "被",
            "由",
            "做",
            "这",
            "那",
            "统计",
            "一下",
            "下",
        ],
        key=len,
        reverse=True,
    )
)
_TOKENS = re.compile(r"[a-z0-9][a-z0-9'\-]*|[\uac00-\ud7a3]+|[\u4e00-\u9fff]+")
#: asking whether something may be used (commercially)
_USE_WORDS = r"used|use|usable|may|allowed|ok|okay|사용할|사용|쓸|가능한|가능|可以|使用|能"
#: more words a template stands for, beyond its KEY / DIM intents
_TEMPLATE_WORDS = {
    "commercially-usable": _USE_WORDS + r"|purposes?",
    "gaps-for-target": r"target|mix|cells?|where|against|want|wants|wanted|목표|셀|대비|부분|어디|目标|哪里|单元|相对于|相对",
    "lineage-of-example": r"where|did|does|this|from|come|came|comes|어디서|어디|왔나요|왔어|왔|온|哪里|从|来",
    "license-of-example": r"under|this|these|" + _USE_WORDS,
    "licenses-of-dataset": r"under|claim|claims|claimed|" + _USE_WORDS,
    "duplicates-of-example": r"of|this|copies|copy|이|这个",
    "topics-with-fewer-than": r"topics?|than|have|has|주제|토픽|主题|话题",
    "generator-share": r"share|how|much|비중|占比|比重",
    "datasets": r"which|what|datasets?|데이터셋|数据集|목록|列表",
    "models": r"which|what|models?|모델|模型|목록|列表",
    "issues-by-kind": r"kinds?|types?|종류|种类|类型",
    "count-of-dataset": r"came|come|comes|from|originate|originated|에서|来自|来",
    "examples-with-issue": r"addresses|address|like|contain|contains|containing|포함된|포함|주소|包含|含有|含|地址",
}
_TEMPLATE_WORD = {
    k: re.compile(rf"(?<![a-z0-9])(?:{v})(?![a-z0-9])", re.I) for k, v in _TEMPLATE_WORDS.items()
}


def _ko_accounted(token: str) -> bool:
    """A Korean word that is an asking word, or one with particles and endings attached (or the
    particles alone, left when the word before them was a slot or an intent word)."""
    if token in _KO_PARTICLES:
        return True
    while token:
        if token in _ASKING_KO:
            return True
        for ending in _KO_PARTICLES:
            if token.endswith(ending) and len(token) > len(ending):
                token = token[: -len(ending)]
                break
        else:
            return token in _ASKING_KO
    return True


def _strip(pattern: re.Pattern[str], text: str) -> str:
    """The text with the pattern's matches taken out; an English match takes the rest of its word
    with it ("commercial" takes "commercially", "licen[cs]e" takes "licenses"), never the start of
    one ("uncommercial" keeps its "un", which then counts as unaccounted)."""
    out, last = [], 0
    for m in pattern.finditer(text):
        if m.start() < last or m.end() == m.start():
            continue
        end = m.end()
        if text[m.start() : end].isascii():
            while end < len(text) and text[end].isascii() and text[end].isalnum():
                end += 1
        out.append(text[last : m.start()] + " ")
        last = end
    out.append(text[last:])
    return "".join(out)


def residue(found: Mentions, got: Match) -> list[str]:
    """The words of the question that neither the template (its slots and intent words) nor the
    words every question asks with account for. A template that leaves any answers another
    question ("how many math examples" is not the total), so it declines."""
    text = found.rest
    # a slot may be named with its dimension ("the summarization task", "the lima dataset")
    dims = [d for d in ("topic", "task", "format") if found.concepts.get(d)]
    dims += ["language"] * bool(found.languages) + ["dataset"] * bool(found.datasets)
    for key in (*[k for k in got.uses if k in DIM], *dims):
        text = _strip(DIM[key], text)
    for key in got.uses:
        if key in KEY:
            text = _strip(KEY[key], text)
    extra = _TEMPLATE_WORD.get(got.template)
    if extra is not None:
        text = _strip(extra, text)
    left: list[str] = []
    for token in _TOKENS.findall(text):
        if token.isascii():
            if token not in _ASKING_EN:
                left.append(token)
        elif "\uac00" <= token[0] <= "\ud7a3":
            if not _ko_accounted(token):
                left.append(token)
        else:
            for word in _ASKING_ZH:
                token = token.replace(word, "")
            if token:
                left.append(token)
    return left


def unused(found: Mentions, got: Match) -> list[str]:
    """What the question names that the matched template would ignore (so it would answer another
    question): a concept, language, dataset, model or example id not among its parameters."""
    used = {str(v) for v in got.params.values()} | got.consumed
    named = (
        [i for ids in found.concepts.values() for i in ids] + found.languages + found.datasets + found.models
    )
    if found.example_id:
        named.append(found.example_id)
    return [n for n in named if n not in used]


def match(vocabulary: Vocabulary, question: str) -> Match | None:
    """The template that answers the question, or None (then a model may write the query).

    A template must account for everything the question names, and the question must not ask for a
    ranking or an average: a near miss that answers a different question is worse than no answer.
    """
    return explain(vocabulary, question)[0]


def explain(vocabulary: Vocabulary, question: str) -> tuple[Match | None, str]:
    """The template that answers the question (or None), and why none does."""
    q = question.strip()
    if _BEYOND.search(q):
        return None, "it asks for a ranking, an average or a comparison"
    found = vocabulary.read(q)
    for rule in RULES:
        got = rule(q.lower(), found)
        if got is None:
            continue
        if ignored := unused(found, got):
            return None, f"template {got.template} would ignore {', '.join(ignored)}"
        if left := residue(found, got):
            return None, f"template {got.template} does not account for: {' '.join(left)}"
        return got, ""
    return None, "no template asks this"


def few_shot(limit: int = 8) -> list[tuple[str, str]]:
    """Question -> Cypher pairs for the model's prompt, from the templates themselves."""
    pairs = [
        ("How many examples are there per task?", A.COUNT_BY["task"]),
        ("How many examples are about mathematics?", A.COUNT_OF["topic"].replace("$value", "'mathematics'")),
        (
            "How many chain-of-thought examples are about mathematics?",
            A.CROSS_COUNT[("topic", "format")]
            .replace("$a", "'mathematics'")
            .replace("$b", "'chain-of-thought'"),
        ),
        ("Which models generated examples, and how many?", A.GENERATORS),
        ("Which datasets does the catalog hold?", A.DATASETS),
        ("What licenses does the dataset lima claim?", A.DATASET_LICENSES.replace("$dataset", "'lima'")),
    ]
    return pairs[:limit]


def template_queries() -> Mapping[str, str]:
    """Every Cypher template, by a name (for tests that run them through the checker)."""
    out: dict[str, str] = {}
    for name, value in vars(A).items():
        if name.isupper() and isinstance(value, str):
            out[name] = value
        elif name.isupper() and isinstance(value, dict):
            out.update({f"{name}[{k}]": v for k, v in value.items()})
    return out
