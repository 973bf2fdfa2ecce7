"""Fixed wording that speaks of the whole corpus: "one article" with one document, "the articles" with more.

The fixed replies (footer, help line, small talk, refusals, cautions, the chat's intro) are written for the
bundled article. With a clinic's own documents beside it they would claim a single source, so each phrase
below is said for several documents instead. Wording about one chunk ("The article lists 3 under …") stays
singular: it speaks of the document that chunk came from, which its source line names.
"""

from __future__ import annotations

from dataclasses import dataclass

# (as written for one article, as said for several), longest first. Whole phrases, so a sentence still reads
# as written; tests/test_clinic_documents.py checks that no fixed reply still says "one article".
FOR_SEVERAL = (
    ("one article on lower back exercises and quote it", "the articles on lower back exercises and quote them"),
    ("from one article", "from the articles"),
    ("in one article", "in the articles"),
    ("about one article on", "about the articles on"),
    ("exercises in the article:", "exercises in the articles:"),
    ("The article doesn't cover", "The articles don't cover"),
)


@dataclass(frozen=True)
class Wording:
    """Adapts fixed wording to the number of documents the index holds."""

    documents: int = 1

    def __call__(self, text: str) -> str:
        if self.documents <= 1:
            return text
        for one, several in FOR_SEVERAL:
            text = text.replace(one, several)
        return text
