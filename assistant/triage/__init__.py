"""Red-flag triage: finds, anywhere in a conversation, signs that need urgent care instead of exercises.

The engine (phrases, reading, context, rules) is shared with the scope gate; the policy, the rules'
evidence, the exemplars and the learned opinion (with its training) are the red-flag parts.
"""

from assistant.triage.context import Modifier
from assistant.triage.policy import (
    Level,
    Triage,
    about_back,
    affirmed,
    describes_symptoms,
    explain,
    red_flags,
    triage,
)
from assistant.triage.rules import EVIDENCE_CHARS, Category, Found, Rule, RuleSet, Sign

__all__ = ["EVIDENCE_CHARS", "Category", "Found", "Level", "Modifier", "Rule", "RuleSet", "Sign", "Triage",
           "about_back", "affirmed", "describes_symptoms", "explain", "red_flags", "triage"]
