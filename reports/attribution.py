"""Who said what, as a document may tell it (domain.md, "Confidentiality").

What was said in a Chatham House session may be used, but no document may reveal who
said it: its party is shown as a neutral label ("Participant A"), the same label for
the same party throughout one document, and a different shuffle in every document.
What was said on the record keeps its party's code and name."""

from __future__ import annotations

import functools
import random
import re
import string
from collections.abc import Callable, Iterable
from typing import Any


class Attribution:
    def __init__(
        self, *, seed: str, parties: Iterable[tuple[int, str, str]], people: Iterable[str]
    ):
        """`parties`: (id, code, name) of every party the document may mention;
        `people`: usernames and display names of everyone in its sessions. The seed
        fixes this document's shuffle (a report version's own seed)."""
        self.parties = {pid: (code, name) for pid, code, name in parties}
        order = sorted(self.parties)
        random.Random(seed).shuffle(order)
        self.labels = {pid: f"Participant {_letters(i)}" for i, pid in enumerate(order)}
        names: list[tuple[str, str]] = []
        for pid, (code, name) in self.parties.items():
            names += [(name, self.labels[pid]), (code, self.labels[pid])]
        names += [(person, "a participant") for person in people if person]
        # Longest first, so "United States" goes before "US" (and, for a name listed
        # twice, the party's label before a person's).
        names.sort(key=lambda pair: len(pair[0]), reverse=True)
        self._label_of: dict[str, str] = {}
        for name, label in names:
            self._label_of.setdefault(name, label)
        # One pass with one pattern: the names as a trie, so a text is scanned once
        # whatever the number of people (one pattern per name made a document of a
        # session with thousands of observers take minutes). At each place the longest
        # name that ends at a word boundary wins.
        self._scrub = (
            re.compile(rf"{_trie_pattern(self._label_of)}(?![\w])") if self._label_of else None
        )

    def who(self, party_id: int, *, anonymous: bool) -> dict[str, Any]:
        """How the document names a party: its label when anonymous, else code and name."""
        if anonymous:
            return {"participant": self.labels[party_id]}
        code, name = self.parties[party_id]
        return {"participant": code, "party": name}

    def text(self, value: str, *, anonymous: bool) -> str:
        """Free text as the document may show it: under the Chatham House rule every
        party name or code and every person's name in it is replaced."""
        return self.scrub(value) if anonymous else value

    def scrub(self, value: str) -> str:
        """`value` with every party name or code and every person's name replaced: text
        as the Chatham House rule lets a document show it."""
        if not value or self._scrub is None:
            return value
        return self._scrub.sub(self._replace, value)

    def scrubber(self) -> Callable[[str], str]:
        """`scrub` as a callable that runs no Python code where nothing matches: for a
        builder that scrubs tens of thousands of texts."""
        if self._scrub is None:
            return str  # a str's str is itself
        return functools.partial(self._scrub.sub, self._replace)

    def _replace(self, match: re.Match[str]) -> str:
        return self._label_of[match.group(0)]


# After a name's first character: the character before that one is not a word character
# (or there is none). [\s\S] is any character, a newline too.
NOT_AFTER_A_WORD = r"(?<![\w][\s\S])"


def _trie_pattern(names: Iterable[str]) -> str:
    """A regular expression matching any of `names` where no word character comes
    before it, built as a trie (shared prefixes matched once); at each branch the longer
    names are tried first.

    The look back for a word character comes after each name's first character (and
    looks past it): a pattern that starts with a choice of plain characters lets the
    regex engine skip, in C, every place where no name can start, where one starting with
    the look-behind tried every place of every text (a report scrubs some 80,000 texts;
    this way is two to three times faster)."""
    trie: dict = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a name ends here; a longer one is tried first (greedy)
            return "(?:" + body + ")?"
        return body

    first = [
        re.escape(char) + NOT_AFTER_A_WORD + build(child) for char, child in trie.items() if char
    ]
    return "(?:" + "|".join(first) + ")"


def _letters(index: int) -> str:
    letters = string.ascii_uppercase
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = letters[rest] + label
    return label
