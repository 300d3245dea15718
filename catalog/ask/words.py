"""The words ask mode reads questions by, in English, Korean and Chinese: intent patterns,
dimension words, language names, and the words any question asks with (which add no condition)."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)


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


KEY_PATTERNS = {
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


KEY = {k: re.compile(v, re.IGNORECASE) for k, v in KEY_PATTERNS.items()}


#: dimension words (for "per X" questions)
DIMENSIONS = {
    "topic": r"topics?|subjects?|주제|토픽|主题|话题",
    "task": r"tasks?|작업|과제|태스크|任务",
    "format": r"formats?|형식|포맷|格式",
    "language": r"languages?|언어|语言|语种",
    "dataset": r"datasets?|데이터셋|数据集",
}


DIM = {k: re.compile(v, re.IGNORECASE) for k, v in DIMENSIONS.items()}


#: words that ask for more than a template computes (a ranking, an average, a comparison)
BEYOND = re.compile(
    r"\b(most|least|fewest|largest|smallest|longest|shortest|average|mean|median|highest|lowest|top \d+|"
    r"compare|versus|vs\.?|ratio|percent(age)?)\b|가장|제일|평균|최대|최소|비교|비율|最多|最少|最长|最短|平均|最大|最小|比较|比例",
    re.IGNORECASE,
)


#: words a question asks with, whatever it asks: they add no condition. Negations, quantifiers
#: ("only", "more", "most") and anything else that would change the answer are not here.
ASKING_EN = frozenset(
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
ASKING_KO = frozenset(
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


KO_PARTICLES = (
    "에서는", "에서의", "에서", "으로", "에는", "에게", "한테", "과는", "와는", "이라는", "라는",
    "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "요", "야",
    # verb endings after an intent word (생성한, 생성된, 만든): they add no condition
    "하는", "되는", "했던", "됐던", "된", "한", "했", "됐", "하여", "해서", "되어", "돼서", "인",
    # adjective and noun suffixes after an intent word (상업적으로, 상업용)
    "적으로", "적인", "적", "용으로", "용", "할", "셋이", "셋은",
    "했어요", "했어", "했나요", "했나", "했니", "했습니까", "했는지",
)  # fmt: skip


#: Chinese: the characters and words questions ask with (no spaces to split on)
ASKING_ZH = tuple(
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


TOKENS = re.compile(r"[a-z0-9][a-z0-9'\-]*|[\uac00-\ud7a3]+|[\u4e00-\u9fff]+")


#: asking whether something may be used (commercially)
USE_WORDS = r"used|use|usable|may|allowed|ok|okay|사용할|사용|쓸|가능한|가능|可以|使用|能"


#: more words a template stands for, beyond its KEY / DIM intents
TEMPLATE_WORDS = {
    "commercially-usable": USE_WORDS + r"|purposes?",
    "gaps-for-target": r"target|mix|cells?|where|against|want|wants|wanted|목표|셀|대비|부분|어디|目标|哪里|单元|相对于|相对",
    "lineage-of-example": r"where|did|does|this|from|come|came|comes|어디서|어디|왔나요|왔어|왔|온|哪里|从|来",
    "license-of-example": r"under|this|these|" + USE_WORDS,
    "licenses-of-dataset": r"under|claim|claims|claimed|" + USE_WORDS,
    "duplicates-of-example": r"of|this|copies|copy|이|这个",
    "topics-with-fewer-than": r"topics?|than|have|has|주제|토픽|主题|话题",
    "generator-share": r"share|how|much|비중|占比|比重",
    "datasets": r"which|what|datasets?|데이터셋|数据集|목록|列表",
    "models": r"which|what|models?|모델|模型|목록|列表",
    "issues-by-kind": r"kinds?|types?|종류|种类|类型",
    "count-of-dataset": r"came|come|comes|from|originate|originated|에서|来自|来",
    "examples-with-issue": r"addresses|address|like|contain|contains|containing|포함된|포함|주소|包含|含有|含|地址",
}


TEMPLATE_WORD = {k: re.compile(rf"(?<![a-z0-9])(?:{v})(?![a-z0-9])", re.I) for k, v in TEMPLATE_WORDS.items()}
