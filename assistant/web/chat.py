"""The Gradio chat, built on request: examples, safety banners, follow-up buttons, like/dislike."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from assistant import Answer, Assistant
from assistant.conversation import content_text
from assistant.web import guard
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


def as_message(reply: Answer) -> dict[str, Any]:
    """A chat message whose wrapper class lets CSS mark safety replies and the footer; follow-up buttons."""
    content = f'<div class="reply reply-{reply.kind}">\n\n{reply.text}\n\n</div>'
    return {"role": "assistant", "content": content,
            "options": [{"value": s, "label": s} for s in reply.suggestions]}


def description(bot: Assistant) -> str:
    text = ("Ask about stretches and exercises for the lower back. Answers come from one article "
            "and are not medical advice.")
    if bot.settings.booking_link:
        link = html.escape(bot.settings.booking_link, quote=True)
        text += f' <a href="{link}" target="_blank" rel="noopener">Book an appointment</a>.'
    return text


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


def build_chat(bot: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    """The chat UI and its `/ask` endpoint for gradio_client; history lives in the browser or client."""

    def respond(message: str, history: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            reply = guard.answer(bot, message, history)
        except guard.RequestError as exc:
            reply = guard.refusal(bot, str(exc))
        return as_message(reply)

    def on_like(history: list[dict[str, Any]], data: gr.LikeData) -> None:
        record_vote(bot, feedback, history, data.index, data.liked)

    settings = bot.settings
    with gr.Blocks(title=settings.clinic_name, analytics_enabled=False, fill_height=True) as demo:
        chatbot = gr.Chatbot(label="Conversation", show_label=False, elem_id="conversation", buttons=["copy"],
                             allow_tags=False, feedback_options=("Like", "Dislike"), layout="panel", scale=1,
                             placeholder="Ask a question below, or pick an example.")
        textbox = gr.Textbox(label="Your question", show_label=False, max_length=settings.max_question_chars,
                             placeholder="Type your question, e.g. how do I do the bridge?", submit_btn=True,
                             lines=1, max_lines=6, elem_id="question")
        gr.ChatInterface(respond, chatbot=chatbot, textbox=textbox, examples=EXAMPLES,
                         title=settings.clinic_name, description=description(bot), api_name="ask",
                         api_description="One reply; the conversation lives in the client session.",
                         analytics_enabled=False, autofocus=False, fill_height=True)
        chatbot.like(on_like, [chatbot], None, api_visibility="private", queue=False)
    # api_open=False keeps direct POSTs from skipping the queue and its limits.
    demo.queue(api_open=False, max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo
