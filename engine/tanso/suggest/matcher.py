"""Ranking candidates for many texts at once: character n-gram TF-IDF (reads Japanese without a
tokenizer, forgives spelling), plus word and concept TF-IDF (synonyms across languages). Texts are
grouped by unit and each group is scored against the candidates its unit converts to only, in a few
matrix products; nothing is looped per text but the reasons of the few suggestions kept.

A text is compared with each candidate's name (its key and descriptive values) and, less, with its
set's title (NAME_WEIGHT : TITLE_WEIGHT), by characters and by words (CHAR_WEIGHT : WORD_WEIGHT), so
a score is in [0, 1]. The weights were set by hand and checked on the labelled set of
benchmarks/suggest.py (not fitted to it). A factor whose `per` unit is another currency is demoted
by OTHER_CURRENCY (spend converts through exchange rates); one the row's unit cannot convert to is
never suggested; one that shares no word with the text only above SPELLING_FLOOR.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from tanso.plan.units import UnitProblem, conversion_factor, is_currency
from tanso.suggest.catalogue import Candidate
from tanso.suggest.normalise import normalise, without_quantities
from tanso.suggest.vocabulary import Vocabulary

CHAR_WEIGHT, WORD_WEIGHT = 0.5, 0.5
NAME_WEIGHT, TITLE_WEIGHT = 0.8, 0.2
COVERAGE = 0.5     # of the name's word score: the share of the text's words it has (the rest: cosine)
OTHER_CURRENCY = 0.6
# A candidate sharing no word or concept with the text rests on spelling alone, and spelling is evidence only
# when the text reads as a variant of the name ("gasolne", "ガソリソ"): at least half of the text's character
# n-grams, by weight, in the name (cosine ≥ 0.5). Below that it is a few characters in common (給与 and
# 供給 share 給), which the labelled set shows is almost never the right factor: not suggested.
SPELLING_FLOOR = CHAR_WEIGHT * NAME_WEIGHT * 0.5
SPELLING = "similar spelling only"
CHUNK = 4096    # texts scored per dense block: bounds memory at CHUNK × candidates floats


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    score: float
    shared: AbstractSet[str]   # the words (and concepts) of the text the candidate has
    written: dict[str, str]    # the text's words as it wrote them (a synonym as term=concept)
    unit: str                  # the unit check, said

    @property
    def reason(self) -> str:
        """Why: the words shared (in the text's order), the unit check and the factor set. Said on demand:
        most suggestions of a large run are never read."""
        words = dict.fromkeys(w.split("<")[0] for word, w in self.written.items() if word in self.shared)
        said = f"words: {', '.join(words)}" if words else SPELLING
        return f"{said}; {self.unit}; set {self.candidate.factor_set}"


@lru_cache(maxsize=4096)
def unit_fit(row_unit: str | None, per: str) -> tuple[float, str]:
    """(multiplier, reason) for a row in `row_unit` and a factor per `per`: 0 drops the factor."""
    if not row_unit:
        return 1.0, "row unit not known"
    if row_unit == per:
        return 1.0, f"unit {per}"
    try:
        factor = conversion_factor(row_unit, per)
    except UnitProblem:
        if is_currency(row_unit) and is_currency(per):
            return OTHER_CURRENCY, f"spend in {row_unit}, factor per {per} (needs exchange rates)"
        return 0.0, ""
    return 1.0, f"unit {row_unit} → {per} (× {factor:.6g})" if factor != Decimal(1) else f"unit {per}"


class Matcher:
    """The candidates of a ruleset, indexed once; `suggest` ranks them for many texts."""

    def __init__(self, candidates: list[Candidate], vocabulary: Vocabulary):
        self.candidates, self.vocabulary = candidates, vocabulary
        names, titles = [normalise(c.name) for c in candidates], [normalise(c.title) for c in candidates]
        name_words, title_words = [vocabulary.words(t) for t in names], [vocabulary.words(t) for t in titles]
        self.candidate_words = [frozenset({**t, **n}) for n, t in zip(name_words, title_words)]
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)
        self.words = TfidfVectorizer(analyzer=list, sublinear_tf=True, dtype=np.float32)
        self.chars.fit(names + titles)
        self.words.fit([list(w) for w in name_words + title_words])
        self._grams, self._gram_cache = self.chars.build_analyzer(), {}
        names_by_word = self.words.transform([list(w) for w in name_words])
        # Rows: the character n-grams, the words (cosine), the words again (coverage: the share of the text's
        # words, by weight, that the name has, however long the name). Columns: the candidates. Name and
        # title share the rows, weighted. Dense: a text's sparse row times it is one fast product.
        self.matrix = np.vstack([
            (NAME_WEIGHT * CHAR_WEIGHT * self.chars.transform(names)
             + TITLE_WEIGHT * CHAR_WEIGHT * self.chars.transform(titles)).T.toarray(),
            (NAME_WEIGHT * WORD_WEIGHT * (1 - COVERAGE) * names_by_word
             + TITLE_WEIGHT * WORD_WEIGHT * self.words.transform([list(w) for w in title_words])).T.toarray(),
            (NAME_WEIGHT * WORD_WEIGHT * COVERAGE * (names_by_word > 0)).T.toarray()]).astype(np.float32)
        self.pers = [c.per for c in candidates]
        self._label_rank = np.argsort(np.argsort([c.label for c in candidates], kind="stable"))
        self._units: dict[str | None, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self._unit_matrix: dict[str | None, np.ndarray] = {}

    def _word_grams(self, word: str) -> tuple[int, ...]:
        """The known character n-grams of one word (char_wb pads and counts each word on its own), cached."""
        grams = self._gram_cache.get(word)
        if grams is None:
            vocabulary = self.chars.vocabulary_
            grams = self._gram_cache[word] = tuple(vocabulary[g] for g in self._grams(word) if g in vocabulary)
        return grams

    def _char_rows(self, texts: list[str]) -> sparse.csr_matrix:
        """`self.chars.transform(texts)`, the same numbers, from the n-grams of each distinct word once."""
        columns: list[int] = []
        indptr = [0]
        for text in texts:
            for word in text.split():
                columns.extend(self._word_grams(word))
            indptr.append(len(columns))
        matrix = sparse.csr_matrix((np.ones(len(columns), dtype=np.float32), np.asarray(columns, dtype=np.int64),
                                    np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(self.chars.vocabulary_)))
        matrix.sum_duplicates()
        matrix.data = (1 + np.log(matrix.data)) * self.chars.idf_[matrix.indices].astype(np.float32)
        return normalize(matrix)

    def _fitting(self, unit: str | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """For rows in `unit`: the candidates it converts to (their columns), their weights, and each
        candidate's unit reason; cached per unit."""
        if unit not in self._units:
            fits = [unit_fit(unit, per) for per in self.pers]
            columns = np.array([j for j, (f, _) in enumerate(fits) if f > 0], dtype=np.int64)
            weights = np.array([fits[j][0] for j in columns], dtype=np.float32)
            self._units[unit] = (columns, weights, [r for _, r in fits])
        return self._units[unit]

    def suggest(self, texts: list[str], units: list[str | None], top: int = 3) -> list[list[Suggestion]]:
        """The `top` best candidates for each text (highest score first; ties by label), each with its reason.
        Texts that read the same once normalised and stripped of quantities ("鋼材 1月分", "鋼材 2月分") in
        the same unit are scored once."""
        keys = [(without_quantities(normalise(t)), u) for t, u in zip(texts, units)]
        distinct = list(dict.fromkeys(keys))
        ranked = dict(zip(distinct, self._rank([t for t, _ in distinct], [u for _, u in distinct], top)))
        return [ranked[k] for k in keys]

    def _rank(self, normalised: list[str], units: list[str | None], top: int) -> list[list[Suggestion]]:
        """Texts grouped by unit, each group scored against the candidates its unit converts to only."""
        words = [self.vocabulary.words(t) for t in normalised]
        results: list[list[Suggestion]] = [[] for _ in normalised]
        groups: dict[str | None, list[int]] = {}
        for i, unit in enumerate(units):
            groups.setdefault(unit, []).append(i)
        for unit, members in groups.items():
            columns, weights, reasons = self._fitting(unit)
            if not len(columns):
                continue
            matrix = self._unit_matrix.get(unit)
            if matrix is None:
                matrix = self._unit_matrix[unit] = np.ascontiguousarray(self.matrix[:, columns] * weights)
            for start in range(0, len(members), CHUNK):
                chunk = members[start:start + CHUNK]
                chars = self._char_rows([normalised[i] for i in chunk])
                word = self.words.transform([list(words[i]) for i in chunk])
                share = sparse.diags(1 / np.maximum(np.asarray(word.sum(axis=1)).ravel(), 1e-9)) @ word
                scores = sparse.hstack([chars, word, share]).tocsr() @ matrix
                keep = min(top, scores.shape[1])
                best = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
                best_scores = np.round(np.take_along_axis(scores, best, axis=1), 4)
                # highest score first, ties by the candidates' labels
                order = np.lexsort((self._label_rank[columns[best]], -best_scores), axis=1)
                best, best_scores = np.take_along_axis(best, order, axis=1), np.take_along_axis(best_scores, order, axis=1)
                for offset, i in enumerate(chunk):
                    found = [Suggestion(self.candidates[j], float(score), words[i].keys() & self.candidate_words[j],
                                        words[i], reasons[j])
                             for j, score in zip(columns[best[offset]], best_scores[offset]) if score > 0]
                    results[i] = [s for s in found if s.shared or s.score >= SPELLING_FLOOR]
        return results
