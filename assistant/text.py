"""Text normalisation, in one place: input hygiene, folding for matching and triage, the words BM25 reads,
and escaping for output.

Each function has its own job; they share one character folding (`ascii_lower`), so a name, a rule and a
search term see the same letters for the same input.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Retrieval reads at most this much of a message: a question longer than this is a paste, and the
# encoder truncates far earlier anyway. Triage still reads the whole message.
RETRIEVAL_CHARS = 2_000
STEM_CACHE = 16_384  # words kept with their stems (a few MB at most)
SPACES = re.compile(r"\s+")
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")
WORD = re.compile(r"[a-z0-9]+")
# Every spelling of "can't" reads as one word; the replacement is padded so positions still match the input.
CANT = re.compile(
    r"\b(?:can *not|can'?t|could *not|couldn'?t|cannae|unable +to|"
    r"(?:not|never|(?:has|have|had|was|were|is|are|does|do|did)n'?t)(?: +been)? +able +to)\b"
)
# Triage reads folded text as these tokens (words, numbers, sentence ends, separators) and the gaps between.
# A number with a plural "s" is one word, as the rules write it: "in my 20s", "the 1990s", "his 70's".
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+(?:\.\d+)?(?:'?s(?![a-z]))?|[.!?;\n]+|[,:()]+")
TRIPLE = re.compile(r"([a-z])\1\1+")
# Punctuation said aloud to a phone's dictation ("both legs full stop what's a good stretch question mark"),
# as the mark it names: a spoken sentence end still ends the sentence that a sign and its cues are read in.
# "Period" and "dot" are left alone: "period pain" is a complaint, not a sentence end.
SPOKEN_PUNCTUATION = {"full stop": ".", "question mark": "?", "exclamation mark": "!", "exclamation point": "!",
                      "comma": ","}
SPOKEN = re.compile(r"\s*\b(" + "|".join(k.replace(" ", r"\s+") for k in SPOKEN_PUNCTUATION) + r")\b",
                    re.IGNORECASE)
GAP = re.compile(r"[^a-z0-9.!?;\n,:()]*")
PIECE = re.compile("(?:" + TOKEN.pattern + ")" + GAP.pattern)  # a token and the gap after it
PUNCTUATION = ".!?;\n,:()"
SENTENCE_END = ".!?;\n"
# Function words carry no topic; "back" and "lower" appear in every chunk and are handled by IDF.
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "could", "do", "does", "doing", "for", "from",
    "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "should", "so", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "what", "when", "where",
    "which", "who", "why", "will", "with", "you", "your", "yours", "im", "ive", "dont", "am", "been", "have", "has",
    "had", "any", "some",
})


def clean(text: str) -> str:
    """Drop control, format (zero-width) and unpaired surrogate characters; collapse whitespace; write
    dictated punctuation as the mark it names.

    Keeps every letter of every script, so other languages pass through unchanged.
    """
    text = text.encode("utf-8", "replace").decode("utf-8", "replace") if _has_surrogates(text) else text
    text = unicodedata.normalize("NFKC", text)
    # Controls (newlines, tabs, NUL) separate words; invisible format characters join them.
    kept = "".join(" " if unicodedata.category(ch) == "Cc" else "" if unicodedata.category(ch)[0] == "C" else ch
                   for ch in text)
    return SPOKEN.sub(_written, SPACES.sub(" ", kept)).strip()


def _written(spoken: re.Match[str]) -> str:
    return SPOKEN_PUNCTUATION[SPACES.sub(" ", spoken.group(1).lower())]


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character for one: keeps folded text the same length as the user's, so evidence can quote it."""
    if ch in "\u2018\u2019\u02bc\u00b4\u2032`":
        return "'"
    if ch in "\u2013\u2014\u2015":
        return ","
    if ch == "\u2026":
        return "."
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base.lower() if len(base) == 1 and base.isascii() else " "


def ascii_lower(text: str) -> str:
    """Lower-case ASCII copy of `text` of the same length: accents dropped, curly quotes straightened, dashes
    read as commas, any other character a space."""
    if not text.isascii():
        text = text.translate({ord(ch): _fold_char(ch) for ch in set(text) if not ch.isascii()})
    return text.lower()


def fold(text: str) -> str:
    """`ascii_lower` with every "can't" spelled "cant", for triage, whose evidence quotes the user by position."""
    text = ascii_lower(text)
    if "can" in text or "able" in text or "could" in text:
        text = CANT.sub(lambda m: "cant".ljust(len(m.group())), text)
    return text


def plain(word: str) -> str:
    """A pattern word without apostrophes; "can't", "cannot" and "couldn't" become "cant"."""
    word = fold(word).replace("'", "").strip()
    return "cant" if word in ("cannot", "couldnt", "cant") else word


def words(text: str) -> list[str]:
    """The folded words of `text`: letters and digits, apostrophes dropped ("Child's" is "childs")."""
    return WORD.findall(ascii_lower(text).replace("'", ""))


def for_matching(text: str) -> str:
    """Folded words separated by single spaces, for name and cue matching."""
    return " ".join(words(text[:RETRIEVAL_CHARS]))


@lru_cache(maxsize=STEM_CACHE)
def stem(word: str) -> str:
    """A deliberately tiny stemmer: enough that "stretches", "stretching" and "stretch" meet. Kept for the words
    seen: every word of a list request is compared with every group cue word, each time by its stem."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("es", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def tokenize(text: str) -> list[str]:
    """The terms BM25 indexes and searches: folded, stemmed words without function words."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def escape_markdown(text: str) -> str:
    """Show a user's words literally: no HTML, no links, no formatting they did not mean."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)
