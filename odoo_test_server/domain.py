"""Odoo domains: normalisation, negation pushed into leaves, and compilation into a record predicate.

A compiled domain also carries the ids it can possibly match when an index (or ``id``) narrows it, so a
search for 500 ``ref`` values among 50,000 lines does not scan them all.
"""

from __future__ import annotations

from typing import Any

from odoo_test_server.leaves import FALSE_LEAF, NEGATION, TRUE_LEAF, Compiled, SearchContext, combine, compile_leaf

ARITY = {"!": 1, "&": 2, "|": 2}


def normalize(domain: Any) -> list[Any]:
    """Make implicit '&' explicit (odoo.osv.expression.normalize_domain); leaves become tuples."""
    if not domain:
        return [TRUE_LEAF]
    if not isinstance(domain, (list, tuple)):
        raise ValueError("Domains to normalize must have a 'domain' form: a list or tuple of domain components")
    result: list[Any] = []
    expected = 1
    for token in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
            token = tuple(token)
        else:
            expected += ARITY.get(token, 0) - 1
        result.append(token)
    if expected:
        raise ValueError(f"Domain {domain} is syntactically not correct.")
    return result


def and_domains(domains: list[list[Any]]) -> list[Any]:
    """expression.AND: skip empty domains, prefix the right number of '&'."""
    result: list[Any] = []
    count = 0
    for domain in domains:
        if domain in ([TRUE_LEAF], [list(TRUE_LEAF)]):
            continue
        if domain:
            result += normalize(domain)
            count += 1
    return ["&"] * (count - 1) + result if result else [TRUE_LEAF]


def is_false(tokens: list[Any]) -> bool:
    """odoo.osv.expression.is_false on a normalised domain: three-valued logic where ``(0, '=', 1)`` and
    ``('x', 'in', [])`` are false and ``('x', 'not in', [])`` is true. Odoo 17's ``_search`` returns no
    records for such a domain WITHOUT checking the rest of it or the order (an unknown field next to
    ``('id', 'in', [])`` is no error)."""
    stack: list[int] = []
    for token in reversed(tokens):
        if token == "&":
            stack.append(min(stack.pop(), stack.pop()))
        elif token == "|":
            stack.append(max(stack.pop(), stack.pop()))
        elif token == "!":
            stack.append(-stack.pop())
        elif token == TRUE_LEAF:
            stack.append(1)
        elif token == FALSE_LEAF:
            stack.append(-1)
        elif isinstance(token, tuple) and len(token) == 3 and token[1] in ("in", "not in") and not token[2]:
            stack.append(-1 if token[1] == "in" else 1)
        else:
            stack.append(0)
    return bool(stack) and stack.pop() == -1


def mentions(domain: list[Any], field: str) -> bool:
    """Does any leaf start with exactly ``field`` (Odoo's test for the implicit active filter)?"""
    return any(isinstance(t, tuple) and len(t) == 3 and t[0] == field for t in domain)


# -- tree: ('&', [children]) / ('|', [children]) / ('!', child) / leaf tuple -------------------------------
def _tree(tokens: list[Any]) -> Any:
    stack: list[Any] = []
    for token in reversed(tokens):
        if token == "!":
            stack.append(("!", stack.pop()))
        elif token in ("&", "|"):
            first, second = stack.pop(), stack.pop()
            kids = [k for node in (first, second) for k in (node[1] if _is_op(node, token) else [node])]
            stack.append((token, kids))
        else:
            stack.append(token)
    return stack[0]


def _is_op(node: Any, op: str) -> bool:
    return isinstance(node, tuple) and len(node) == 2 and node[0] == op


def _negate(node: Any) -> Any:
    if _is_op(node, "&") or _is_op(node, "|"):
        return ("|" if node[0] == "&" else "&", [_negate(k) for k in node[1]])
    if _is_op(node, "!"):
        return node[1]
    if len(node) == 3 and isinstance(node[1], str) and node[1].lower() in NEGATION:
        return (node[0], NEGATION[node[1].lower()], node[2])
    return ("!", node)


def compile_domain(ctx: SearchContext, model: str, domain: Any) -> Compiled:
    return _compile(ctx, model, _tree(normalize(domain)))


def _compile(ctx: SearchContext, model: str, node: Any) -> Compiled:
    if _is_op(node, "!"):
        inner = node[1]
        if _is_op(inner, "!") or _is_op(inner, "&") or _is_op(inner, "|") or _negatable(inner):
            return _compile(ctx, model, _negate(inner))
        pred = _compile(ctx, model, inner).pred
        return Compiled(lambda r: not pred(r))
    if _is_op(node, "&") or _is_op(node, "|"):
        parts = [_compile(ctx, model, kid) for kid in node[1]]
        return combine(node[0], parts)
    return compile_leaf(ctx, model, node)


def _negatable(leaf: Any) -> bool:
    return isinstance(leaf, tuple) and len(leaf) == 3 and isinstance(leaf[1], str) and leaf[1].lower() in NEGATION
