"""Latency, start-up and memory measurements, each run by `process.run_probe` in a fresh process."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.process import Probe, serve
from benchmarks.stats import p50, rss_mb


def _sentence_transformer() -> Any:
    from sentence_transformers import SentenceTransformer

    from assistant.embed import bundled_model_path, offline_environment

    offline_environment()
    return SentenceTransformer(str(bundled_model_path()), device="cpu")


def naive_cold(args: dict[str, Any]) -> dict[str, Any]:
    """The bare baseline for start-up: import sentence-transformers, load the model, encode once."""
    _sentence_transformer().encode([args["question"]], normalize_embeddings=True)
    return {"rss_mb": rss_mb(os.getpid())}


def assistant_cold(args: dict[str, Any]) -> dict[str, Any]:
    """Ours: import the package, load the index and the encoder, answer one question."""
    from assistant import Assistant

    bot = Assistant.load()
    answer = bot.ask(args["question"])
    return {"kind": answer.kind, "embedder": type(bot.embedder).__name__, "rss_mb": rss_mb(os.getpid()),
            "torch_imported": "torch" in sys.modules}


def import_time(args: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    import assistant  # noqa: F401

    heavy = [m for m in ("torch", "sentence_transformers", "onnxruntime", "faiss", "gradio")
             if m in sys.modules]
    return {"seconds": time.perf_counter() - started, "heavy": heavy}


def _timed(call: Callable[[str], Any], questions: list[str]) -> list[float]:
    latencies = []
    for question in questions:
        started = time.perf_counter()
        call(question)
        latencies.append(time.perf_counter() - started)
    return latencies


def assistant_ask(args: dict[str, Any]) -> dict[str, Any]:
    """p50 of `ask()` over questions it has not seen (the query cache starts empty), after a warm-up."""
    from assistant import Assistant

    loaded = Assistant.load()
    warm = Assistant(loaded.built, loaded.embedder, loaded.settings)
    _timed(warm.ask, args["questions"][:10])
    bot = Assistant(loaded.built, loaded.embedder, loaded.settings)
    return {"p50_s": p50(_timed(bot.ask, args["questions"])), "rss_mb": rss_mb(os.getpid()),
            "embedder": type(bot.embedder).__name__}


def rest_alongside(args: dict[str, Any]) -> dict[str, Any]:
    """p50 of `ask()` here and of `POST /api/ask` to the server at `port`, question by question in turn: both
    sides then see the same machine, and each text is new to each side. (A tight loop of `ask()` in a process of
    its own measured 8.6 ms against 9.9 ms for the same calls in a process that also held a client: a baseline
    that moves by more than the serving cost being measured.)"""
    import http.client

    from assistant import Assistant
    from benchmarks.serve import HOST, REQUEST_TIMEOUT_S, post_ask

    bot = Assistant.load()
    _timed(bot.ask, [f"{q} warm" for q in args["questions"][:10]])
    connection = http.client.HTTPConnection(HOST, args["port"], timeout=REQUEST_TIMEOUT_S)
    local, served = [], []
    for question in args["questions"]:
        local += _timed(bot.ask, [question])
        started = time.perf_counter()
        if post_ask(connection, question) != 200:
            raise RuntimeError(f"POST /api/ask failed for {question!r}")
        served.append(time.perf_counter() - started)
    connection.close()
    return {"local_p50_s": p50(local), "http_p50_s": p50(served)}


def assistant_rate(args: dict[str, Any]) -> dict[str, Any]:
    """Answers per second from one thread for `seconds`, on a stream of questions never seen before."""
    from assistant import Assistant
    from benchmarks.workload import unique_questions

    bot = Assistant.load()
    stream = unique_questions(args["questions"])
    _timed(bot.ask, [next(stream) for _ in range(10)])
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < args["seconds"]:
        bot.ask(next(stream))
        count += 1
    return {"per_s": count / (time.perf_counter() - started)}


def naive_stack(args: dict[str, Any]) -> dict[str, Any]:
    """The naive assistant: sentence-transformers with the corpus embedded at start; then the p50 of
    encoding each question alone (after a warm-up pass), and the process's resident memory."""
    from assistant.corpus import load_corpus
    from assistant.index import chunk_views
    from assistant.settings import Settings

    model = _sentence_transformer()
    chunks = load_corpus(Settings.load().corpus_dir).chunks
    titles = {c.chunk_id: c.title for c in chunks}
    model.encode([v for c in chunks for v in chunk_views(c, titles)], normalize_embeddings=True)
    encode = lambda q: model.encode([q], normalize_embeddings=True)  # noqa: E731
    _timed(encode, args["questions"][:10])
    return {"p50_s": p50(_timed(encode, args["questions"])), "rss_mb": rss_mb(os.getpid())}


def answers(args: dict[str, Any]) -> dict[str, Any]:
    """A digest of every labelled answer, single questions and whole conversations, with one encoder;
    `limit` keeps the first few of each (the smoke run)."""
    from assistant import Assistant
    from assistant.embed import SentenceTransformerEmbedder

    bot = Assistant.load(embedder=SentenceTransformerEmbedder() if args["encoder"] == "torch" else None)
    data, limit = Path(args["data"]), args.get("limit")
    replies = []
    for name, key in (("questions.json", "q"), ("in_scope.json", "text"), ("out_of_scope.json", "text"),
                      ("look_alikes.json", "text"), ("red_flags.json", "text")):
        replies += [bot.ask(item[key]) for item in _read(data / name)[:limit] if key in item]
    for convo in _read(data / "conversations.json")[:limit]:
        history: list[dict[str, str]] = []
        for turn in convo["turns"]:
            replies.append(bot.ask(turn["q"], history=history))
            history += [{"role": "user", "content": turn["q"]},
                        {"role": "assistant", "content": replies[-1].text}]
    # A source's score is kept apart from the digest: the two encoders' vectors agree within 2e-7, so a score
    # rounded to six places can differ in its last digit while the answer is the same.
    shown = [r.to_dict() for r in replies]
    scores = [[source.pop("score") for source in answer["sources"]] for answer in shown]
    digests = [hashlib.sha256(json.dumps(answer, sort_keys=True).encode()).hexdigest() for answer in shown]
    return {"digests": digests, "scores": scores, "embedder": type(bot.embedder).__name__}


def _read(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


PROBES: dict[str, Probe] = {
    "naive_cold": naive_cold,
    "assistant_cold": assistant_cold,
    "import_time": import_time,
    "assistant_ask": assistant_ask,
    "assistant_rate": assistant_rate,
    "rest_alongside": rest_alongside,
    "naive_stack": naive_stack,
    "answers": answers,
}


if __name__ == "__main__":
    serve(PROBES)
