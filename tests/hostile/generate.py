"""Large hostile documents, generated instead of committed (each is megabytes or pathological).

``GENERATED[name]()`` returns the bytes of one case; the manifest names them with
``generate: NAME``.
"""

from __future__ import annotations

HEAD = "format: partyrules.facts/1\nas_of: 2024-06-30\nunit: {id: u1, name: U}\n"


def parent_chain(n: int = 4000) -> bytes:
    """A chain of n organizations, each the parent of the next (no cycle)."""
    lines = [HEAD, "organizations:\n"]
    lines.append("  - {id: o0, kind: committee}\n")
    for i in range(1, n):
        lines.append(f"  - {{id: o{i}, kind: branch, parent: o{i - 1}}}\n")
    return "".join(lines).encode()


def dangling_refs(n: int = 1000) -> bytes:
    """n organizations, and n members whose org names none of them (every reference dangles)."""
    lines = [HEAD, "organizations:\n"]
    lines.extend(f"  - {{id: organization-{i}, kind: branch}}\n" for i in range(n))
    lines.append("members:\n")
    for i in range(n):
        lines.append(f"  - {{id: m{i}, org: org-missing-{i}}}\n")
    return "".join(lines).encode()


def billion_laughs(levels: int = 9) -> bytes:
    """The classic alias bomb: each level lists the previous one ten times."""
    out = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
    for i in range(1, levels + 1):
        refs = ",".join([f"*a{i - 1}"] * 10)
        out.append(f"a{i}: &a{i} [{refs}]\n")
    return (HEAD + "".join(out)).encode()


def million_list(n: int = 1_000_000) -> bytes:
    """A flow list of n small integers under an unknown key."""
    return (HEAD + "members: [" + ",".join("0" for _ in range(n)) + "]\n").encode()


def deep_nesting(depth: int = 100_000) -> bytes:
    return (HEAD + "members: " + "[" * depth + "]" * depth + "\n").encode()


GENERATED = {
    "parent_chain": parent_chain,
    "dangling_refs": dangling_refs,
    "billion_laughs": billion_laughs,
    "million_list": million_list,
    "deep_nesting": deep_nesting,
}


def parent_cycle(n: int = 4000) -> bytes:
    """The chain of :func:`parent_chain` closed into one cycle of n organizations."""
    text = parent_chain(n).decode().replace("  - {id: o0, kind: committee}\n",
                                             f"  - {{id: o0, kind: committee, parent: o{n - 1}}}\n")
    return text.encode()


def huge_int_yaml(digits: int = 5000) -> bytes:
    return (HEAD.replace("unit: {id: u1, name: U}", "unit: {id: u1, staff_total: " + "9" * digits + "}")).encode()


def huge_int_json(digits: int = 5000) -> bytes:
    return ('{"format": "partyrules.facts/1", "unit": {"id": "u1", "staff_total": ' + "9" * digits + "}}").encode()


def huge_name(chars: int = 200_000) -> bytes:
    return (HEAD.replace("name: U", "name: " + "N" * chars)).encode()


GENERATED.update({
    "parent_cycle": parent_cycle,
    "huge_int_yaml": huge_int_yaml,
    "huge_int_json": huge_int_json,
    "huge_name": huge_name,
})


def deep_json(depth: int = 70) -> bytes:
    return ('{"format": "partyrules.facts/1", "unit": ' + "[" * depth + "]" * depth + "}").encode()


GENERATED["deep_json"] = deep_json
