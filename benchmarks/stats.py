"""Medians with their min–max spread, ratios between two of them, and a process's resident memory."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Spread:
    """The median of several runs, with the lowest and highest run: the machine's noise."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        if not samples:
            raise ValueError("no samples to summarise")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))

    def scaled(self, factor: float) -> Spread:
        return Spread(self.median * factor, self.low * factor, self.high * factor, self.runs)

    def show(self, unit: str, digits: int = 1) -> str:
        spread = f"{self.low:.{digits}f}–{self.high:.{digits}f}"
        return f"{self.median:.{digits}f} {unit} ({spread}, {self.runs} runs)"


def ratios(ours: Sequence[float], baseline: Sequence[float]) -> Spread:
    """Run-by-run ratios (run i of ours over run i of the baseline, interleaved in time), summarised."""
    return Spread.of([o / b for o, b in zip(ours, baseline, strict=True)])


def p50(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def rss_mb(pid: int) -> float:
    """Resident memory of a live process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_stall_s() -> float | None:
    """Seconds some runnable task has waited for a CPU since boot (Linux pressure stall information).

    Its growth over a measurement shows how much other work shared the machine meanwhile; None where
    the kernel does not report it.
    """
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return None
    return int(first.rsplit("total=", 1)[1]) / 1e6
