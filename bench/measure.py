"""Small measuring helpers every bench module shares: percentiles and a process's peak memory."""
from __future__ import annotations

from pathlib import Path


def pct(values: list[float], p: float, empty: float = float("nan")) -> float:
    """The p-th percentile (nearest rank) of `values`; `empty` when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else empty


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of process `pid` in MiB; None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
