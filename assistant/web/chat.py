"""The Gradio chat, built on request: header, examples, replies with their tools, follow-ups, votes.

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
from assistant.insights.store import Claim
from assistant.text import escape_markdown
from assistant.web import fallback, guard
from assistant.web.events import EventRecorder, VoteNotSaved
from assistant.web.user_text import show_user_text_literally
from assistant.web.votes import reply_id_in

EXAMPLES = [
    "What helps lower back pain?",
    "How do I do the bridge?",
    "Which exercises strengthen my lower back?",
    "How long should I hold the child's pose?",
    "Is it safe to exercise with back pain?",
]
VOTES = {True: "like", False: "dislike"}
# Clicking the selected Like or Dislike again takes the vote back; Gradio then sends this as `liked`.
WITHDRAWN = ""
# Enough for several people at once: one answer takes milliseconds, so a longer line means a flood.
QUEUE_SIZE = 64
CONCURRENCY = 4
# A reloaded tab sends back its questions and gets the conversation answered again. Replaying 30 took
# about 0.3 s here; older questions than these are dropped (the server reads only the latest turns anyway).
MAX_REPLAYED_QUESTIONS = 30
INTRO = ("Ask about stretches and exercises for the lower back. Answers come from one article "
         "and are not medical advice.")
IMAGE_ROUTE = "/corpus/"
# The page's note after a dislike, as JSON with the reply's place; the words are cut to max_vote_reason_chars.
MAX_REASON_BODY = 2_000
# Replies that show how an exercise is done get its picture; one about its muscles or hold time does not.
PICTURED = ("card", "steps")


def as_message(reply: Answer, reply_id: str = "", *, compact_footer: str | None = None) -> dict[str, Any]:
    """A chat message and its follow-up buttons.

    Gradio keeps only the class of our wrapper in the page (it strips data attributes), so the class
    carries what CSS and the page's script need: the kind of reply, which footer it shows, and for an
    exercise the part shown and its hold time (from the chunk, for the timer). The wrapper also carries
    the server's id for the reply (`data-reply`): not for the page, but in the message's value, which a
    like or dislike sends back. With `compact_footer` (every reply after a conversation's first) the
    footer is that one-liner; the API's `text` and `footer` are unchanged.
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
    tag = f' data-reply="{reply_id}"' if reply_id else ""
    content = f'<div class="{" ".join(classes)}"{tag}>\n\n{text}\n\n</div>'
    return {"role": "assistant", "content": content,
            "options": [{"value": s, "label": s} for s in reply.suggestions]}


def with_picture(text: str, image: str, alt: str) -> str:
    """The exercise's picture under the card's heading (the first paragraph that is a heading; a
    "get help first" list may come before it)."""
    picture = f"![{escape_markdown(alt)}](<{IMAGE_ROUTE}{quote(image)}>)"
    paragraphs = text.split("\n\n")
    at = next((i for i, p in enumerate(paragraphs) if p.startswith("#")), 0)
    return "\n\n".join([*paragraphs[:at + 1], picture, *paragraphs[at + 1:]])


def header(settings: Settings) -> str:
    """Title, what the chat is, the clinic's booking link, New chat; then the conversation's own heading,
    so answers (h3) sit under an h2. Waiting here, hidden: the help shown when the connection is lost,
    the full footer for a printed card (a later reply shows only the compact one), and, where a clinic keeps
    people's words, the mark that tells the page to ask why after a dislike."""
    intro = INTRO
    if settings.booking_link:
        intro += " " + fallback.link("Book an appointment", settings.booking_link) + "."
    lost = (f'<p>{html.escape(fallback.PROBLEMS["lost"])}</p><p>{fallback.as_html(fallback.contact(settings))}</p>'
            f'<p>{html.escape(fallback.emergency(settings))}</p>')
    ask_why = settings.feedback_questions and settings.record_events
    return (f'<div class="chat-header"><div class="chat-heading"><h1>{html.escape(settings.clinic_name)}</h1>'
            f'<p class="chat-intro">{intro}</p></div>'
            '<button type="button" id="new-chat" class="new-chat">New chat</button></div>'
            '<h2 id="conversation-heading" class="visually-hidden">Conversation</h2>'
            f'<div id="connection-help" hidden>{lost}</div>'
            f'<p id="full-footer" hidden>{html.escape(settings.footer)}</p>'
            + ('<p id="ask-why-disliked" hidden></p>' if ask_why else ""))


def record_vote(events: EventRecorder, session: str, value: object, liked: object) -> None:
    """Store a like or dislike of a reply this server issued to this session, as the server answered it,
    or forget it when the visitor takes it back.

    Raises gr.Error (shown in the page) when the vote cannot be saved, and warns when it points at no
    reply it can count; the message names no file or setting.
    """
    vote = VOTES.get(liked) if isinstance(liked, bool) else WITHDRAWN if liked == WITHDRAWN else None
    if vote is None:
        gr.Warning("Sorry, this reply can no longer be rated.")
        return
    try:
        claim = events.vote(reply_id_in(value), session, vote or None)
    except VoteNotSaved:
        raise gr.Error("Sorry, your vote could not be saved. Please try again later.", print_exception=False) from None
    if claim is not Claim.SAVED:
        gr.Warning("Sorry, this reply can no longer be rated.")


def record_reason(events: EventRecorder, session: str, saved: object, history: object) -> None:
    """The words a visitor gave after disliking a reply: `saved` is {"index": <the reply's place in the
    conversation>, "reason": <their words>} as the page sends it; the reply's id comes from the session's
    own copy of the conversation, and only a reply this session disliked takes them."""
    try:
        said = json.loads(saved) if isinstance(saved, str) and len(saved) <= MAX_REASON_BODY else None
    except (ValueError, RecursionError):
        said = None
    index, reason = (said.get("index"), said.get("reason")) if isinstance(said, dict) else (None, None)
    if not (isinstance(index, int) and isinstance(reason, str) and reason.strip() and isinstance(history, list)
            and 0 <= index < len(history) and isinstance(history[index], dict)):
        return
    content = history[index].get("content")
    try:
        events.give_reason(reply_id_in(content_text(content)), session, reason.strip())
    except VoteNotSaved:
        gr.Warning("Sorry, your comment could not be saved. Please try again later.")


def saved_questions(saved: object, max_question_chars: int) -> list[str]:
    """The questions a reloaded tab sends back, or none if they are not a short list of strings. The
    gate reads the same list to count each of them against the client's chat rate."""
    if not isinstance(saved, str) or len(saved) > MAX_REPLAYED_QUESTIONS * (max_question_chars + 8) * 2:
        return []
    try:
        questions = json.loads(saved)
    except (ValueError, RecursionError):
        return []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        return []
    return questions[-MAX_REPLAYED_QUESTIONS:]


def build_chat(bot: Assistant, events: EventRecorder) -> gr.Blocks:
    """The chat UI and its `/ask` endpoint for gradio_client; history lives in the browser or client."""
    settings = bot.settings

    def respond(message: str, history: list[dict[str, Any]], request: gr.Request,
                replayed: bool = False) -> dict[str, Any]:
        try:
            reply = guard.answer(bot, message, history)
        except guard.RequestError as exc:
            reply = guard.refusal(bot, str(exc))
        later = any(m.get("role") == "assistant" for m in history)
        # The recorder keeps the question only where a clinic asked for it.
        reply_id = events.issue(reply, request.session_hash or None, message, replayed=replayed)
        return as_message(reply, reply_id, compact_footer=settings.compact_footer if later else None)

    def replay(saved: str, request: gr.Request) -> list[dict[str, Any]]:
        """Answer a reloaded tab's saved questions again: the server keeps no conversation. Each reply
        gets a new id in the new session, so it can be rated like any other; the insights do not count
        it as asked again."""
        history: list[dict[str, Any]] = []
        for question in saved_questions(saved, settings.max_question_chars):
            history += [{"role": "user", "content": question}, respond(question, history, request, replayed=True)]
        return history

    def on_like(data: gr.LikeData, request: gr.Request) -> None:
        record_vote(events, request.session_hash or "", data.value, data.liked)

    def on_reason(saved: str, history: list[dict[str, Any]], request: gr.Request) -> None:
        record_reason(events, request.session_hash or "", saved, history)

    with gr.Blocks(title=settings.clinic_name, analytics_enabled=False, fill_height=True) as demo:
        gr.Markdown(header(settings), elem_id="chat-header")
        # Copy buttons come from chat.js (plain text, not our markup); Gradio's autoscroll would jump to the
        # end of a new answer, so chat.js places it instead. A user's own words show as typed, LaTeX off.
        chatbot = show_user_text_literally(gr.Chatbot(
            label="Conversation", show_label=False, elem_id="conversation", buttons=[], autoscroll=False,
            allow_tags=False, feedback_options=("Like", "Dislike"), layout="panel", scale=1, latex_delimiters=[],
            placeholder="Ask a question below, or pick an example."))
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
        # No inputs: the vote needs only the liked reply's id, not the whole conversation.
        chatbot.like(on_like, None, None, api_visibility="private", queue=False)
        # One line (an <input>, not a textarea), so tests and scripts find one question box.
        saved = gr.Textbox(label="Saved questions", lines=1, max_lines=1, visible="hidden", elem_id="saved-questions")
        restore = gr.Button("Restore the conversation", visible="hidden", elem_id="restore-conversation")
        restore.click(replay, [saved], [chat.chatbot_value], api_visibility="private")
        # Why a reply was disliked, when the clinic keeps such words: the page fills these after a dislike.
        reason = gr.Textbox(label="Why disliked", lines=1, max_lines=1, visible="hidden", elem_id="dislike-reason",
                            max_length=MAX_REASON_BODY)
        send_reason = gr.Button("Send the reason", visible="hidden", elem_id="send-dislike-reason")
        send_reason.click(on_reason, [reason, chat.chatbot_value], None, api_visibility="private", queue=False)
    # api_open=False keeps direct POSTs from skipping the queue and its limits.
    demo.queue(api_open=False, max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo
