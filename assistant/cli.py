"""Command line: `ask`, `search`, `build`, `eval`, `train-triage` and `insights`; heavy imports happen inside each
command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from assistant.errors import AssistantError
from assistant.settings import Settings


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant

    answer = Assistant.load(settings).ask(args.question)
    print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False) if args.json else answer.text)
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import Assistant

    hits = Assistant.load(settings).search(args.query, k=args.k, method=args.method)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
    for rank, hit in enumerate(hits, 1):
        if not args.json:
            print(f"{rank}. {hit.score:.4f}  {hit.chunk_id:45s} {hit.kind:10s} {hit.title}")
    return 0


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.corpus import load_corpus
    from assistant.embed import SentenceTransformerEmbedder
    from assistant.index import build_index, save_index

    started = time.perf_counter()
    corpus = load_corpus(settings.corpus_dir)
    print(f"Parsed {len(corpus.documents)} document(s) into {len(corpus.chunks)} chunks.", file=sys.stderr)
    built = build_index(corpus, SentenceTransformerEmbedder(settings.model_path), show_progress=True)
    save_index(built, settings.index_dir)
    print(f"Index written to {settings.index_dir} in {time.perf_counter() - started:.1f} s "
          f"(corpus {corpus.content_hash[:12]}).", file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluate import evaluate, print_report

    report = evaluate(settings, Path(args.data))
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"Wrote {args.json}", file=sys.stderr)
    return 0 if report["passed"] or not args.check else 1


def _insights(args: argparse.Namespace, settings: Settings) -> int:
    """The tables of /insights for a range of days, printed, or written as CSV (the same code as the page)."""
    from assistant.insights import report
    from assistant.insights.store import EventStore

    if not settings.database_url and not Path(settings.feedback_db).exists():
        raise AssistantError(f"{settings.feedback_db}: no events recorded yet (set feedback_db or database_url to "
                             "the store the server writes).")
    until = args.until or datetime.now(UTC).date()
    period = report.Period(args.since or report.Period.ending(until).since, until)
    if period.since > period.until:
        raise AssistantError(f"--since {period.since} is after --until {period.until}.")
    store = EventStore.from_settings(settings)
    try:
        found = report.tables(store, period, settings.feedback_questions)
    except Exception as exc:  # the driver's own errors, one line each
        raise AssistantError(f"cannot read the event store ({type(exc).__name__}: {str(exc).splitlines()[0]}).") \
            from exc
    if args.table:
        found = [t for t in found if t.name == args.table]
        if not found:
            raise AssistantError(f"--table {args.table}: no such table; the tables are "
                                 f"{', '.join(t.name for t in report.tables(store, period, True))}.")
    if args.csv:
        with open(args.csv, "w", encoding="utf-8", newline="") as out:
            if args.table:
                report.write_csv(found[0], out)
            else:
                report.write_all_csv(found, out)
        print(f"Wrote {len(found)} table(s) for {period.since} to {period.until} to {args.csv}", file=sys.stderr)
    else:
        print("\n\n".join(report.as_text(t) for t in found))
    return 0


def _train_triage(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.assistant import default_embedder
    from assistant.triage.learned import bundled_folder
    from assistant.triage.training import train

    started = time.perf_counter()
    model = train(Path(args.data), default_embedder(settings), lambda line: print(line, file=sys.stderr))
    folder = Path(args.out) if args.out else bundled_folder()
    model.save(folder)
    for name, figures in {**model.meta["out_of_writer"]}.items():
        before = model.meta["out_of_writer_rules_only"][name]
        print(f"{name:20s} caught {before['red_flag_recall']:.3f} -> {figures['red_flag_recall']:.3f}   "
              f"false alarms {before['false_alarm_rate']:.3f} -> {figures['false_alarm_rate']:.3f}")
    print(f"thresholds {model.meta['thresholds']}; model written to {folder} in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m assistant", description=__doc__)
    root.add_argument("--config", help="settings TOML file (default: $ASSISTANT_CONFIG, else bundled defaults)")
    commands = root.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON (the REST shape)")
    ask.set_defaults(run=_ask)
    search = commands.add_parser("search", help="show ranked chunks with scores")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--method", choices=("hybrid", "dense", "bm25"), default="hybrid")
    search.add_argument("--json", action="store_true")
    search.set_defaults(run=_search)
    build = commands.add_parser("build", help="rebuild the index from the corpus folder")
    build.set_defaults(run=_build)
    evaluate = commands.add_parser("eval", help="quality and safety figures on the labelled sets")
    evaluate.add_argument("--data", default=str(Path(__file__).resolve().parent.parent / "tests" / "data"))
    evaluate.add_argument("--json", help="also write the figures to this JSON file")
    evaluate.add_argument("--check", action="store_true", help="exit 1 when a figure is below its threshold")
    evaluate.set_defaults(run=_eval)
    learn = commands.add_parser("train-triage", help="train the learned red-flag opinion, leave-one-writer-out")
    learn.add_argument("--data", default=str(Path(__file__).resolve().parent.parent / "tests" / "data"))
    learn.add_argument("--out", help="folder for red_flag_model.json/.npz (default: the package, where it is served)")
    learn.set_defaults(run=_train_triage)
    insights = commands.add_parser("insights", help="the clinic's insights tables (as on /insights)")
    insights.add_argument("--since", type=date.fromisoformat, help="first day, YYYY-MM-DD (default: 30 days ago)")
    insights.add_argument("--until", type=date.fromisoformat, help="last day, YYYY-MM-DD (default: today)")
    insights.add_argument("--csv", help="write the tables to this CSV file instead of printing them")
    insights.add_argument("--table", help="only this table, by its name in the CSV (e.g. red_flags)")
    insights.set_defaults(run=_insights)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        return args.run(args, Settings.load(args.config))
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
