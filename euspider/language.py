"""Which language a story is written in: what the page declares, and what its text says (pure).

A page's declared language (``<html lang>``, ``og:locale``, ``Content-Language``, read by
:func:`euspider.extract._language`) is often the site's default rather than the story's: a Spanish
wire story on a site that declares ``en``, a German blog post on a platform that declares ``en``.
About 2% of the development pages that declare a language declare the wrong one, and 8% declare
none. So the story's text is identified too, with py3langid (the Naive Bayes identifier of
langid.py, which trafilatura uses; its model ships inside the package, nothing is downloaded), and
the two are compared:

- ``agree``: the text is in the declared language (or in one the identifier cannot tell apart from
  it, such as Bosnian and Croatian); ``language`` is the declared code, which is the publisher's
  and may be more precise (``nb`` rather than ``no``).
- ``markup``: the page declares a language and the text neither confirms nor confidently contradicts
  it (a short or mixed text, or a language the identifier does not know); the declaration stands.
- ``detected``: the page declares nothing; the text is confidently in ``language``.
- ``conflict``: the text is confidently in another language than the declared one. ``language`` is
  the identified language, because ``language`` describes ``text`` and a dataset filters on it; the
  declaration is kept in ``language_declared`` and the conflict is counted.

"Confidently" means the identifier's probability is at least :data:`MIN_CONFIDENCE` to name the
language of an undeclared page and :data:`OVERRULE_CONFIDENCE` to overrule a declaration: a
publisher's declaration is right far more often than not, so contradicting it takes more evidence.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

#: The identifier's probability needed to name the language of a page that declares none. One
#: clear sentence reaches it (0.86 to 1.0 for 26 languages on a 20-word sentence); 40 characters
#: of English do not (0.5).
MIN_CONFIDENCE = 0.8
#: The probability needed to overrule a page's declaration. On the development pages every
#: wrong declaration was contradicted at 0.999 or more, except for a language the identifier
#: does not know (Papiamento, identified as Aragonese at 0.44).
OVERRULE_CONFIDENCE = 0.95
#: Characters of the text the identifier reads, cut at a space. Its time grows with the sample (a
#: Python walk over every byte); the first 1,000 give the same language and the same decision as
#: the first 3,000 and as the whole text on all 646 development stories, in a third of the time.
SAMPLE_CHARS = 1000

SOURCES = ("agree", "markup", "detected", "conflict")

#: Languages the identifier confuses with each other, and macro-languages with their members: a
#: detection inside the declared language's group confirms the declaration.
_GROUPS = (
    {"bs", "hr", "sr", "sh"},
    {"no", "nb", "nn"},
    {"id", "ms"},
    {"zh", "yue", "wuu"},
    {"ar", "arz", "ary"},
    {"fa", "prs"},
    {"uz", "uzs"},
    {"ku", "sdh", "ckb", "kmr"},
    {"tl", "fil"},
)
_GROUP_OF = {code: frozenset(group) for group in _GROUPS for code in group}

#: Three-letter (ISO 639-2/B and /T) and withdrawn codes pages declare, to their ISO 639-1 code.
_ALIASES = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "chi": "zh", "zho": "zh", "dan": "da",
    "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en", "est": "et", "fas": "fa", "per": "fa",
    "fin": "fi", "fra": "fr", "fre": "fr", "gle": "ga", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu",
    "ind": "id", "ita": "it", "jpn": "ja", "kor": "ko", "lav": "lv", "lit": "lt", "ltz": "lb", "mlt": "mt",
    "nld": "nl", "dut": "nl", "nor": "no", "nob": "nb", "nno": "nn", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk", "slv": "sl", "spa": "es", "srp": "sr", "swe": "sv",
    "tur": "tr", "ukr": "uk", "vie": "vi", "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
}  # fmt: skip
#: What the identifier answers for text without language (digits, symbols): no answer.
_NO_LANGUAGE = {"zxx", "und"}


@dataclass(frozen=True)
class Language:
    """The record's language fields (see :class:`euspider.items.Article`)."""

    language: str | None
    declared: str | None
    detected: str | None
    confidence: float | None
    source: str | None

    def fields(self) -> dict[str, Any]:
        """As the record's ``language*`` fields."""
        return {
            "language": self.language,
            "language_declared": self.declared,
            "language_detected": self.detected,
            "language_confidence": self.confidence,
            "language_source": self.source,
        }


def normalize_code(code: str | None) -> str | None:
    """A declared language code as an ISO 639-1 code where one exists (``deu`` -> ``de``)."""
    if not code:
        return None
    code = code.strip().lower()
    return _ALIASES.get(code, code) or None


def same_language(declared: str, detected: str) -> bool:
    """Whether a detection confirms a declaration: the same code, or codes of one group."""
    return declared == detected or detected in _GROUP_OF.get(declared, ())


class _Identifier:
    """py3langid's identifier, loaded once per process (its model takes a second to load; the
    extraction workers' forkserver loads it before forking, so workers share it)."""

    _lock = threading.Lock()
    _instance: Any = None
    #: Codes the identifier can answer, and codes of a group it answers for: a declaration of
    #: any other language can be neither confirmed nor contradicted by it.
    known: frozenset[str] = frozenset()

    @classmethod
    def get(cls) -> Any:
        if cls._instance is None:
            with cls._lock:
                if cls._instance is None:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                    labels = frozenset(identifier.labels) - _NO_LANGUAGE
                    cls.known = labels | frozenset(c for c in _GROUP_OF if _GROUP_OF[c] & labels)
                    cls._instance = identifier
        return cls._instance


def sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """The start of ``text``, at most ``limit`` characters, cut at a space."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def detect(text: str) -> tuple[str | None, float | None]:
    """``(code, probability)`` of the language ``text`` is written in; ``(None, None)`` for a text
    with no letters, where the identifier has nothing to go on."""
    if not any(ch.isalpha() for ch in text):
        return None, None
    code, probability = _Identifier.get().classify(sample(text))
    if code in _NO_LANGUAGE:
        return None, None
    return code, round(float(probability), 4)


def identify(text: str, declared: str | None) -> Language:
    """Compare the declared language with the text's; see the module's docstring for the rules."""
    declared = normalize_code(declared)
    detected, confidence = detect(text)
    if declared is None:
        if detected is not None and confidence is not None and confidence >= MIN_CONFIDENCE:
            return Language(detected, None, detected, confidence, "detected")
        return Language(None, None, detected, confidence, None)
    if detected is None or confidence is None:
        return Language(declared, declared, None, None, "markup")
    if same_language(declared, detected):
        return Language(declared, declared, detected, confidence, "agree")
    if confidence >= OVERRULE_CONFIDENCE and declared in _Identifier.known:
        return Language(detected, declared, detected, confidence, "conflict")
    return Language(declared, declared, detected, confidence, "markup")


__all__ = ["Language", "detect", "identify", "normalize_code", "same_language"]
