"""The Gradio chat, built on request: examples, safety banners, follow-up buttons, like/dislike."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from assistant import Answer, Assistant
from assistant.web import guard
from assistant.web.feedback import FeedbackStore
from assistant.web.user_text import show_user_text_literally
from assistant.web.votes import IssuedReplies, reply_id_in

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


def as_message(reply: Answer, reply_id: str = "") -> dict[str, Any]:
    """A chat message whose wrapper class lets CSS mark safety replies and the footer; follow-up buttons.
    The wrapper carries the server's id for the reply, which a like or dislike sends back."""
    tag = f' data-reply="{reply_id}"' if reply_id else ""
    content = f'<div class="reply reply-{reply.kind}"{tag}>\n\n{reply.text}\n\n</div>'
    return {"role": "assistant", "content": content,
            "options": [{"value": s, "label": s} for s in reply.suggestions]}


def description(bot: Assistant) -> str:
    text = ("Ask about stretches and exercises for the lower back. Answers come from one article "
            "and are not medical advice.")
    if bot.settings.booking_link:
        link = html.escape(bot.settings.booking_link, quote=True)
        text += f' <a href="{link}" target="_blank" rel="noopener">Book an appointment</a>.'
    return text


def record_vote(feedback: FeedbackStore, replies: IssuedReplies, session: str, value: object,
                liked: object) -> None:
    """Store a like or dislike of a reply this server issued to this session, as the server answered it.

    Raises gr.Error (shown in the page) when the vote cannot be saved, and warns when it points at no
    reply it can count; the message names no file or setting.
    """
    vote = VOTES.get(liked) if isinstance(liked, bool) else None
    reply = replies.claim(reply_id_in(value), session) if vote is not None else None
    if reply is None:
        gr.Warning("Sorry, this reply can no longer be rated.")
        return
    if not feedback.record(vote, reply):
        raise gr.Error("Sorry, your vote could not be saved. Please try again later.", print_exception=False)


def build_chat(bot: Assistant, feedback: FeedbackStore, replies: IssuedReplies) -> gr.Blocks:
    """The chat UI and its `/ask` endpoint for gradio_client; history lives in the browser or client."""

    def respond(message: str, history: list[dict[str, Any]], request: gr.Request) -> dict[str, Any]:
        try:
            reply = guard.answer(bot, message, history)
        except guard.RequestError as exc:
            reply = guard.refusal(bot, str(exc))
        # The question is kept (in memory, then next to the vote) only where a clinic asked for it.
        question = message if settings.feedback_questions and isinstance(message, str) else None
        return as_message(reply, replies.issue(request.session_hash or "", reply, question))

    def on_like(data: gr.LikeData, request: gr.Request) -> None:
        record_vote(feedback, replies, request.session_hash or "", data.value, data.liked)

    settings = bot.settings
    with gr.Blocks(title=settings.clinic_name, analytics_enabled=False, fill_height=True) as demo:
        chatbot = show_user_text_literally(gr.Chatbot(
            label="Conversation", show_label=False, elem_id="conversation", buttons=["copy"], allow_tags=False,
            feedback_options=("Like", "Dislike"), layout="panel", scale=1, latex_delimiters=[],
            placeholder="Ask a question below, or pick an example."))
        textbox = gr.Textbox(label="Your question", show_label=False, max_length=settings.max_question_chars,
                             placeholder="Type your question, e.g. how do I do the bridge?", submit_btn=True,
                             lines=1, max_lines=6, elem_id="question")
        gr.ChatInterface(respond, chatbot=chatbot, textbox=textbox, examples=EXAMPLES,
                         title=settings.clinic_name, description=description(bot), api_name="ask",
                         api_description="One reply; the conversation lives in the client session.",
                         analytics_enabled=False, autofocus=False, fill_height=True)
        # No inputs: the vote needs only the liked reply's id, not the whole conversation.
        chatbot.like(on_like, None, None, api_visibility="private", queue=False)
    # api_open=False keeps direct POSTs from skipping the queue and its limits.
    demo.queue(api_open=False, max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo
