"""The suite's figures: counted by the tests, printed (and saved as JSON) when the session finishes."""

from __future__ import annotations

from collections import Counter

FIGURES: Counter[str] = Counter()
# Tests marked xfail (known bugs, fixes proposed) count apart, so the headline figures are those of passing tests.
PREFIX = {"value": ""}
ORDER = (
    ("faults_injected", "faults injected"),
    ("crashes", "worker processes killed (SIGKILL)"),
    ("dag_runs", "DAG runs (dag.test)"),
    ("task_runs", "sync task runs outside dag.test (harness, threads)"),
    ("records_checked", "Odoo records checked"),
    ("keys_checked", "idempotency keys checked"),
    ("duplicates", "duplicates"),
    ("lost", "lost lines"),
    ("failed_calls_audited", "failed calls with their sync_log row"),
    ("secrets_tried", "secrets tried"),
    ("secrets_found", "secrets found"),
    ("bad_inputs", "bad inputs tried"),
    ("bad_inputs_rejected", "bad inputs rejected with a clear error"),
    ("guard_calls_refused", "guarded calls refused"),
    ("guard_bypasses", "guard bypasses"),
    ("cross_tenant_calls", "calls that crossed a tenant"),
)


def add(name: str, n: int = 1) -> None:
    FIGURES[PREFIX["value"] + name] += n


def as_lines() -> list[str]:
    width = max(len(label) for _, label in ORDER)
    lines = [f"{label:<{width}}  {FIGURES.get(name, 0):>9,}" for name, label in ORDER]
    known = [(name, value) for name, value in sorted(FIGURES.items()) if name not in dict(ORDER) and value]
    if known:
        lines.append("in tests marked xfail (known bugs, fixes proposed):")
        lines += [f"  {name:<{width - 2}}  {value:>9,}" for name, value in known]
    return lines
