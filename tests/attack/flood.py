"""A flooding client in its own process (as an attacker is):
`python flood.py URL FN_INDEX COUNT CLIENT [one-session]` prints "ready", waits for a line on stdin,
then sends COUNT queued calls at once from client number CLIENT (each in a new session, or all in one)
and prints each status and refusal as JSON."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attack import raw  # noqa: E402

THREADS = 25


def main() -> None:
    url, fn_index, count, number = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    one_session = raw.session() if sys.argv[5:] == ["one-session"] else None
    limits = httpx.Limits(max_connections=THREADS)
    with httpx.Client(base_url=url, headers=raw.client(number), limits=limits, timeout=30) as http:

        def join(_: int) -> tuple[int, str]:
            body = {"data": ["bridge", None], "event_data": None, "fn_index": fn_index, "trigger_id": 1,
                    "session_hash": one_session or raw.session()}
            reply = http.post("/gradio_api/queue/join", json=body)
            return reply.status_code, reply.json().get("detail", "") if reply.status_code != 200 else ""

        print("ready", flush=True)
        sys.stdin.readline()
        with ThreadPoolExecutor(THREADS) as pool:
            print(json.dumps(list(pool.map(join, range(count)))), flush=True)


if __name__ == "__main__":
    main()
