"""Words of a text as the matcher counts them: English words (lightly stemmed) and the concepts of
the plugins' vocabularies (`tanso_vocabularies`), whose terms in any language count as one word.

Japanese is written without spaces, so a concept's terms are found in a run of Japanese text by the
longest term starting at each character; English terms are found as runs of whole words. Both are
dictionary lookups (a large regular-expression alternation was 100× slower).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tanso.diagnostics import InputError
from tanso.suggest.normalise import normalise

_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]|[a-z]")
_RUNS = re.compile(r"[a-z0-9\- ]+|[^a-z0-9\- ]+")
MAX_WORDS = 4   # an English term has at most this many words
STOPWORDS = frozenset("a an and as at by for from in of on or other per the to with without incl including "
                      "excl n e c nec s".split())


def stem(word: str) -> str:
    """Plural to singular the simple way (services → service, batteries → battery); enough for names."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _plain(word: str) -> str | None:
    """An English word as a word of its own: stemmed; None for a stop word, a letter or punctuation."""
    word = stem(word)
    return word if word not in STOPWORDS and len(word) > 1 and _WORD.fullmatch(word) else None


@dataclass(frozen=True)
class Vocabulary:
    """Terms (normalised) → concept, with the broader concepts a concept also counts as."""

    concepts: dict[str, str]              # normalised term → concept
    broader: dict[str, tuple[str, ...]]   # concept → the broader concepts it also counts as
    longest: int                          # characters of the longest non-English term
    starts: frozenset[str] = frozenset()  # first words of the English terms of several words

    def words(self, text: str) -> dict[str, str]:
        """The words of a normalised text: word or concept → how it was written (a term shows as term=concept)."""
        found: dict[str, str] = {}
        for run in _RUNS.findall(text):
            if run[0].isascii():
                self._english(run.split(), found)
            else:
                self._japanese(run, found)
        return found

    def _add(self, term: str, found: dict[str, str]) -> None:
        concept = self.concepts[term]
        found.setdefault(concept, term if term == concept else f"{term}={concept}")
        for broader in self.broader.get(concept, ()):
            found.setdefault(broader, f"{term}={concept}<{broader}")

    def _english(self, words: list[str], found: dict[str, str]) -> None:
        i = 0
        while i < len(words):
            n = 1
            if words[i] in self.starts:   # the first word of a term of several words: the longest such term
                n = next((n for n in range(min(MAX_WORDS, len(words) - i), 1, -1)
                          if " ".join(words[i:i + n]) in self.concepts), 1)
            term = " ".join(words[i:i + n]) if n > 1 else words[i]
            if term in self.concepts:
                self._add(term, found)
            for word in words[i:i + n]:
                plain = _plain(word)
                if plain:
                    found.setdefault(plain, plain)
            i += n

    def _japanese(self, run: str, found: dict[str, str]) -> None:
        i = 0
        while i < len(run):
            for n in range(min(self.longest, len(run) - i), 0, -1):
                if run[i:i + n] in self.concepts:
                    self._add(run[i:i + n], found)
                    i += n
                    break
            else:
                i += 1


def load(paths: list[Path]) -> Vocabulary:
    """Read the vocabularies' CSVs (concept, term, source, optional broader); a term listed under two
    concepts is refused."""
    concepts: dict[str, str] = {}
    broader: dict[str, set[str]] = {}
    where: dict[str, str] = {}
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"concept", "term", "source"} - set(reader.fieldnames or ())
            if missing:
                raise InputError(f"{path}: a vocabulary has columns concept, term, source; missing "
                                 f"{', '.join(sorted(missing))}")
            for line, row in enumerate(reader, start=2):
                concept, term = normalise(row["concept"]).replace(" ", "_"), normalise(row["term"])
                if not concept or not term or not (row["source"] or "").strip():
                    raise InputError(f"{path}:{line}: concept, term and source are required")
                if concepts.get(term, concept) != concept:
                    raise InputError(f"{path}:{line}: term '{row['term']}' is already a term of concept "
                                     f"'{concepts[term]}' ({where[term]})")
                concepts[term], where[term] = concept, f"{path.name}:{line}"
                concepts.setdefault(concept.replace("_", " "), concept)
                wider = normalise(row.get("broader") or "").replace(" ", "_")
                if wider:
                    broader.setdefault(concept, set()).add(wider)
    longest = max((len(t) for t in concepts if not t[0].isascii()), default=0)
    starts = frozenset(t.split()[0] for t in concepts if t[0].isascii() and " " in t)
    return Vocabulary(concepts, {c: tuple(sorted(b)) for c, b in broader.items()}, longest, starts)
