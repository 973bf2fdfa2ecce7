"""Write replies as Markdown from chunks: corpus words plus fixed framing, never an invented step."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from assistant.chunk import DOSE, sentences
from assistant.records import Chunk
from assistant.settings import Settings
from assistant.text import escape_markdown

Aspect = Literal["card", "dose", "targets", "steps", "other_side"]
SOURCE_PREFIX = "Source: "
HELP_LINE = (
    "I can help with the exercises in the article: stretches that ease lower back pain, exercises that "
    "strengthen the lower back, how to do each one, how long to hold it, and the safety tips."
)
# A passage whose advice is to see someone ("consult with a doctor or physical therapist"): the reply adds
# the clinic's booking link and phone number, so the advice comes with a way to follow it.
SEE_SOMEONE = re.compile(r"\bconsult\w*\b[^.]*?\b(?:professional|doctor|physio\w*|physical therapist|trainer|gp)\b",
                         re.IGNORECASE)
# Follow-ups that ask for one part of an exercise; a reply never suggests the part it has just shown.
ASPECT_QUESTIONS: dict[Aspect, str] = {
    "dose": "How long do I hold it?",
    "targets": "What muscles does it work?",
    "steps": "How do I do it?",
}


def with_footer(body: str, settings: Settings) -> str:
    """Every reply ends with the footer, set apart by a rule so the UI can style it."""
    return f"{body.rstrip()}\n\n---\n\n{settings.footer}"


def booking_line(settings: Settings) -> str:
    """The clinic's booking link and phone number, for replies whose advice is to see someone; "" without them."""
    clinic = escape_markdown(settings.clinic_name)
    call = f"[{settings.clinic_phone}](tel:{tel_number(settings.clinic_phone)})" if settings.clinic_phone else ""
    if settings.booking_link:
        book = f"[Book an appointment with {clinic}](<{settings.booking_link}>)"
        return f"**To see someone:** {book}" + (f" or call {call}." if call else ".")
    return f"**To see someone:** call {clinic} on {call}." if call else ""


def tel_number(phone: str) -> str:
    """A `tel:` number: the digits and a leading plus, as phones dial it."""
    return ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


def sends_to_someone(chunk: Chunk) -> bool:
    return chunk.kind == "mention" or bool(SEE_SOMEONE.search(chunk.text))


def source_line(chunk: Chunk) -> str:
    return f"*{SOURCE_PREFIX}{chunk.source_label}*"


