"""The house model: a light, multilingual classifier that learns from the desk's own labels.

Pure computation, no database and no Flask: `train` turns labelled texts into a `HouseModel`,
which scores texts, explains a score word by word, and serialises to bytes that hold only
numbers.

Why this shape:
- **Hashed n-grams, no vocabulary.** Word 1–2-grams and character 2–5-grams (within word
  boundaries) are hashed into fixed-size spaces (`HashingVectorizer`), so the stored model
  holds bucket numbers and weights, never a list of readers' words, and it covers every
  language the desk writes in (German compounds and French elisions are caught by the
  character n-grams). A language indicator gives each language its own offset.
- **A linear classifier** (logistic regression): thousands of comments a second on one core,
  trains on 50,000 labels in seconds, and a linear score splits exactly into the
  contributions of the words that made it, which is what the console's "why" shows.
- **Calibrated**: the classes are balanced while fitting (rejections are the minority), and
  the intercept is then shifted back by the log of the training odds (prior correction), so
  a score reads as a probability of rejection rather than of a balanced sample.
- **Threshold**: chosen on held-out predictions to maximise macro F1 (the desk cares about
  both classes), stored with the model.
- **Extra features**: the transformer's scores, when every training row has them, enter as
  logits; a row scored without them gets the training mean.
- **Serialised without pickle** (`numpy.savez` with ``allow_pickle=False``): a row in the
  database must not be able to run code when loaded.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

FORMAT_VERSION = 1
WORD_FEATURES = 2**20
CHAR_FEATURES = 2**20
LANGUAGE_FEATURES = 2**6
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
TOKEN_PATTERN = r"(?u)\b\w+\b"
# Regularisation: chosen by 5-fold cross-validation on the shared datasets' train splits
# (GermEval 2018, MLMA French); see docs/benchmarks.md, "The house model".
C = 3.0

_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_LINE_BREAK_MARK = re.compile(r"\|LBR\|")
_WORD = re.compile(TOKEN_PATTERN)


def normalise(text: str) -> str:
    """What the vectorizers see: NFC, and the names and links that identify nobody's intent.

    A handle or a link says who or where, not how: as tokens they let a model learn that
    one account is rude, which does not carry over to the next comment. GermEval's ``|LBR|``
    line-break marker is a line break.
    """
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAK_MARK.sub(" ", text)
    text = _URL.sub(" url ", text)
    return _MENTION.sub("@user", text)


def _word_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="word",
        ngram_range=WORD_NGRAMS,
        token_pattern=TOKEN_PATTERN,
        n_features=WORD_FEATURES,
        alternate_sign=False,
        norm=None,
        lowercase=True,
    )


def _char_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        n_features=CHAR_FEATURES,
        alternate_sign=False,
        norm=None,
        lowercase=True,
    )


def _language_vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer=lambda language: [f"lang:{language}"], n_features=LANGUAGE_FEATURES, alternate_sign=False, norm=None
    )


_WORDS = _word_vectorizer()
_CHARS = _char_vectorizer()
_LANGUAGES = _language_vectorizer()
_LANGUAGE_BUCKETS: dict[str | None, int] = {}


def _language_bucket(language: str | None) -> int:
    bucket = _LANGUAGE_BUCKETS.get(language)
    if bucket is None:
        bucket = int(_LANGUAGES.transform([language or ""]).indices[0])
        _LANGUAGE_BUCKETS[language] = bucket
    return bucket


def _counts(texts: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    normalised = [normalise(text) for text in texts]
    return _WORDS.transform(normalised).tocsr(), _CHARS.transform(normalised).tocsr()


def _sublinear_weights(counts: sparse.csr_matrix, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each stored count's weight (1 + log(tf), times idf) and the row each belongs to."""
    weights = np.log(counts.data.astype(np.float64))
    weights += 1.0
    weights *= idf[counts.indices]
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    return weights, rows


def _row_norms(weights: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n))
    norms[norms == 0.0] = 1.0
    return norms


def _sublinear_tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """1 + log(tf), times idf, then each row to unit length (as TfidfTransformer(sublinear_tf=True)).

    Scaled in place rather than by multiplying with a diagonal matrix: that product cost
    more than everything else in scoring a comment.
    """
    weights, rows = _sublinear_weights(counts, idf)
    weights /= _row_norms(weights, rows, counts.shape[0])[rows]
    return sparse.csr_matrix((weights, counts.indices, counts.indptr), shape=counts.shape)


