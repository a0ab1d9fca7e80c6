"""What an import reports: each file's outcome (FileOutcome) and the counts (ImportReport), which
the import_seeds command prints and writes as JSON."""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ACTIONS = ("created", "updated", "unchanged", "skipped", "failed")


@dataclass
class FileOutcome:
    path: Path
    action: str
    slug: str = "-"
    detail: str = ""
    warnings: list = field(default_factory=list)
    # field -> (old, new), in a form fit for a person and for JSON (the body as hashes and line counts)
    changes: dict = field(default_factory=dict)

    @property
    def changed(self):
        return list(self.changes)

    @property
    def line(self):
        return f"{self.action} {self.path} {self.slug} {self.detail}".rstrip()

    @property
    def error_line(self):
        """The line number in the file that the parser named, if it named one."""
        match = re.search(r"\(at line (\d+)|\(line (\d+)\)", self.detail) if self.action == "failed" else None
        return int(match[1] or match[2]) if match else None

    def as_json(self):
        return {
            "path": str(self.path),
            "outcome": self.action,
            "slug": None if self.slug == "-" else self.slug,
            "changed": {name: {"old": old, "new": new} for name, (old, new) in self.changes.items()},
            "warnings": self.warnings,
            "error": {"message": self.detail, "line": self.error_line} if self.action == "failed" else None,
        }


@dataclass
class ImportReport:
    """Counts per outcome, and the outcomes themselves unless the caller streams them (a 10,000-file
    import then keeps no per-file state)."""

    outcomes: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    dry_run: bool = False
    keep_outcomes: bool = True

    def add(self, outcome):
        self.counts[outcome.action] += 1
        if self.keep_outcomes:
            self.outcomes.append(outcome)

    def count(self, action):
        return self.counts[action]

    def summary(self):
        return {
            **{action: self.count(action) for action in ACTIONS},
            "elapsed_seconds": round(self.elapsed, 3),
            "dry_run": self.dry_run,
        }

    def summary_line(self):
        counts = ", ".join(f"{self.count(action)} {action}" for action in ACTIONS)
        return f"{counts} in {self.elapsed:.1f}s"
