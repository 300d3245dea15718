"""Personal data and secrets in text: e-mail addresses, phone numbers, payment card numbers (Luhn),
IBANs (ISO 13616 mod-97), IP addresses, API keys and secrets, Korean resident registration numbers
(checksum). Each detector finds candidates with a regular expression and keeps only those that
pass its validation, so digit runs in math answers and code do not raise alarms.

Findings never carry the matched value in full: `masked` keeps the first and last characters.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    masked: str


def mask(value: str) -> str:
    """Never the value in full: 'jo***@***.com' style, first two and last two characters kept."""
    if len(value) <= 6:
        return value[0] + "*" * (len(value) - 1)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_ok(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and bool(_IIN.match(digits)) and len(set(digits)) > 1 and luhn_ok(digits)


def iban_ok(text: str) -> bool:
    s = re.sub(r"\s", "", text).upper()
    if not 15 <= len(s) <= 34:
        return False
    rearranged = s[4:] + s[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def rrn_ok(text: str) -> bool:
    """Korean resident registration number: YYMMDD-GNNNNNC with a valid date and check digit."""
    d = re.sub(r"\D", "", text)
    if len(d) != 13:
        return False
    month, day, gender = int(d[2:4]), int(d[4:6]), int(d[6])
    if not (1 <= month <= 12 and 1 <= day <= 31 and gender in range(1, 9)):
        return False
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    check = (11 - sum(int(x) * w for x, w in zip(d[:12], weights, strict=True)) % 11) % 10
    return check == int(d[12])


def _ip_ok(text: str) -> bool:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    # documentation, loopback and unspecified addresses identify no one; version-like 1.2.3.4 strings
    # are left out by the word-boundary pattern requiring every octet
    return not (ip.is_loopback or ip.is_unspecified or ip.is_multicast)


def _entropy(s: str) -> float:
    counts = {c: s.count(c) for c in set(s)}
    return -sum(n / len(s) * math.log2(n / len(s)) for n in counts.values())


_TOKEN = re.compile(r"^[A-Za-z0-9_\-+/=.!@#$%^&*~]{12,}$")


def _secret_ok(text: str) -> bool:
    """A value that looks generated: no code (calls, spaces), letters and digits mixed, high entropy."""
    token = re.split(r"[:=]", text, maxsplit=1)[-1].strip().strip("'\"")
    if not _TOKEN.match(token) or not any(c.isalpha() for c in token):
        return False
    classes = sum(
        (
            any(c.islower() for c in token),
            any(c.isupper() for c in token),
            any(c.isdigit() for c in token),
            any(not c.isalnum() and c != "_" for c in token),
        )
    )
    # an identifier in code (camelCase, snake_case) has two classes at most and low entropy
    return classes >= 3 or (classes == 2 and any(c.isdigit() for c in token) and _entropy(token) >= 3.0)


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    return 9 <= len(digits) <= 15 and len(set(digits)) > 2


_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
# 16 digits in groups of four, Amex's 4-6-5, or 13-19 digits in one run; never part of a longer
# number, a decimal or an arithmetic expression
_CARD = re.compile(
    r"(?<![\d.,=+*/-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -])\d{6}\2\d{5}|\d{13,19})(?![\d.,=+*/-]|\s*[-+*/=]\s*\d)"
)
#: issuer prefixes of the card networks (Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay)
_IIN = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6)")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_IPV4 = re.compile(
    r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])"
)
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])")
_RRN = re.compile(r"(?<!\d)\d{6}-?[1-8]\d{6}(?!\d)")
# international (+82 10-1234-5678), North American ((555) 123-4567), Korean mobile (010-1234-5678)
_PHONE = re.compile(
    r"(?<![\w+=*/<>-])(?:\+\d{1,3}[ .-]?|1[ .-])?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{4}(?![\w=*/<>-])"
)
_KEYS = re.compile(
    r"\b(?:sk-(?:proj-)?[A-Za-z0-9_-]{20,}"  # OpenAI
    r"|AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,}"  # GitHub
    r"|xox[abpr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|AIza[0-9A-Za-z_-]{35}"  # Google
    r"|hf_[A-Za-z0-9]{30,})"  # Hugging Face
)
_ASSIGNED_SECRET = re.compile(
    r"(?i)\b(?:api[_-]?key|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|password|passwd)\b\s*[:=]\s*['\"]?[^\s'\"]{8,}"
)

#: kind -> (pattern, validation), in the order spans are claimed
DETECTORS: dict[str, tuple[re.Pattern[str], Callable[[str], bool]]] = {
    "email": (_EMAIL, lambda s: True),
    "iban": (_IBAN, iban_ok),
    "kr-rrn": (_RRN, rrn_ok),
    "payment-card": (_CARD, lambda s: _card_ok(re.sub(r"\D", "", s))),
    "ip-address": (_IPV4, _ip_ok),
    "ipv6-address": (_IPV6, _ip_ok),
    "phone": (_PHONE, _phone_ok),
    "api-key": (_KEYS, lambda s: True),
    "secret": (_ASSIGNED_SECRET, _secret_ok),
}


def find_pii(text: str) -> Iterator[Match]:
    """Every validated match, earliest first; a span claimed by one kind is not reported again
    (a card number is not also a phone number)."""
    taken: list[tuple[int, int]] = []
    found: list[Match] = []
    for kind, (pattern, valid) in DETECTORS.items():
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if valid(m.group(0)):
                taken.append((m.start(), m.end()))
                found.append(Match(kind, m.start(), m.end(), mask(m.group(0))))
    yield from sorted(found, key=lambda x: (x.start, x.kind))
