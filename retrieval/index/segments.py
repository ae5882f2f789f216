"""A matrix of float rows kept as segments, each an ``.npy`` file of the build folder.

A library grows by appending: adding an article to a thousand-article library appends a few
hundred sentence vectors to some 200,000 (630 MB). Copying them all into one new array and
writing it out took 3.4 s of every add. Here a grown matrix is the old
segments, which the new build folder links to rather than copies, plus one new segment; after
:data:`MAX_SEGMENTS` the small ones are merged, so that a lookup never has many to visit.

A segment read from a build folder stays in its file (see :class:`RowFile`): a search reads a
few hundred scattered rows.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_SEGMENTS = 8


class RowFile:
    """The rows of a 2-D ``.npy`` file, read on demand by positional reads (``preadv``).

    Not mapped: the kernel maps a file's page cache in large folios, so that a search reading
    600 scattered rows of a 630 MB file made 500 MB of it resident in the process (measured
    with ``MADV_RANDOM`` too); read like this, 600 rows take about 0.3 ms and add nothing to
    the process's memory. Safe from several threads: a positional read moves no file offset.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            version = np.lib.format.read_magic(file)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran_order, dtype = read_header(file)
            self._offset = file.tell()
        if len(shape) != 2 or fortran_order or dtype.hasobject:
            raise ValueError(f"{path} is not a C-ordered matrix")
        self._row_bytes = shape[1] * dtype.itemsize
        self._fd = os.open(path, os.O_RDONLY)
        # Closed with the last snapshot that reads it (an answer in flight may outlive a swap).
        weakref.finalize(self, os.close, self._fd)
        size = os.fstat(self._fd).st_size
        if size != self._offset + shape[0] * self._row_bytes:
            raise ValueError(f"{path} holds {size} bytes, not the {shape} its header says")
        self.shape: tuple[int, int] = shape
        self.dtype: np.dtype = dtype

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """The given rows, in order: each run of consecutive rows is one read."""
        wanted, order = np.unique(np.asarray(rows, dtype=np.int64), return_inverse=True)
        read = np.empty((len(wanted), self.shape[1]), self.dtype)
        if not len(wanted):
            return read
        if not 0 <= wanted[0] <= wanted[-1] < len(self):
            raise IndexError(f"rows {wanted[0]}..{wanted[-1]} of a matrix of {len(self)}")
        into = read.reshape(-1).view(np.uint8)  # the bytes each read fills
        breaks = (np.flatnonzero(np.diff(wanted) != 1) + 1).tolist()
        first = wanted.tolist()
        for start, stop in zip([0, *breaks], [*breaks, len(wanted)], strict=True):
            span = into[start * self._row_bytes : stop * self._row_bytes]
            at = self._offset + first[start] * self._row_bytes
            if os.preadv(self._fd, [span], at) != len(span):
                raise OSError(f"{self.path} was cut short while it was being read")
        return read[order]

    def __array__(self, dtype: np.dtype | None = None, copy: bool | None = None) -> np.ndarray:
        whole = self[np.arange(len(self))]
        return whole if dtype is None else whole.astype(dtype)


class SegmentedMatrix:
    """Rows stacked from segments, read by row numbers as one matrix would be. A segment read
    from a build folder (a :class:`RowFile`) is segment i there, the file
    :func:`segment_name` ``(stem, i)``, which every later build of the lineage links."""

    def __init__(self, segments: Sequence[np.ndarray | RowFile]) -> None:
        if not segments:
            raise ValueError("a matrix needs at least one segment")
        widths = {s.shape[1:] for s in segments}
        if len(widths) != 1:
            raise ValueError(f"segments of different widths: {sorted(widths)}")
        self.segments = tuple(segments)
        lengths = [len(s) for s in segments]
        self._starts = np.cumsum([0, *lengths[:-1]])
        self.shape = (sum(lengths), *segments[0].shape[1:])
        self.dtype = segments[0].dtype

    @property
    def on_disk(self) -> tuple[bool, ...]:
        """Which segments were read from a build folder."""
        return tuple(isinstance(segment, RowFile) for segment in self.segments)

    @classmethod
    def of(cls, rows: np.ndarray) -> SegmentedMatrix:
        """One segment of ``rows``, not yet in a file."""
        return cls([rows])

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """The given rows, in order, as a new array."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(self.segments) == 1:
            return self.segments[0][rows]
        which = np.searchsorted(self._starts, rows, side="right") - 1
        out = np.empty((len(rows), *self.shape[1:]), self.dtype)
        for segment in np.unique(which).tolist():
            picked = which == segment
            out[picked] = self.segments[segment][rows[picked] - self._starts[segment]]
        return out

    def __array__(self, dtype: np.dtype | None = None, copy: bool | None = None) -> np.ndarray:
        parts = [np.asarray(segment) for segment in self.segments]
        whole = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return whole if dtype is None else whole.astype(dtype)

    def appended(self, rows: np.ndarray) -> SegmentedMatrix:
        """This matrix with ``rows`` after it (it is unchanged): a new segment, or, past
        :data:`MAX_SEGMENTS`, one merged from every segment but the first (the largest)."""
        if not len(rows):
            return self
        segments = [*self.segments, rows]
        if len(segments) > MAX_SEGMENTS:
            segments = [segments[0], np.concatenate([np.asarray(s) for s in segments[1:]])]
        return SegmentedMatrix(segments)

    def save(self, folder: Path, stem: str, linked_from: Path | None = None) -> None:
        """Write the segments as ``stem.npy``, ``stem-1.npy``, … into ``folder``. A segment
        read from disk is a hard link to its file in ``linked_from``, the build folder this
        matrix was read or grown from (a build folder's files never change); the others, and
        those that cannot be linked, are written."""
        for number, (segment, on_disk) in enumerate(zip(self.segments, self.on_disk, strict=True)):
            name = segment_name(stem, number)
            if linked_from and on_disk and _linked(linked_from / name, folder / name):
                continue
            np.save(folder / name, np.asarray(segment), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, stem: str) -> SegmentedMatrix:
        """The segments :meth:`save` wrote in ``folder``, each read from its file by rows."""
        files = [folder / segment_name(stem, 0)]
        while (following := folder / segment_name(stem, len(files))).exists():
            files.append(following)
        return cls([RowFile(path) for path in files])


def _linked(source: Path, target: Path) -> bool:
    """Whether ``target`` could be made a hard link to ``source`` (not on every file system,
    nor once another process removed the folder of ``source``)."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def segment_name(stem: str, number: int) -> str:
    """The file name of segment ``number`` (the first keeps the name of a one-file matrix)."""
    return f"{stem}.npy" if number == 0 else f"{stem}-{number}.npy"
