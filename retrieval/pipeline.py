"""One question's way through a snapshot of the index, stage by stage: read it (and rewrite
a follow-up), search, re-rank, compose. The engine runs the stages in a row; the benchmark
times each of them, so both go through this one module."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .answer.about import about_article
from .answer.answerability import AnswerabilityModel
from .answer.compose import Candidate, compose, overview, relevant_alone, sentence_candidates
from .answer.rerank import rerank
from .answer.tuning import Tuning
from .core.types import Answer, Hit
from .index.fusion import MULTILINGUAL, FusedEmbedder
from .question.analysis import Analysis, analyse
from .question.conversation import Turn
from .question.focus import WordVectors
from .question.followup import Rewrite, rewrite
from .question.overview import OverviewRecognizer
from .snapshot import Snapshot
from .text.language import crosses, english


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The parts every answer uses, fixed for the engine's lifetime."""

    tuning: Tuning
    words: WordVectors
    model: AnswerabilityModel
    top_k: int
    overview: OverviewRecognizer
    embedder: FusedEmbedder

    def answer_all(
        self,
        snapshot: Snapshot,
        questions: Sequence[str],
        histories: Sequence[Sequence[Turn]],
        article_id: str | None,
        is_word: Callable[[str], bool],
    ) -> list[Answer]:
        """Each question read, embedded (in one call of each model) and answered from the
        library, or from one article of it."""
        rows = snapshot.article_rows(article_id)
        read = [
            self.read(q, h, snapshot, is_word) for q, h in zip(questions, histories, strict=True)
        ]
        analyses = [analysis for analysis, _ in read]
        focus = list(dict.fromkeys(w for a in analyses for w in a.focus))
        if focus:  # the focus words not seen before, in one call of the words' model
            self.words.of(focus)
        # Over an article in another language an English question is weighed as any other
        # language's: MiniLM's cosines of a Russian passage say nothing. Whether it asks for
        # an overview is still judged as it was fitted, weighed by its own language.
        texts, languages = [a.searched for a in analyses], [a.language for a in analyses]
        if snapshot.in_english(article_id):
            vectors = own = self.embedder.encode_queries(texts, languages)
        else:
            vectors, own = self.embedder.encode_queries_as(
                texts, [[MULTILINGUAL] * len(texts), languages]
            )
        return [
            self.answer(snapshot, a, f, v, rows, as_read=o)
            for (a, f), v, o in zip(read, vectors, own, strict=True)
        ]

    def read(
        self,
        question: str,
        history: Sequence[Turn],
        snapshot: Snapshot,
        is_word: Callable[[str], bool],
    ) -> tuple[Analysis, Rewrite]:
        """The analysis of the question, or of its standalone rewrite when it is a follow-up."""
        analysis = analyse(question, snapshot.names, is_word)
        if not history or not english(analysis.language):
            return analysis, Rewrite(analysis.searched)
        followup = rewrite(analysis.searched, history, snapshot.entities)
        if followup.query == analysis.searched:
            return analysis, followup
        again = analyse(followup.query, snapshot.names, is_word)
        corrections = (*analysis.corrections, *again.corrections)
        return replace(again, question=question, corrections=corrections), followup

    def answer(
        self,
        snapshot: Snapshot,
        analysis: Analysis,
        followup: Rewrite,
        vector: np.ndarray,
        rows: range | None = None,
        as_read: np.ndarray | None = None,
    ) -> Answer:
        """The answer to a question already read and embedded (``vector``, as it is searched;
        ``as_read``, weighed by its own language, when that differs), from the passages of
        ``rows`` (one article) or of the whole library."""
        asked = self.overview.request(vector if as_read is None else as_read)
        if asked == "overview":
            lead = snapshot.stored.passages[rows.start if rows else 0]
            return overview(analysis.question, lead, analysis.language)
        if asked is not None:  # of the article searched, or (as an overview) the first one
            return about_article(analysis, asked, snapshot.article_at(rows))
        shortlist = self.rerank(analysis, self.search(snapshot, analysis, vector, rows))
        shortlist = self.across_languages(snapshot, analysis, shortlist)
        return self.compose(snapshot, analysis, followup, vector, shortlist)

    def search(
        self, snapshot: Snapshot, analysis: Analysis, vector: np.ndarray, rows: range | None
    ) -> list[Hit]:
        """The hybrid search's shortlist."""
        return snapshot.searcher.search(
            vector,
            analysis.searched,
            max(self.tuning.rerank_pool, self.top_k),
            rows,
            analysis.language,
        )

    def rerank(self, analysis: Analysis, shortlist: Sequence[Hit]) -> list[Hit]:
        """The whole shortlist re-ranked by soft word overlap: in a library, the runner-up of
        the top passage's own article (its margin) may rank below passages cited from other
        articles."""
        tuning = self.tuning
        return rerank(
            shortlist,
            analysis.asked,
            self.words,
            len(shortlist),
            tuning.rerank_weight,
            tuning.answer.word_floor,
        )

    def across_languages(
        self, snapshot: Snapshot, analysis: Analysis, shortlist: Sequence[Hit]
    ) -> list[Hit]:
        """The shortlist with its best passages in another language than the question's
        re-ranked by e5's latent terms: the evidence of shared words that BM25 and the word
        re-ranking cannot give across languages. Each gains its latent similarity less the
        mean of those crossing, so that a passage in the question's own language keeps its
        footing beside them."""
        latent, weight = self.embedder.latent, self.tuning.latent_weight
        if latent is None or not weight:
            return list(shortlist)
        crossing = [
            h
            for h in shortlist[: self.top_k]
            if crosses(analysis.language, snapshot.language_of(h.passage.article_id))
        ]
        if len(crossing) < 2:
            return list(shortlist)
        query = latent.query(analysis.searched)
        pooled = np.array(
            [
                latent.pooled_similarity(query, [s.text for s in h.passage.sentences])
                for h in crossing
            ]
        )
        relative = weight * (pooled - pooled.mean())
        bonus = {h.passage.id: float(b) for h, b in zip(crossing, relative, strict=True)}
        reranked = [replace(h, score=h.score + bonus.get(h.passage.id, 0.0)) for h in shortlist]
        return sorted(reranked, key=lambda h: h.score, reverse=True)

    def compose(
        self,
        snapshot: Snapshot,
        analysis: Analysis,
        followup: Rewrite,
        vector: np.ndarray,
        shortlist: Sequence[Hit],
    ) -> Answer:
        """The quote, its citations and its outcome, from the re-ranked shortlist."""
        ranked = list(shortlist[: self.top_k])
        sentence_vector = snapshot.searcher.sentence_vectors_of(ranked)
        read = analysis  # as read, before it is completed against one article
        weighed: list[Hit] = []
        if ranked:
            analysis, weighed = self._weighed(snapshot, read, shortlist, ranked[0])

        def alone(hit: Hit) -> bool:
            """Would the hit's own article be relevant, were the hit its best passage?"""
            judged, own = self._weighed(snapshot, read, shortlist, hit)
            return relevant_alone(
                judged,
                vector,
                hit,
                own,
                sentence_vector,
                self.tuning.answer,
                self.words,
                self.model,
                snapshot.names.written_as_name,
            )

        return compose(
            analysis,
            vector,
            ranked,
            sentence_vector,
            self.tuning.answer,
            self.words,
            self.model,
            avoid=followup.avoid,
            weighed=weighed,
            known_name=snapshot.names.written_as_name,
            earns_place=alone,
        )

    def candidates(
        self, snapshot: Snapshot, analysis: Analysis, vector: np.ndarray, shortlist: Sequence[Hit]
    ) -> list[Candidate]:
        """The candidate quotes that :meth:`compose` chooses from, with what their scores
        weigh: the sentence scorer's fitting script reads them."""
        shortlist = self.across_languages(snapshot, analysis, shortlist)
        ranked = shortlist[: self.top_k]
        if not ranked:
            return []
        analysis, _ = self._weighed(snapshot, analysis, shortlist, ranked[0])
        return sentence_candidates(
            analysis,
            vector,
            ranked,
            snapshot.searcher.sentence_vectors_of(ranked),
            self.words,
            self.tuning.answer,
            snapshot.names.written_as_name,
        )

    def _weighed(
        self, snapshot: Snapshot, analysis: Analysis, shortlist: Sequence[Hit], top: Hit
    ) -> tuple[Analysis, list[Hit]]:
        """The analysis completed against the article of ``top`` (its language, the focus
        words it never uses), and that article's hits, scored as the model weighs them."""
        searcher = snapshot.searcher
        article_id = top.passage.article_id
        article = snapshot.rows[article_id]
        written_in = snapshot.language_of(article_id)
        analysis = replace(
            analysis,
            cross_lingual=crosses(analysis.language, written_in),
            foreign_article=not english(written_in),
        )
        if english(written_in):
            unfamiliar = searcher.lexical.unused(analysis.focus, article)
            analysis = replace(analysis, unfamiliar=unfamiliar)
        else:  # the English rules read English words: an article in another language
            # shares none with an English question, as an English article none with a
            # Russian one, whose analysis holds no words to match either
            analysis = replace(
                analysis, unknown_names=(), focus=(), wanted=None, names=(), asked=()
            )
        own = searcher.within_article(shortlist, analysis.searched, article, analysis.language)
        return analysis, own
