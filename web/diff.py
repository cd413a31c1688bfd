"""A word-level, side-by-side difference between two texts, as safe HTML."""

from difflib import SequenceMatcher
from html import escape

from django.utils.safestring import SafeString, mark_safe


def side_by_side(old: str, new: str) -> tuple[SafeString, SafeString]:
    """(old with its removed words marked <del>, new with its added words marked <ins>)."""
    a, b = old.split(), new.split()
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        removed = escape(" ".join(a[i1:i2]))
        added = escape(" ".join(b[j1:j2]))
        if op == "equal":
            left.append(removed)
            right.append(added)
        else:
            if removed:
                left.append(f"<del>{removed}</del>")
            if added:
                right.append(f"<ins>{added}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))  # noqa: S308 (escaped above)
