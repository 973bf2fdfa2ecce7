"""Fixed replies for red flags, out-of-scope and unusable questions, in plain words (reading grade ≤ 8)."""

from __future__ import annotations

from assistant.compose import HELP_LINE
from assistant.settings import Settings
from assistant.text import escape_markdown
from assistant.triage import Triage

OUT_OF_SCOPE = {
    "other_body_part": ("I can only help with exercises for the lower back.",
                        "A GP or a physiotherapist can help with other parts of the body."),
    "diagnosis": ("I can't tell what is causing your pain. "
                  "Only a doctor or physiotherapist who examines you can do that.",
                  "Please book a visit with your GP or a physiotherapist."),
    "medication": ("I can't give advice about medicines or doses.",
                   "A pharmacist or your GP can tell you what is safe for you to take."),
    "scan_or_surgery": ("I can't help you decide about scans or surgery.",
                        "Your GP or specialist can talk this through with you."),
    "service": ("I can't help with appointments, prices, insurance or things to buy.",
                "Please contact the clinic directly for those."),
    "off_topic": ("I'm not able to answer that. I only know about one article on lower back exercises.",
                  ""),
}


def invalid() -> str:
    return ("**Please type a question.** For example: *What helps lower back pain?* or "
            "*How do I do the bridge?*")


def out_of_scope(reason: str | None) -> str:
    cannot, who = OUT_OF_SCOPE.get(reason or "off_topic", OUT_OF_SCOPE["off_topic"])
    return "\n\n".join(p for p in (cannot, who, HELP_LINE) if p)


def safety(flag: Triage, settings: Settings) -> str:
    """Urgent-care advice that replaces the exercises, echoing the user's own words, escaped."""
    said = f"You said: “{escape_markdown(flag.evidence)}”." if flag.evidence else ""
    what = f"With back pain, {flag.label} needs a doctor to check it." if flag.label else ""
    if flag.level == "emergency":
        lines = [
            "## ⚠️ Get help now",
            f"{said} {what} This can be serious.".strip(),
            f"**What to do now:** {settings.emergency_action}.",
            "**Do not do the exercises for now.**",
        ]
    else:
        lines = [
            "## ⚠️ See a doctor today",
            f"{said} {what}".strip(),
            f"**What to do:** {settings.urgent_action}.",
            "**Do not do the exercises for now.** Wait until a doctor has checked you.",
            f"If it gets worse, or you get numbness around your bottom or trouble peeing, "
            f"{settings.emergency_action}.",
        ]
    return "\n\n".join(line for line in lines if line)
