"""Several PDF files as one: each file's pages, in the order given (the carriers' shipping
labels of many orders printed as one document, one job).

pypdf does the reading and writing (classic and compressed cross-references, object
streams, incremental updates, a damaged cross-reference rebuilt by scanning). Each file is
first copied on its own, so that a file pypdf cannot read whole adds nothing; an encrypted
file, or one that is not a PDF, is refused with `PdfError`.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

# pypdf logs every repair of a damaged file as a warning: the merge reports what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class PdfError(ValueError):
    """A file that cannot be merged: not a PDF, encrypted, damaged beyond repair, no pages."""


def _read(data: bytes) -> PdfReader:
    if b"%PDF-" not in data[:1024]:
        raise PdfError("not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise PdfError(f"a damaged file: {exc}") from None
    if encrypted:
        raise PdfError("the file is encrypted")
    return reader


def _alone(reader: PdfReader) -> tuple[bytes, int]:
    """The file's pages written on their own (every object they use read once), and how
    many: what cannot be read fails here, before anything reaches the merged file."""
    try:
        pages = len(reader.pages)
        if not pages:
            raise PdfError("no pages in the file")
        writer = PdfWriter()
        writer.append(reader)
        out = io.BytesIO()
        writer.write(out)
    except PdfError:
        raise
    except RecursionError:
        raise PdfError("the file's objects are nested too deep") from None
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise PdfError(f"a damaged file: {exc}") from None
    return out.getvalue(), pages


class PdfMerger:
    """Pages of several files, added in turn (`add`), written as one PDF (`to_bytes`)."""

    def __init__(self) -> None:
        self._writer = PdfWriter()
        self.pages = 0

    def add(self, data: bytes) -> int:
        """Every page of a file, after those added before; how many. Nothing of the file
        is added when it cannot be read (`PdfError`)."""
        checked, pages = _alone(_read(data))
        self._writer.append(PdfReader(io.BytesIO(checked)))
        self.pages += pages
        return pages

    def to_bytes(self) -> bytes:
        """The merged file."""
        if not self.pages:
            raise PdfError("no pages to write")
        out = io.BytesIO()
        self._writer.write(out)
        return out.getvalue()


def page_count(data: bytes) -> int:
    """How many pages a PDF file has (`PdfError` when it cannot be read)."""
    return _alone(_read(data))[1]
