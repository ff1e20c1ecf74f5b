"""Names by their words, for the fuzzy match of a misspelled service (built once per index).

A misspelled name still shares most of its words with the name it means, each word at most a
couple of typing slips away ("physcal therapy", "cyclobenzaprin"). So rather than scoring every
name of the graph, the fuzzy path scores the few names the text's words point to most, each word
found exactly, within two deleted letters on either side (symmetric deletion: a dropped, added,
swapped or wrong letter), or as two known words run together ("physicaltherapy"). Finding them is
a handful of dict lookups, however many names the graph holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from heapq import nlargest
from itertools import chain, combinations

# Words this short are matched exactly: two deletions would leave little of them.
EXACT_BELOW = 4
ONE_SLIP_BELOW = 7  # words of 4-6 letters take one deletion; longer ones two
CANDIDATES = 32  # names scored for one text
COMMON = 256  # a word held by more names than this says nothing of which one is meant


@dataclass(frozen=True, slots=True)
class NameWords:
    """The names (in a fixed order) and, for their words, where to find them."""

    names: tuple[str, ...]
    sizes: tuple[int, ...]  # words of each name
    firsts: frozenset[str]  # the first words of the names: where a name may begin in a text
    # first word -> most words of a name it begins: the longest phrase worth looking up there
    longest: dict[str, int]
    by_word: dict[str, tuple[int, ...]]  # word -> positions of the names holding it
    by_variant: dict[str, tuple[str, ...]]  # a word less up to 2 letters -> the words
    # known word -> the known words it may be a slip of, and the names holding those: most words
    # of a misspelled service are spelled right, so theirs are looked up, not worked out per text
    slips: dict[str, tuple[frozenset[str], frozenset[int]]]

    @classmethod
    def of(cls, names: Iterable[str]) -> NameWords:
        ordered = tuple(names)
        by_word: dict[str, list[int]] = defaultdict(list)
        for position, name in enumerate(ordered):
            for word in dict.fromkeys(name.split()):
                by_word[word].append(position)
        by_variant: dict[str, list[str]] = defaultdict(list)
        for word in by_word:
            for variant in _variants(word):
                by_variant[variant].append(word)
        longest: dict[str, int] = {}
        for words in (name.split() for name in ordered if name):
            longest[words[0]] = max(longest.get(words[0], 0), len(words))
        found = cls(
            ordered,
            tuple(len(set(name.split())) for name in ordered),
            frozenset(longest),
            longest,
            {w: tuple(p) for w, p in by_word.items()},
            {v: tuple(w) for v, w in by_variant.items()},
            {},
        )
        # filled once here, before the index is shared; read only afterwards
        found.slips.update((word, found._slips(word)) for word in by_word)
        return found

    def near(self, word: str) -> frozenset[str]:
        """Known words `word` may be a slip of (itself included when known)."""
        return (self.slips.get(word) or self._slips(word))[0]

    def _slips(self, word: str) -> tuple[frozenset[str], frozenset[int]]:
        """The known words `word` may be a slip of, and the places of the names holding them."""
        found = {word} if word in self.by_word else set()
        if len(word) >= EXACT_BELOW:
            for variant in self.by_variant.keys() & _variants(word):  # the few that are known
                found.update(self.by_variant[variant])
        for cut in range(2, len(word) - 1):  # two words run together
            head, tail = word[:cut], word[cut:]
            if head in self.by_word and tail in self.by_word:
                found.update((head, tail))
        return frozenset(found), frozenset(p for k in found for p in self.by_word[k])

    def candidates(self, text: str, limit: int = CANDIDATES) -> list[str]:
        """At most `limit` names, in the names' order: those whose words the text holds most
        nearly, as a share of the name's words and of the text's (what a fuzzy score rewards);
        none when no word of the text is near a known word. A word held by more than COMMON names
        points to none of them."""
        words = tuple(dict.fromkeys(text.split()))
        by_text: Counter[int] = Counter()  # name -> text words found in it
        known: set[str] = set()
        for word in words:
            near, positions = self.slips.get(word) or self._slips(word)
            if not positions or len(positions) > COMMON:
                continue
            known |= near
            by_text.update(positions)
        if not by_text:
            return []
        # name -> its words found in the text
        by_name = Counter(chain.from_iterable(self.by_word[word] for word in known))
        sizes = self.sizes
        best = (
            by_text
            if len(by_text) <= limit
            else nlargest(
                limit,
                by_text,
                key=lambda p: (by_text[p] / len(words) + by_name[p] / sizes[p], -p),
            )
        )
        return [self.names[p] for p in sorted(best)]


def _variants(word: str) -> set[str]:
    """The word with up to one (4-6 letters) or two (7 and more) letters deleted; nothing for a
    word too short to take a slip."""
    if len(word) < EXACT_BELOW:
        return set()
    once = {word[:i] + word[i + 1 :] for i in range(len(word))}
    if len(word) < ONE_SLIP_BELOW:
        return {word, *once}
    # two deletions: i < j, cut by slicing (a text's misspelled words are looked up per request)
    twice = {
        word[:i] + word[i + 1 : j] + word[j + 1 :] for i, j in combinations(range(len(word)), 2)
    }
    return {word, *once, *twice}
