"""cluster-check's verdicts: one row per journey or fault, the table they print as, the exit code,
and the log counting the outage checks judge by. Pure: nothing here starts or asks anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PASS, FAIL = "pass", "FAIL"


@dataclass(frozen=True)
class Row:
    fault: str
    expected: str
    observed: str
    passed: bool


def table(rows: list[Row]) -> str:
    """A Markdown table (it goes into the README as printed)."""
    cells = [["fault", "expected", "observed", "result"]] + [
        [row.fault, row.expected, row.observed, PASS if row.passed else FAIL] for row in rows
    ]
    cells = [[cell.replace("|", "/").replace("\n", " ") for cell in line] for line in cells]
    widths = [max(len(line[i]) for line in cells) for i in range(4)]

    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    return "\n".join([line(cells[0]), line(["-" * w for w in widths]), *map(line, cells[1:])])


def exit_code(rows: list[Row]) -> int:
    """0 only when there were rows and every one passed."""
    return 0 if rows and all(row.passed for row in rows) else 1


class LogMark:
    """Where each log file ended at a moment, to read what was written after it."""

    def __init__(self, paths: list[Path]):
        self.offsets = {path: (path.stat().st_size if path.exists() else 0) for path in paths}

    def lines_since(self) -> list[str]:
        lines = []
        for path, offset in self.offsets.items():
            if not path.exists():
                continue
            with open(path, "rb") as log:
                log.seek(offset)
                lines += log.read().decode(errors="replace").splitlines()
        return lines


def tracebacks(lines: list[str]) -> int:
    return sum(line.startswith("Traceback (most recent call last)") for line in lines)


def errors(lines: list[str]) -> list[str]:
    """Lines that report an error (Python logging's ERROR/CRITICAL, or a traceback)."""
    return [line for line in lines if _is_error(line)]


def _is_error(line: str) -> bool:
    return " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback")


def failure_summary(rows: list[Row], logs: Path, lines_per_log: int = 12) -> str:
    """The failed rows in full, then each log's last error lines."""
    out = ["", "Failed rows:"]
    out += [f"- {row.fault}: {row.observed}" for row in rows if not row.passed]
    for log in sorted(logs.glob("*.log")):
        said = _errors_with_causes(log.read_text(errors="replace").splitlines())[-lines_per_log:]
        if said:
            out += ["", f"Last error lines of {log.name}:", *(line[:300] for line in said)]
    return "\n".join(out)


def _errors_with_causes(lines: list[str]) -> list[str]:
    """The error lines, each traceback followed by its last line (the exception raised)."""
    said = []
    for n, line in enumerate(lines):
        if _is_error(line):
            said.append(line)
        if line.startswith("Traceback"):
            rest = (later for later in lines[n + 1 :] if not later.startswith(" "))
            said.append(next(rest, ""))
    return said


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value >= 1 else f"{value * 1000:.0f} ms"