def _block_decision(counts: sparse.csr_matrix, idf: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """The rows' tf-idf times these weights, without building the tf-idf matrix (scoring's hot path)."""
    n = counts.shape[0]
    weights, rows = _sublinear_weights(counts, idf)
    return np.bincount(rows, weights=weights * coef[counts.indices], minlength=n) / _row_norms(weights, rows, n)


def _idf(counts: sparse.csr_matrix) -> np.ndarray:
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1.0 + counts.shape[0]) / (1.0 + document_frequency)) + 1.0


def _logit(values: np.ndarray) -> np.ndarray:
    clipped = np.clip(values, 1e-4, 1 - 1e-4)
    return np.log(clipped / (1 - clipped))


@dataclass
class HouseModel:
    """A trained model. `score` gives P(reject); `explain` the words behind a score."""

    word_idf: np.ndarray
    char_idf: np.ndarray
    coef: np.ndarray  # word buckets, then char buckets, then languages, then extras
    intercept: float
    threshold: float
    extra_names: tuple[str, ...] = ()
    extra_means: np.ndarray = field(default_factory=lambda: np.zeros(0))
    languages: tuple[str, ...] = ()

    # -- scoring ---------------------------------------------------------------------------

    def _design(
        self, texts: Sequence[str], languages: Sequence[str | None], extras: Sequence[dict[str, float] | None] | None
    ) -> sparse.csr_matrix:
        word_counts, char_counts = _counts(texts)
        blocks = [
            _sublinear_tfidf(word_counts, self.word_idf),
            _sublinear_tfidf(char_counts, self.char_idf),
            _LANGUAGES.transform([language or "" for language in languages]),
        ]
        if self.extra_names:
            blocks.append(sparse.csr_matrix(self._extras(len(texts), extras)))
        return sparse.hstack(blocks, format="csr")

    def _extras(self, n: int, extras: Sequence[dict[str, float] | None] | None) -> np.ndarray:
        values = np.tile(self.extra_means, (n, 1))
        for row, scores in enumerate(extras or ()):
            for column, name in enumerate(self.extra_names):
                if scores and scores.get(name) is not None:
                    values[row, column] = _logit(np.array([scores[name]]))[0]
        return values

    def decision(
        self,
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
        extras: Sequence[dict[str, float] | None] | None = None,
    ) -> np.ndarray:
        """The log-odds of rejection: ``design @ coef + intercept``, block by block without the design."""
        languages = languages if languages is not None else [None] * len(texts)
        word_counts, char_counts = _counts(texts)
        words_end, chars_end = WORD_FEATURES, WORD_FEATURES + CHAR_FEATURES
        result = _block_decision(word_counts, self.word_idf, self.coef[:words_end])
        result += _block_decision(char_counts, self.char_idf, self.coef[words_end:chars_end])
        language_weights = self.coef[chars_end:chars_end + LANGUAGE_FEATURES]
        result += np.array([language_weights[_language_bucket(language)] for language in languages])
        if self.extra_names:
            result += self._extras(len(texts), extras) @ self.coef[chars_end + LANGUAGE_FEATURES:]
        return result + self.intercept

    def score(
        self,
        texts: Sequence[str],
        languages: Sequence[str | None] | None = None,
        extras: Sequence[dict[str, float] | None] | None = None,
    ) -> np.ndarray:
        """P(reject) for each text, calibrated to the training labels' base rate."""
        return 1.0 / (1.0 + np.exp(-self.decision(texts, languages, extras)))

    # -- why --------------------------------------------------------------------------------

    def explain(self, text: str, language: str | None = None, top: int = 5) -> list[dict]:
        """The words that pushed the score up, strongest first: ``{"word", "weight", "spans"}``.

        The score is linear in its features, so each feature's contribution (weight times
        value) is split among the words that produce it: a word's own unigram and its
        character n-grams go to it; a bigram goes half to each of its two words. Spans are
        character offsets into the text as given, for highlighting.
        """
        row = self._design([text], [language], None)
        contribution = dict(zip(row.indices.tolist(), (row.data * self.coef[row.indices]).tolist()))
        # Handles and links are replaced before scoring (normalise): their words carry nothing.
        hidden = [match.span() for pattern in (_MENTION, _URL) for match in pattern.finditer(text)]
        words: dict[str, list[tuple[int, int]]] = {}
        for match in _WORD.finditer(text):
            if any(start <= match.start() < end for start, end in hidden):
                continue
            words.setdefault(match.group().lower(), []).append(match.span())
        if not words:
            return []
        vocabulary = list(words)
        # Which features each distinct word produces, and how many words share each feature.
        word_hits = _WORDS.transform(vocabulary).tocsr()
        char_hits = _CHARS.transform(vocabulary).tocsr()
        owners: dict[int, int] = {}
        produced: list[set[int]] = []
        for position in range(len(vocabulary)):
            features = set(word_hits.indices[word_hits.indptr[position] : word_hits.indptr[position + 1]].tolist())
            features |= {
                WORD_FEATURES + index
                for index in char_hits.indices[char_hits.indptr[position] : char_hits.indptr[position + 1]].tolist()
            }
            produced.append(features)
            for feature in features:
                owners[feature] = owners.get(feature, 0) + 1
        weights = {word: 0.0 for word in vocabulary}
        for word, features in zip(vocabulary, produced):
            weights[word] += sum(contribution.get(feature, 0.0) / owners[feature] for feature in features)
        tokens = [match.group().lower() for match in _WORD.finditer(normalise(text))]
        for first, second in zip(tokens, tokens[1:]):
            bigram = _WORDS.transform([f"{first} {second}"]).tocsr()
            for feature in bigram.indices.tolist():
                if feature in owners:
                    continue  # a unigram's bucket, already counted
                share = contribution.get(feature, 0.0) / 2
                for word in (first, second):
                    if word in weights:
                        weights[word] += share
        ranked = sorted(((weight, word) for word, weight in weights.items() if weight > 0), reverse=True)[:top]
        return [{"word": word, "weight": round(weight, 4), "spans": words[word]} for weight, word in ranked]

    # -- storage ----------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        word_buckets = np.flatnonzero(self.word_idf != self.word_idf.max())
        char_buckets = np.flatnonzero(self.char_idf != self.char_idf.max())
        weights = np.flatnonzero(self.coef)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format_version=np.array([FORMAT_VERSION]),
            word_idf_default=np.array([self.word_idf.max()]),
            word_buckets=word_buckets.astype(np.int32),
            word_idf=self.word_idf[word_buckets],
            char_idf_default=np.array([self.char_idf.max()]),
            char_buckets=char_buckets.astype(np.int32),
            char_idf=self.char_idf[char_buckets],
            coef_size=np.array([self.coef.size]),
            coef_index=weights.astype(np.int32),
            coef=self.coef[weights],
            intercept=np.array([self.intercept]),
            threshold=np.array([self.threshold]),
            extra_names=np.array(self.extra_names, dtype=np.str_),
            extra_means=self.extra_means,
            languages=np.array(self.languages, dtype=np.str_),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "HouseModel":
        stored = np.load(io.BytesIO(data), allow_pickle=False)
        if int(stored["format_version"][0]) != FORMAT_VERSION:
            raise ValueError(f"house model format {int(stored['format_version'][0])} is not {FORMAT_VERSION}")
        word_idf = np.full(WORD_FEATURES, float(stored["word_idf_default"][0]))
        word_idf[stored["word_buckets"]] = stored["word_idf"]
        char_idf = np.full(CHAR_FEATURES, float(stored["char_idf_default"][0]))
        char_idf[stored["char_buckets"]] = stored["char_idf"]
        coef = np.zeros(int(stored["coef_size"][0]))
        coef[stored["coef_index"]] = stored["coef"]
        return cls(
            word_idf=word_idf,
            char_idf=char_idf,
            coef=coef,
            intercept=float(stored["intercept"][0]),
            threshold=float(stored["threshold"][0]),
            extra_names=tuple(stored["extra_names"].tolist()),
            extra_means=stored["extra_means"],
            languages=tuple(stored["languages"].tolist()),
        )


