"""Run a script (app.py) with an audit hook that records every attempted non-loopback connection or lookup.

Usage: AUDIT_CONNECTIONS_LOG=path python audited_app.py SCRIPT [ARGS...]
"""

from __future__ import annotations

import ipaddress
import os
import runpy
import socket
import sys
from typing import Any

LOCAL_NAMES = {"localhost", "", "0.0.0.0", "::"}


def is_local(host: object) -> bool:
    if host is None or isinstance(host, bytes | bytearray):
        host = host.decode() if host else ""
    if not isinstance(host, str) or host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def recorder(log_path: str):
    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect":
            sock, address = args
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
                record(f"connect {address[0]}:{address[1]}")
        elif event == "socket.getaddrinfo" and not is_local(args[0]):
            record(f"lookup {args[0]}")

    def record(line: str) -> None:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(line + "\n")

    return hook


def main() -> None:
    sys.addaudithook(recorder(os.environ["AUDIT_CONNECTIONS_LOG"]))
    script, sys.argv = sys.argv[1], sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python SCRIPT` would have it
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
