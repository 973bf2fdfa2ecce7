"""Fixed replies for red flags, out-of-scope and unusable questions, in plain words (reading grade ≤ 8)."""

from __future__ import annotations

import re

from assistant.compose import HELP_LINE, booking_line
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
# Where the advice is to see a professional (or to contact the clinic), the reply also says how to book one
# (when the clinic has set it).
SEE_SOMEONE = frozenset({"other_body_part", "diagnosis", "scan_or_surgery", "service"})
# NHS back-pain page style: the signs that mean "get help first", in everyday words.
SAFETY_NET = ("numbness around your bottom or genitals", "new trouble peeing or pooing",
              "weakness or numbness in your legs", "a high temperature or feeling very unwell",
              "a recent fall or accident")
HELD_BACK = "I'm holding back exercises until a doctor has checked you."


def invalid() -> str:
    return ("**Please type a question.** For example: *What helps lower back pain?* or "
            "*How do I do the bridge?*")


def out_of_scope(reason: str | None, settings: Settings) -> str:
    cannot, who = OUT_OF_SCOPE.get(reason or "off_topic", OUT_OF_SCOPE["off_topic"])
    book = booking_line(settings) if reason in SEE_SOMEONE else ""
    return "\n\n".join(p for p in (cannot, who, book, HELP_LINE) if p)


def call_link(settings: Settings) -> str:
    """A tap-to-call line for the clinic's emergency number, or nothing when none is set."""
    digits = re.sub(r"[^0-9+]", "", settings.emergency_number)
    return f"📞 **[Call {escape_markdown(settings.emergency_number.strip())}](tel:{digits})**" if digits else ""


def safety(flag: Triage, settings: Settings, about_back: bool) -> str:
    """Urgent-care advice that replaces the exercises, echoing the user's own words, escaped.

    "With back pain" only when the user spoke of their back; a "check first" (from the learned
    opinion) says what it is: their words read like a sign a doctor should check.
    """
    said = f"You said: “{escape_markdown(flag.evidence)}”." if flag.evidence else ""
    label = flag.label or "this"
    what = f"With back pain, {label} needs a doctor to check it." if about_back else \
        f"{label[0].upper()}{label[1:]} needs a doctor to check it."
    if flag.level == "emergency":
        lines = [
            "## ⚠️ Get help now",
            f"{said} {what} This can be serious.".strip(),
            f"**What to do now:** {settings.emergency_action}.",
            call_link(settings),
            "**Do not do the exercises for now.**",
        ]
    else:
        heading = "## ⚠️ Please check with a doctor first" if flag.source == "learned" else \
            "## ⚠️ See a doctor today"
        if flag.source == "learned":
            what = f"That can be a sign of {label}, so a doctor should check it first."
        lines = [
            heading,
            f"{said} {what}".strip(),
            f"**What to do:** {settings.urgent_action}.",
            "**Do not do the exercises for now.** Wait until a doctor has checked you.",
            f"If it gets worse, or you get numbness around your bottom or trouble peeing, "
            f"{settings.emergency_action}.",
            call_link(settings),
        ]
    return "\n\n".join(line for line in lines if line)


def reminder(flag: Triage, settings: Settings) -> str:
    """One line that keeps an earlier warning in view, without repeating the whole card."""
    action = settings.emergency_action if flag.level == "emergency" else settings.urgent_action
    return f"⚠️ **Remember:** earlier you told me about {flag.label}. Please {action}. {HELD_BACK}"


def steps_held(flag: Triage) -> str:
    """Instead of exercise steps, when the learned opinion reads a possible emergency that no rule confirmed: no
    alarm (it is wrong more often than right at that score), but no steps until someone has checked."""
    said = f" (“{escape_markdown(flag.evidence)}”)" if flag.evidence else ""
    return "\n\n".join([
        "**Please check with a doctor or physiotherapist before these exercises.**",
        f"Something you said{said} could be a sign that needs checking first, so I've left out the exercise "
        "steps for now.",
        safety_net(),
    ])


def safety_net() -> str:
    """A short "get help first" list for an exercise answer to a message that describes symptoms."""
    return "**Get help first if you have:**\n" + "\n".join(f"- {sign}" for sign in SAFETY_NET)