def best_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The score cut with the highest macro F1 on these labels (0.5 when they hold one class).

    Every distinct score is a candidate cut ("reject when score >= cut"); the counts at each
    come from one sort and cumulative sums, so this stays fast on a large held-out slice.
    """
    labels = np.asarray(labels, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return 0.5
    order = np.argsort(-scores, kind="stable")
    ordered_scores, ordered_labels = scores[order], labels[order]
    # The last index of each run of equal scores: a cut takes all of them or none.
    ends = np.flatnonzero(np.r_[ordered_scores[1:] != ordered_scores[:-1], True])
    true_positives = np.cumsum(ordered_labels)[ends]
    flagged = ends + 1
    false_positives = flagged - true_positives
    false_negatives = positives - true_positives
    true_negatives = negatives - false_positives
    f1_reject = 2 * true_positives / np.maximum(1, 2 * true_positives + false_positives + false_negatives)
    f1_keep = 2 * true_negatives / np.maximum(1, 2 * true_negatives + false_negatives + false_positives)
    best = int(np.argmax((f1_reject + f1_keep) / 2))
    cut = float(ordered_scores[ends[best]])
    if ends[best] + 1 < len(ordered_scores):
        # Midway to the next lower score: any cut in between decides these rows alike, and the
        # middle leaves new texts the most room on both sides.
        cut = (cut + float(ordered_scores[ends[best] + 1])) / 2
    return cut


def train(
    texts: Sequence[str],
    labels: Sequence[int],
    languages: Sequence[str | None] | None = None,
    extras: Sequence[dict[str, float] | None] | None = None,
    threshold: float | None = None,
    threshold_from: tuple[Sequence[str], Sequence[int], Sequence[str | None]] | None = None,
) -> HouseModel:
    """Fit a model on these labels (1 = reject).

    The threshold is `threshold` when given, else the macro-F1 best cut on `threshold_from`
    (texts, labels, languages held out from the fit), else the one on 3-fold out-of-fold
    predictions of the training rows.
    """
    labels = np.asarray(labels, dtype=np.int64)
    if len(set(labels.tolist())) < 2:
        raise ValueError("training needs labels of both classes (some rejected, some not)")
    languages = list(languages) if languages is not None else [None] * len(texts)
    word_counts, char_counts = _counts(texts)
    extra_names: tuple[str, ...] = ()
    extra_means = np.zeros(0)
    if extras is not None and len(extras) == len(texts) and all(extras):
        shared = set.intersection(*(set(k for k, v in row.items() if v is not None) for row in extras))
        extra_names = tuple(sorted(shared))
        if extra_names:
            values = _logit(np.array([[row[name] for name in extra_names] for row in extras], dtype=np.float64))
            extra_means = values.mean(axis=0)
    model = HouseModel(
        word_idf=_idf(word_counts),
        char_idf=_idf(char_counts),
        coef=np.zeros(0),
        intercept=0.0,
        threshold=0.5,
        extra_names=extra_names,
        extra_means=extra_means,
        languages=tuple(sorted({language for language in languages if language})),
    )
    design = model._design(texts, languages, extras if extra_names else None)
    _fit(model, design, labels)
    if threshold is not None:
        model.threshold = threshold
    elif threshold_from is not None and len(set(np.asarray(threshold_from[1]).tolist())) == 2:
        held_texts, held_labels, held_languages = threshold_from
        model.threshold = best_threshold(np.asarray(held_labels), model.score(held_texts, held_languages))
    else:
        model.threshold = _out_of_fold_threshold(design, labels)
    return model


def _fit(model: HouseModel, design: sparse.csr_matrix, labels: np.ndarray) -> None:
    # Only the buckets the training rows use can get a weight: fitting on those columns alone
    # gives the same solution and spares the solver two million empty columns.
    used = np.unique(design.indices)
    compact = design[:, used]
    classifier = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000)
    classifier.fit(compact, labels)
    positives = float(labels.mean())
    model.coef = np.zeros(design.shape[1])
    model.coef[used] = classifier.coef_.ravel()
    # Balanced class weights fit log-odds as if both classes were equally common; adding the
    # log of the real odds puts the probabilities back on the labels' own base rate.
    model.intercept = float(classifier.intercept_[0]) + math.log(positives / (1.0 - positives))


def _out_of_fold_threshold(design: sparse.csr_matrix, labels: np.ndarray, folds: int = 3) -> float:
    if min(np.bincount(labels)) < folds:
        return 0.5
    from sklearn.model_selection import StratifiedKFold

    predictions = np.zeros(len(labels))
    for fit_rows, held_rows in StratifiedKFold(folds, shuffle=True, random_state=0).split(design, labels):
        fold = HouseModel(word_idf=np.zeros(0), char_idf=np.zeros(0), coef=np.zeros(0), intercept=0.0, threshold=0.5)
        _fit(fold, design[fit_rows], labels[fit_rows])
        predictions[held_rows] = 1.0 / (1.0 + np.exp(-(design[held_rows] @ fold.coef + fold.intercept)))
    return best_threshold(labels, predictions)
