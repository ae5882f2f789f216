"""The engine's exceptions: one base class, names that say what happened."""


class RetrievalError(Exception):
    """Base class for every error the engine raises on purpose."""


class ArticleNotFound(RetrievalError):
    """The article file does not exist or cannot be read."""


class ArticleEmpty(RetrievalError):
    """The article holds no text to index."""


class IndexCorrupt(RetrievalError):
    """The index folder exists but its files cannot be read back."""


class IndexStale(RetrievalError):
    """The index was built for another model, dimension or source text."""


class IndexUnavailable(RetrievalError):
    """The index folder cannot be created, read or written."""


class VectorStoreUnavailable(RetrievalError):
    """The vector store (a Qdrant server, or local mode's folder) can't be reached or refuses
    access; answers fail until it is back, and the process stays up."""


class VectorStoreMismatch(IndexStale):
    """The vector store's collection holds vectors of another model, layout or dimension."""


class CollectionMissing(IndexCorrupt):
    """The vector store has no alias or collection where the index folder expects one."""


class ModelNotFound(RetrievalError):
    """The embedding model cannot be loaded from the name or path given."""


class InvalidQuestion(RetrievalError):
    """The question is empty or too long to answer."""


class QuestionTooLong(InvalidQuestion):
    """The question is longer than the limit: ``length`` and ``limit`` say by how much."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"the question is {length} characters long; the limit is {limit}")
        self.length = length
        self.limit = limit


class SanityCheckFailed(RetrievalError):
    """A freshly built index failed to find its own passages."""


class RebuildCancelled(RetrievalError):
    """A rebuild was abandoned on request (the bot is shutting down); nothing was published."""


class ReindexInProgress(RetrievalError):
    """A rebuild was asked for while another one is still running."""


class ModelFileInvalid(RetrievalError):
    """The answerability model's coefficients file is missing or malformed."""


class DocumentRejected(RetrievalError):
    """An uploaded document or a link cannot become an article (base of the intake errors)."""


class UnsupportedDocumentType(DocumentRejected):
    """The document is not plain text, Markdown, HTML or PDF."""


class DocumentEmpty(DocumentRejected):
    """The document holds no text at all."""


class DocumentUnreadable(DocumentRejected):
    """The document is damaged, encrypted or not text in a known encoding."""


class PdfWithoutText(DocumentRejected):
    """The PDF has no text layer (a scan, for instance), so there is nothing to read."""


class HtmlWithoutArticle(DocumentRejected):
    """The web page has no article text in it, only navigation or other site chrome."""


class DocumentTooLarge(DocumentRejected):
    """The document is larger than the limit allows."""


class UrlRefused(DocumentRejected):
    """The link is not http(s), or its host resolves to an address the bot must not fetch."""


class FetchFailed(DocumentRejected):
    """The link could not be downloaded (connection refused, bad status, broken response)."""


class FetchTimeout(FetchFailed):
    """The server behind the link took too long to answer."""


class TooManyRedirects(FetchFailed):
    """The link redirects more often than allowed."""


class ArticleUnknown(RetrievalError):
    """No article of the library has the id given."""


class NothingToRollBack(RetrievalError):
    """A rollback was asked for but no earlier version of the library is kept."""


class LibraryUnavailable(RetrievalError):
    """The library folder cannot be read or written."""


class OnnxUnavailable(RetrievalError):
    """This model or machine can't use the ONNX backend (the caller falls back to torch)."""
