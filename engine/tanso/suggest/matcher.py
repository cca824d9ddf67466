"""Ranking candidates for many texts at once: character n-gram TF-IDF (reads Japanese without a
tokenizer, forgives spelling), plus word and concept TF-IDF (synonyms across languages), then the
unit check. All texts are scored in a few sparse matrix products; nothing is looped per text but
the reasons of the few suggestions kept.

A text is compared with each candidate's name (its key and descriptive values) and, less, with its
set's title (NAME_WEIGHT : TITLE_WEIGHT), each by characters and by words (CHAR_WEIGHT : WORD_WEIGHT),
as cosine similarities, so a score is in [0, 1]; the weights were chosen on the labelled set of
benchmarks/suggest.py. A factor whose `per` unit is another currency is demoted by
OTHER_CURRENCY (spend converts through exchange rates), and one the row's unit cannot convert to is
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from tanso.plan.units import UnitProblem, conversion_factor, is_currency
from tanso.suggest.catalogue import Candidate
from tanso.suggest.normalise import normalise, without_quantities
from tanso.suggest.vocabulary import Vocabulary

CHAR_WEIGHT, WORD_WEIGHT = 0.5, 0.5
NAME_WEIGHT, TITLE_WEIGHT = 0.8, 0.2
COVERAGE = 0.5     # of the name's word score: the share of the text's words it has (the rest: cosine)
OTHER_CURRENCY = 0.6
MIN_SCORE = 0.08   # below it, a candidate sharing no word with the text (only a few characters) is not suggested
SPELLING = "similar spelling only"
CHUNK = 4096    # texts scored per dense block: bounds memory at CHUNK × candidates floats


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    score: float
    reason: str


@lru_cache(maxsize=4096)
def unit_fit(row_unit: str | None, per: str) -> tuple[float, str]:
    """(multiplier, reason) for a row in `row_unit` and a factor per `per`: 0 drops the factor."""
    if not row_unit:
        return 1.0, "row unit not known"
    if row_unit == per:
        return 1.0, f"unit {per}"
    if is_currency(row_unit) and is_currency(per):
        return OTHER_CURRENCY, f"spend in {row_unit}, factor per {per} (needs exchange rates)"
    try:
        factor = conversion_factor(row_unit, per)
    except UnitProblem:
        return 0.0, ""
    return 1.0, f"unit {row_unit} → {per} (× {factor.normalize():f})" if factor != Decimal(1) else f"unit {per}"


class Matcher:
    """The candidates of a ruleset, indexed once; `suggest` ranks them for many texts."""

    def __init__(self, candidates: list[Candidate], vocabulary: Vocabulary):
        self.candidates, self.vocabulary = candidates, vocabulary
        names, titles = [normalise(c.name) for c in candidates], [normalise(c.title) for c in candidates]
        name_words, title_words = [vocabulary.words(t) for t in names], [vocabulary.words(t) for t in titles]
        self.candidate_words = [{**t, **n} for n, t in zip(name_words, title_words)]
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)
        self.words = TfidfVectorizer(analyzer=list, sublinear_tf=True, dtype=np.float32)
        self.chars.fit(names + titles)
        self.words.fit([list(w) for w in name_words + title_words])
        # candidate columns of (chars, words) × (name, title), weighted, side by side: one product per block
        self.matrix = sparse.vstack([
            (NAME_WEIGHT * CHAR_WEIGHT) * self.chars.transform(names).T,
            (TITLE_WEIGHT * CHAR_WEIGHT) * self.chars.transform(titles).T,
            (NAME_WEIGHT * WORD_WEIGHT) * self.words.transform([list(w) for w in name_words]).T,
            (TITLE_WEIGHT * WORD_WEIGHT) * self.words.transform([list(w) for w in title_words]).T,
            # coverage: the share of the text's words (by weight) the name has, however long the name
            (NAME_WEIGHT * WORD_WEIGHT * COVERAGE) * (self.words.transform([list(w) for w in name_words]) > 0).T,
        ]).tocsr()
        self.pers = [c.per for c in candidates]

    def _unit_weights(self, unit: str | None) -> tuple[np.ndarray, list[str]]:
        fits = [unit_fit(unit, per) for per in self.pers]
        return np.array([f for f, _ in fits], dtype=np.float32), [r for _, r in fits]

    def suggest(self, texts: list[str], units: list[str | None], top: int = 3) -> list[list[Suggestion]]:
        """The `top` best candidates for each text (highest score first; ties by label), each with its reason.
        Texts that read the same once normalised and stripped of quantities ("鋼材 1月分", "鋼材 2月分") in
        the same unit are scored once."""
        keys = [(without_quantities(normalise(t)), u) for t, u in zip(texts, units)]
        distinct = list(dict.fromkeys(keys))
        ranked = dict(zip(distinct, self._rank([t for t, _ in distinct], [u for _, u in distinct], top)))
        return [ranked[k] for k in keys]

    def _rank(self, normalised: list[str], units: list[str | None], top: int) -> list[list[Suggestion]]:
        words = [self.vocabulary.words(t) for t in normalised]
        weights = {u: self._unit_weights(u) for u in dict.fromkeys(units)}
        results: list[list[Suggestion]] = []
        for start in range(0, len(normalised), CHUNK):
            end = min(start + CHUNK, len(normalised))
            chars = self.chars.transform(normalised[start:end])
            word = self.words.transform([list(w) for w in words[start:end]])
            share = sparse.diags(1 / np.maximum(np.asarray(word.sum(axis=1)).ravel(), 1e-9)) @ word
            scores = (sparse.hstack([chars, chars, (1 - COVERAGE) * word, word, share]).tocsr() @ self.matrix).toarray()
            scores *= np.stack([weights[u][0] for u in units[start:end]])
            keep = min(top, scores.shape[1])
            best = np.argpartition(-scores, keep - 1, axis=1)[:, :keep] if keep else np.zeros((end - start, 0), int)
            for offset, row in enumerate(best):
                i = start + offset
                ranked = sorted((j for j in row if scores[offset, j] > 0),
                                key=lambda j: (-round(float(scores[offset, j]), 4), self.candidates[j].label))
                found = [self._suggestion(j, float(scores[offset, j]), words[i], weights[units[i]][1][j]) for j in ranked]
                results.append([s for s in found if s.score >= MIN_SCORE or not s.reason.startswith(SPELLING)])
        return results

    def _suggestion(self, j: int, score: float, words: dict[str, str], unit_reason: str) -> Suggestion:
        candidate = self.candidates[j]
        shared = list(dict.fromkeys(written.split("<")[0] for word, written in words.items()
                                    if word in self.candidate_words[j]))
        said = f"words: {', '.join(shared)}" if shared else SPELLING
        return Suggestion(candidate, round(score, 4), f"{said}; {unit_reason}; set {candidate.factor_set}")
