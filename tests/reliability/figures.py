"""The suite's figures: counted by the tests, printed (and saved as JSON) when the session finishes.

One table, one column per transport: every figure is counted under its name (all transports) and under
``<transport>/<name>``, the transport being the one the running test's Odoo connection uses (``xmlrpc`` unless the
test is parametrized with ``transport``). A figure counted with a ``kind`` (faults per kind) also counts under
``<name>.<kind>``, printed as indented rows under its figure.
"""

from __future__ import annotations

from collections import Counter

FIGURES: Counter[str] = Counter()
# Tests marked xfail (known bugs, fixes proposed) count apart, so the headline figures are those of passing tests.
PREFIX = {"value": ""}
# The transport of the running test (set by an autouse fixture of the conftest).
TRANSPORT = {"value": "xmlrpc"}
TRANSPORTS = (("xmlrpc", "XML-RPC"), ("json2", "JSON-2"))
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


def add(name: str, n: int = 1, *, kind: str | None = None) -> None:
    """Count ``n`` under ``name`` (and ``name.kind``), in total and for the running test's transport."""
    prefix, transport = PREFIX["value"], TRANSPORT["value"]
    for key in (name, f"{name}.{kind}") if kind else (name,):
        FIGURES[prefix + key] += n
        FIGURES[f"{prefix}{transport}/{key}"] += n


def _base(key: str) -> str:
    """The figure a key counts: ``json2/faults_injected.timeout`` -> ``faults_injected``."""
    return key.split("/", 1)[-1].split(".", 1)[0]


def as_lines() -> list[str]:
    names = dict(ORDER)
    kinds = sorted({k.split("/", 1)[-1] for k in FIGURES if "." in k and not k.startswith("xfail:")})
    rows: list[tuple[str, str]] = []
    for name, label in ORDER:
        rows.append((name, label))
        rows += [(k, f"  {k.split('.', 1)[1]}") for k in kinds if _base(k) == name]
    width = max(len(label) for _, label in rows)
    head = f"{'':<{width}}  {'all':>9}" + "".join(f"  {title:>9}" for _, title in TRANSPORTS)
    lines = [head]
    for key, label in rows:
        cells = [FIGURES.get(key, 0)] + [FIGURES.get(f"{t}/{key}", 0) for t, _ in TRANSPORTS]
        lines.append(f"{label:<{width}}  " + "  ".join(f"{v:>9,}" for v in cells))
    apart = [
        (key, value)
        for key, value in sorted(FIGURES.items())
        if value and (key.startswith("xfail:") or _base(key) not in names) and "/" not in key
    ]
    if apart:
        lines.append("in tests marked xfail (known bugs, fixes proposed):")
        lines += [f"  {key:<{width - 2}}  {value:>9,}" for key, value in apart]
    return lines
