"""Gradio entry point: `python app.py [--host 127.0.0.1] [--port 7860]`."""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args()

    import gradio as gr

    from assistant import Assistant

    bot = Assistant.load()
    chat = gr.ChatInterface(fn=lambda message, history: bot.ask(message, history).text,
                            title=bot.settings.clinic_name, api_name="ask", analytics_enabled=False)
    chat.launch(server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