def numbered(lines: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


def caution_line(chunk: Chunk, by_id: Mapping[str, Chunk]) -> str:
    """The article's own "stop if it hurts" sentence, with where its precautions are."""
    if not chunk.caution:
        return ""
    see = by_id.get(chunk.caution_see)
    where = f" (see *{see.source_label}*)" if see else ""
    return f"**Stop if it hurts:** {chunk.caution}{where}"


def exercise_card(chunk: Chunk, by_id: Mapping[str, Chunk]) -> str:
    """Name, what it works, numbered steps, hold or repetitions, the caution, the source."""
    kind = f" ({chunk.category} exercise)" if chunk.category else ""
    parts = [f"### {chunk.title}{kind}"]
    if chunk.steps:
        if chunk.targets:
            parts.append(f"**What it works:** {chunk.targets}")
        parts.append("**Steps:**\n\n" + numbered(chunk.steps))
        # Hold and repetition lines are usually steps already; only those the steps do not show are added.
        unshown = [line for line in chunk.dose if line not in chunk.steps]
        if unshown:
            parts.append("**How long / how many:** " + " ".join(unshown))
    else:
        parts.append(f"The article describes it in one line: {chunk.text}")
        for related_id in chunk.related:
            related = by_id.get(related_id)
            if related:
                parts.append(f"It also says, under *{related.title}*: {related.text}")
        parts.append("The article gives no more steps than this.")
    parts += [caution_line(chunk, by_id), source_line(chunk)]
    return "\n\n".join(p for p in parts if p)


def dose_lines(chunk: Chunk, by_id: Mapping[str, Chunk]) -> tuple[str, ...]:
    """Its own hold and repetition lines, then those of related passages (the bird dog's FAQ)."""
    related = [s for r in chunk.related if r in by_id for s in sentences(by_id[r].text) if DOSE.search(s)]
    return tuple(dict.fromkeys([*chunk.dose, *related]))


def focused(chunk: Chunk, aspect: Aspect, by_id: Mapping[str, Chunk]) -> str:
    """A follow-up about one part of an exercise: only that part, from the article's own lines."""
    dose = dose_lines(chunk, by_id)
    if aspect == "dose" and dose:
        body = f"**{chunk.title}: how long and how many**\n\n" + "\n".join(f"- {line}" for line in dose)
        borrowed = [by_id[r] for r in chunk.related if r in by_id and any(line in by_id[r].text for line in dose)]
        body += "".join(f"\n\n*Also from: {r.source_label}*" for r in borrowed)
    elif aspect == "targets" and chunk.targets:
        body = f"**{chunk.title}: what it works**\n\n{chunk.targets}"
    elif aspect == "other_side" and any("other" in s.lower() for s in chunk.steps):
        body = f"**{chunk.title}: the other side**\n\n" + "\n".join(
            f"- {s}" for s in chunk.steps if "other" in s.lower())
    elif aspect == "steps" and chunk.steps:
        body = f"**{chunk.title}: the steps**\n\n" + numbered(chunk.steps)
    else:
        return exercise_card(chunk, by_id)
    return "\n\n".join(p for p in (body, caution_line(chunk, by_id), source_line(chunk)) if p)


def group_list(chunk: Chunk, by_id: Mapping[str, Chunk]) -> str:
    """Each exercise or precaution of a group with its one-line summary, in the article's order."""
    members = [by_id[m] for m in chunk.members if m in by_id]
    lines = [f"{i}. **{m.title}**: {m.summary or m.text}" for i, m in enumerate(members, 1)]
    lead = (f"The article lists {len(members)} under *{chunk.title}*:" if members else chunk.text)
    closing = "Ask about any of them to see its steps." if any(m.kind == "exercise" for m in members) else ""
    return "\n\n".join(p for p in (f"### {chunk.title}", lead, "\n".join(lines), closing, source_line(chunk)) if p)


def passage(chunk: Chunk) -> str:
    """A precaution, FAQ or information section, quoted whole."""
    return f"### {chunk.title}\n\n{chunk.text}\n\n{source_line(chunk)}"


def mention(chunk: Chunk, by_id: Mapping[str, Chunk]) -> str:
    """An exercise the article only names: say so, quote the sentence, add nothing."""
    return (f"**The article doesn't say how to do the {chunk.title.lower()}:** it only mentions it in passing and "
            f"gives no steps for it.\n\n> {chunk.text}\n\nA physiotherapist can show you how to do it safely.\n\n"
            f"{source_line(chunk)}")


def compose(chunk: Chunk, by_id: Mapping[str, Chunk], aspect: Aspect = "card") -> str:
    """The body of an in-scope answer drawn from one chunk."""
    if chunk.kind == "exercise":
        return exercise_card(chunk, by_id) if aspect == "card" else focused(chunk, aspect, by_id)
    if chunk.kind == "group":
        return group_list(chunk, by_id)
    if chunk.kind == "mention":
        return mention(chunk, by_id)
    return passage(chunk)


def starters(by_id: Mapping[str, Chunk]) -> tuple[str, ...]:
    """Where to begin, when a reply draws on no chunk (small talk): the article's groups."""
    return tuple(f"Show {c.title.lower()}" for c in by_id.values() if c.kind == "group")[:3]


def suggestions(chunk: Chunk, by_id: Mapping[str, Chunk], aspect: Aspect = "card") -> tuple[str, ...]:
    """Two or three follow-ups drawn from the corpus structure, each one the assistant can answer,
    never the part of the exercise the reply has just shown (`aspect`; a whole card shows its steps)."""
    groups = [c for c in by_id.values() if c.kind == "group" and any(by_id[m].kind == "exercise"
                                                                      for m in c.members if m in by_id)]
    if chunk.kind == "group":
        firsts = [f"How do I do the {by_id[m].title}?" if by_id[m].kind == "exercise"
                  else f"Tell me more about {by_id[m].title.lower()}" for m in chunk.members[:2] if m in by_id]
        others = [f"Show {g.title.lower()}" for g in groups if g.chunk_id != chunk.chunk_id][:1]
        return tuple(firsts + others)[:3]
    if chunk.kind != "exercise":
        return tuple(f"Show {g.title.lower()}" for g in groups[:2])
    available: dict[Aspect, bool] = {"dose": bool(dose_lines(chunk, by_id)), "targets": bool(chunk.targets),
                                     "steps": bool(chunk.steps)}
    shown = {aspect, "steps"} if aspect == "card" else {aspect}
    found = [question for part, question in ASPECT_QUESTIONS.items() if available[part] and part not in shown]
    home = next((g for g in groups if chunk.chunk_id in g.members), None)
    gentler = next((g for g in groups if g is not home), None)
    if gentler is not None:
        found.append(f"Show {gentler.title.lower()}")
    return tuple(found[:3])
