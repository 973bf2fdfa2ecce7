"""The Gradio chat, built on request: header, examples, replies with their tools, follow-ups, like/dislike.

The page's behaviour (where a new answer scrolls, focus, copy, timers, New chat, reload) lives in
static/chat.js; this module gives it the data it needs on each reply, never by re-reading the Markdown.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import quote

import gradio as gr

from assistant import Answer, Assistant, Settings
from assistant.conversation import content_text
from assistant.text import escape_markdown
from assistant.web import fallback, guard
from assistant.web.feedback import FeedbackStore

EXAMPLES = [
    "What helps lower back pain?",
    "How do I do the bridge?",
    "Which exercises strengthen my lower back?",
    "How long should I hold the child's pose?",
    "Is it safe to exercise with back pain?",
]
VOTES = {True: "like", False: "dislike"}
# Enough for several people at once: one answer takes milliseconds, so a longer line means a flood.
QUEUE_SIZE = 64
CONCURRENCY = 4
# A reloaded tab sends back its questions and gets the conversation answered again. Replaying 30 took
# about 0.3 s here; older questions than these are dropped (the server reads only the latest turns anyway).
MAX_REPLAYED_QUESTIONS = 30
INTRO = ("Ask about stretches and exercises for the lower back. Answers come from one article "
         "and are not medical advice.")
IMAGE_ROUTE = "/corpus/"
# Replies that show how an exercise is done get its picture; one about its muscles or hold time does not.
PICTURED = ("card", "steps")


def as_message(reply: Answer, compact_footer: str | None = None) -> dict[str, Any]:
    """A chat message and its follow-up buttons.

    Gradio keeps only the class of our wrapper (it strips data attributes), so the class carries what
    CSS and the page's script need: the kind of reply, which footer it shows, and for an exercise the
    part shown and its hold time (from the chunk, for the timer). With `compact_footer` (every reply
    after a conversation's first) the footer is that one-liner; the API's `text` and `footer` are
    unchanged.
    """
    compact = compact_footer is not None
    text = reply.text.removesuffix(reply.footer) + compact_footer if compact else reply.text
    classes = ["reply", f"reply-{reply.kind}", "footer-compact" if compact else "footer-full"]
    exercise = reply.exercise
    if exercise is not None:
        classes += ["exercise", f"aspect-{exercise.aspect}"] + ([f"hold-{exercise.hold_seconds}"]
                                                              if exercise.hold_seconds else [])
        if exercise.image and exercise.aspect in PICTURED:
            text = with_picture(text, exercise.image, exercise.image_alt)
    content = f'<div class="{" ".join(classes)}">\n\n{text}\n\n</div>'
    return {"role": "assistant", "content": content,
            "options": [{"value": s, "label": s} for s in reply.suggestions]}


def with_picture(text: str, image: str, alt: str) -> str:
    """The exercise's picture under the card's heading (its first paragraph)."""
    picture = f"![{escape_markdown(alt)}](<{IMAGE_ROUTE}{quote(image)}>)"
    heading, _, rest = text.partition("\n\n")
    return f"{heading}\n\n{picture}\n\n{rest}"


def header(settings: Settings) -> str:
    """Title, what the chat is, the clinic's booking link, New chat; then the conversation's own heading,
    so answers (h3) sit under an h2. Waiting here, hidden: the help shown when the connection is lost,
    and the full footer for a printed card (a later reply shows only the compact one)."""
    intro = INTRO
    if settings.booking_link:
        intro += " " + fallback.link("Book an appointment", settings.booking_link) + "."
    lost = (f'<p>{html.escape(fallback.PROBLEMS["lost"])}</p><p>{fallback.as_html(fallback.contact(settings))}</p>'
            f'<p>{html.escape(fallback.emergency(settings))}</p>')
    return (f'<div class="chat-header"><div class="chat-heading"><h1>{html.escape(settings.clinic_name)}</h1>'
            f'<p class="chat-intro">{intro}</p></div>'
            '<button type="button" id="new-chat" class="new-chat">New chat</button></div>'
            '<h2 id="conversation-heading" class="visually-hidden">Conversation</h2>'
            f'<div id="connection-help" hidden>{lost}</div>'
            f'<p id="full-footer" hidden>{html.escape(settings.footer)}</p>')


def record_vote(bot: Assistant, feedback: FeedbackStore, history: list[dict[str, Any]], index: object,
                liked: object) -> bool:
    """Store a like or dislike of the reply at `index`; False when the event does not point at a reply.

    The browser's copy of a reply is untrusted, so the vote is tied to the answer recomputed from its
    question: the chunk ids and kind stored are the server's own.
    """
    vote = VOTES.get(liked) if isinstance(liked, bool) else None
    if vote is None or not isinstance(index, int) or not 0 < index < len(history):
        return False
    if history[index].get("role") != "assistant":
        return False
    asked = next((i for i in range(index - 1, -1, -1) if history[i].get("role") == "user"), None)
    if asked is None:
        return False
    question = content_text(history[asked].get("content", ""))
    try:
        reply = guard.answer(bot, question, history[:asked])
    except guard.RequestError:
        return False
    feedback.record(vote, reply, question)
    return True


def saved_questions(saved: str, settings: Settings) -> list[str]:
    """The questions a reloaded tab sends back, or none if they are not a short list of strings."""
    if len(saved) > MAX_REPLAYED_QUESTIONS * (settings.max_question_chars + 8) * 2:
        return []
    try:
        questions = json.loads(saved)
    except ValueError:
        return []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        return []
    return questions[-MAX_REPLAYED_QUESTIONS:]


def build_chat(bot: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    """The chat UI and its `/ask` endpoint for gradio_client; history lives in the browser or client."""
    settings = bot.settings

    def respond(message: str, history: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            reply = guard.answer(bot, message, history)
        except guard.RequestError as exc:
            reply = guard.refusal(bot, str(exc))
        later = any(m.get("role") == "assistant" for m in history)
        return as_message(reply, settings.compact_footer if later else None)

    def replay(saved: str) -> list[dict[str, Any]]:
        """Answer a reloaded tab's saved questions again: the server keeps no conversation."""
        history: list[dict[str, Any]] = []
        for question in saved_questions(saved, settings):
            history += [{"role": "user", "content": question}, respond(question, history)]
        return history

    def on_like(history: list[dict[str, Any]], data: gr.LikeData) -> None:
        record_vote(bot, feedback, history, data.index, data.liked)

    with gr.Blocks(title=settings.clinic_name, analytics_enabled=False, fill_height=True) as demo:
        gr.Markdown(header(settings), elem_id="chat-header")
        # Copy buttons come from chat.js (plain text, not our markup); Gradio's autoscroll would jump to the
        # end of a new answer, so chat.js places it instead.
        chatbot = gr.Chatbot(label="Conversation", show_label=False, elem_id="conversation", buttons=[],
                             autoscroll=False, allow_tags=False, feedback_options=("Like", "Dislike"),
                             layout="panel", scale=1, placeholder="Ask a question below, or pick an example.")
        textbox = gr.Textbox(label="Your question", show_label=False, max_length=settings.max_question_chars,
                             placeholder="Type your question, e.g. how do I do the bridge?", submit_btn=True,
                             lines=1, max_lines=6, elem_id="question")
        chat = gr.ChatInterface(respond, chatbot=chatbot, textbox=textbox, examples=EXAMPLES, api_name="ask",
                                api_description="One reply; the conversation lives in the client session.",
                                analytics_enabled=False, autofocus=False, fill_height=True)
        # Retry would give the same extractive answer again and Undo is what New chat does; without them
        # each reply has fewer buttons to tab past. (Gradio shows them when these flags are set.)
        chatbot._retryable = False
        chatbot._undoable = False
        chatbot.like(on_like, [chatbot], None, api_visibility="private", queue=False)
        # One line (an <input>, not a textarea), so tests and scripts find one question box.
        saved = gr.Textbox(label="Saved questions", lines=1, max_lines=1, visible="hidden", elem_id="saved-questions")
        restore = gr.Button("Restore the conversation", visible="hidden", elem_id="restore-conversation")
        restore.click(replay, [saved], [chat.chatbot_value], api_visibility="private")
    # api_open=False keeps direct POSTs from skipping the queue and its limits.
    demo.queue(api_open=False, max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo
