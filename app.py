"""Serve the chat, REST API and widget: `python app.py [--host 127.0.0.1] [--port 7860] [--config F]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

# Before Gradio is imported: its telemetry and version check would otherwise try to reach the network.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# Before ONNX Runtime is imported (by anything): its telemetry writes a device database at import.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
# Gradio imports matplotlib (installed for /insights' charts) around every queued call to set its backend;
# named here, matplotlib need not import pyplot and build its font list to find one on a chat answer.
os.environ.setdefault("MPLBACKEND", "agg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--config", help="a TOML settings file (default: $ASSISTANT_CONFIG, if set)")
    args = parser.parse_args()
    # Our own messages at INFO (index rebuilds; questions, if a clinic turns that on); others at WARNING.
    logging.basicConfig(format="%(levelname)s:     %(name)s: %(message)s")
    logging.getLogger("assistant").setLevel(logging.INFO)
    # The access log (assistant/web/front.py) on standard output, apart from the other messages, as uvicorn's was.
    access = logging.getLogger("assistant.access")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    access.addHandler(handler)
    access.propagate = False

    from assistant import Assistant, Settings
    from assistant.web import create_app, listener
    from assistant.web.memory import limit_malloc_arenas

    limit_malloc_arenas()  # before the encoder and the server start their threads

    settings = Settings.load(args.config)
    listener.run(create_app(Assistant.load(settings)), args.host, args.port, settings)


if __name__ == "__main__":
    main()
