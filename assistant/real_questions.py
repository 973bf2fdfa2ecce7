"""Split the public real-question sets once, by a hash of each text, into a training part and an untouched part.

`python -m assistant.real_questions SHARED_DATA_DIR` rewrites the training files under
`assistant/scope_training/` and the reporting files under `tests/data/real/`. The split depends on the
text alone, so re-running it on the same data changes nothing, and a test checks that no reporting
question is ever trained on.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from assistant.settings import PROJECT_ROOT

TRAINING_SHARE = 50
"""Percent of each set trained on; the rest is only ever reported."""
MEDQUAD_TRAINING = 700
MEDQUAD_REPORTING = 400
# MedQuAD question forms about back pain, the spine or exercise are neither clearly in nor out of the
# article's scope ("What are the treatments for Low back pain?"): they are left out of both parts.
AMBIGUOUS_MEDQUAD = re.compile(r"\b(?:back|spin\w*|lumbar|sciatica|exercis\w*|stretch\w*)\b", re.IGNORECASE)
TRAINING_DIR = Path(__file__).resolve().parent / "scope_training"
REPORTING_DIR = PROJECT_ROOT / "tests" / "data" / "real"


def text_bucket(text: str) -> int:
    """0..99 from the text alone: the same question always lands in the same part."""
    digest = hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100


def is_training(text: str) -> bool:
    return text_bucket(text) < TRAINING_SHARE


def split(shared: Path) -> None:
    consumer: list[dict[str, Any]] = json.loads((shared / "consumer-health-questions.json").read_text("utf-8"))
    labels_path = REPORTING_DIR / "consumer-labels.json"
    labels = {item["i"]: item for item in json.loads(labels_path.read_text("utf-8"))}
    train = [item["text"] for item in consumer if is_training(item["text"])]
    report = [{**item, "i": i, "article_answers": labels[i]["article_answers"], "about_back": labels[i]["about_back"]}
              for i, item in enumerate(consumer) if not is_training(item["text"])]
    (TRAINING_DIR / "consumer-train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
    (REPORTING_DIR / "consumer-test.json").write_text(json.dumps(report, indent=1), encoding="utf-8")

    medquad: list[dict[str, Any]] = json.loads((shared / "medquad-questions.json").read_text("utf-8"))
    usable = sorted((item for item in medquad if not AMBIGUOUS_MEDQUAD.search(item["text"])),
                    key=lambda item: hashlib.sha256(item["text"].encode("utf-8")).hexdigest())
    train = [item["text"] for item in usable if is_training(item["text"])][:MEDQUAD_TRAINING]
    report = [item for item in usable if not is_training(item["text"])][:MEDQUAD_REPORTING]
    (TRAINING_DIR / "medquad-train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
    (REPORTING_DIR / "medquad-test.json").write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    split(Path(sys.argv[1]))
