"""Finding 2: nothing leaves the machine, seen from the kernel's side. The real server runs under strace
(native threads included, which a Python audit hook cannot see) through start, the page, a REST
answer, a chat, a like and shutdown; any non-loopback connect or send, or any DNS query, fails the
test. The same trace lists every file the server writes, which docs/deploy.md documents."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from gradio_client import Client
from web.serving import Server, start

from attack import raw
from attack.conftest import PROXIED, Functions

STRACE = shutil.which("strace")
SYSCALLS = "connect,sendto,sendmsg,sendmmsg,openat,mkdir,rename,renameat2,unlink"
ADDRESS = re.compile(r'sa_family=AF_INET6?, sin6?_port=htons\((\d+)\), (?:sin_addr=inet_addr\("([^"]+)"\)|'
                     r'inet_pton\(AF_INET6, "([^"]+)")')
# glibc asks these daemons before it sends a DNS packet itself.
RESOLVER_SOCKETS = re.compile(r'sun_path="[^"]*(nscd|resolve|dbus)[^"]*"')
WRITTEN = re.compile(r'^\d+ +(?:openat\(AT_FDCWD, "([^"]+)", [^)]*(?:O_WRONLY|O_RDWR|O_CREAT)[^)]*\)|'
                     r'mkdir\("([^"]+)", \d+\)|rename\("[^"]+", "([^"]+)"\)) += \d')
UNLINKED = re.compile(r'^\d+ +unlink\("([^"]+)"\) += 0')


def traced(log: Path) -> tuple[str, ...]:
    assert STRACE, "strace is missing: `make test` installs it (apt-get install strace)"
    return (STRACE, "-f", "-qq", "-e", f"trace={SYSCALLS}", "-o", str(log))


def outbound(trace: str) -> list[str]:
    """Every line that reaches past loopback or asks for a name."""
    found = []
    for line in trace.splitlines():
        if not re.match(r"^\d+ +(connect|sendto|sendmsg|sendmmsg)\(", line):
            continue
        if RESOLVER_SOCKETS.search(line):
            found.append(line)
            continue
        for port, ipv4, ipv6 in ADDRESS.findall(line):
            address = ipv4 or ipv6
            loopback = address.startswith("127.") or address in ("::1", "::ffff:127.0.0.1")
            if not loopback or port == "53":
                found.append(line)
    return found


def written(trace: str) -> set[str]:
    """Paths the process created or opened for writing, less those it removed again (temporary files)."""
    paths = {next(p for p in match.groups() if p) for line in trace.splitlines()
             if (match := WRITTEN.match(line))}
    removed = {m.group(1) for line in trace.splitlines() if (m := UNLINKED.match(line))}
    return paths - removed


def stop_traced(server: Server) -> None:
    """SIGTERM to the server under strace (strace's child), so shutdown is traced too."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        os.kill(int(child), signal.SIGTERM)
    server.process.wait(timeout=30)


def test_the_detector_sees_a_connection_and_a_lookup(tmp_path: Path):
    """The check can fail: a script that reaches out, from a native call too, is caught."""
    script = ("import socket\n"
              "s = socket.socket(); s.setblocking(False)\n"
              "try: s.connect(('192.0.2.1', 9))\n"
              "except OSError: pass\n"
              "try: socket.getaddrinfo('telemetry.invalid', 443)\n"
              "except OSError: pass\n")
    log = tmp_path / "trace.log"
    subprocess.run([*traced(log), sys.executable, "-c", script], check=True, timeout=60)
    found = outbound(log.read_text())
    assert any("192.0.2.1" in line for line in found)
    assert any("htons(53)" in line or RESOLVER_SOCKETS.search(line) for line in found), \
        "the name lookup (a DNS packet or a resolver socket) is seen"


def test_start_chat_like_and_shutdown_reach_nothing_beyond_loopback(functions: Functions, tmp_path: Path):
    log = tmp_path / "trace.log"
    gradio = tmp_path / "gradio"
    server = start(tmp_path, {**PROXIED, "GRADIO_TEMP_DIR": str(gradio), "HOME": str(tmp_path / "home")},
                   prefix=traced(log))
    try:
        assert httpx.get(f"{server.url}/").status_code == 200
        assert httpx.post(f"{server.url}/api/ask", json={"question": "how do I do the bridge?"}).status_code == 200
        client = Client(server.url, analytics_enabled=False, verbose=False)
        assert "Bridge" in client.predict("how do I do the bridge?", api_name="/ask")["content"]
        client.close()
        headers, session = raw.client(80), raw.session()
        reply = raw.ask(server.url, functions["ask"], "what helps lower back pain?", session, headers)
        assert raw.like(server.url, functions["on_like"], reply, session, headers).status_code == 200
    finally:
        stop_traced(server)
    trace = log.read_text()
    # uvicorn shuts down, then re-raises the signal so the exit status says why it stopped.
    assert "Finished server process" in server.log.read_text()
    assert outbound(trace) == []
    # Where the server writes: the event store (and SQLite's journal), Gradio's empty folders, and the empty
    # folder matplotlib makes for its settings when Gradio imports it around a chat answer (docs/deploy.md).
    feedback = str(server.feedback_db)
    home = tmp_path / "home"
    matplotlib_folders = {str(home), str(home / ".config"), str(home / ".config" / "matplotlib")}
    unexpected = {p for p in written(trace)
                  if not p.startswith(feedback) and not p.startswith(f"{gradio}/") and p != str(gradio)
                  and not p.startswith("/dev/") and p not in matplotlib_folders}
    assert unexpected == set()
    assert [p for p in gradio.rglob("*") if p.is_file()] == []
    assert [p for p in home.rglob("*") if p.is_file()] == [], "no file under the home folder"
    assert not (home / ".cache").exists(), "nothing under the home folder (ONNX Runtime's device db, fonts)"
