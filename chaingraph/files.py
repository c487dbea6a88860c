"""Writing output files: all or nothing, and a failure is one `Error:` line rather than a traceback."""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import ChaingraphError
from .i18n import gettext as _

__all__ = ["write_texts"]


def write_texts(texts: Mapping[str | os.PathLike[str], str | Iterable[str]]) -> list[Path]:
    """Write each path's text (UTF-8), making missing folders; returns the paths. A text may come
    in parts (an iterable of strings, e.g. a template's `generate()`), written as they come.

    Every text goes first to a hidden temporary file next to its path; only when all are written
    do they replace their paths, so a failure leaves no file half-written, and no temporary
    file behind. Raises ChaingraphError naming the path that could not be written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_texts({folder / "a" / "x.txt": "x"})]
    ['x.txt']
    >>> write_texts({folder / "a" / "x.txt" / "y.txt": "y"})
    Traceback (most recent call last):
    ...
    chaingraph.errors.ChaingraphError: cannot create folder .../a/x.txt: a file of that name exists
    """
    paths = [Path(p) for p in texts]
    temporary: list[Path] = []
    for path in paths:  # what would stop a replace: checked before anything is written
        if path.is_dir():
            raise ChaingraphError(_("cannot write %(path)s: a folder of that name exists") % {"path": path})
    try:
        for path, text in zip(paths, texts.values()):
            _make_folder(path.parent)
            tmp = path.with_name(f".{path.name}.tmp")
            temporary.append(tmp)
            try:
                with tmp.open("w", encoding="utf-8") as out:
                    out.writelines([text] if isinstance(text, str) else text)
            except OSError as e:
                raise ChaingraphError(_("cannot write %(path)s: %(why)s") % {"path": path, "why": _why(e)}) from None
        for path, tmp in zip(paths, temporary):
            try:
                tmp.replace(path)
            except OSError as e:
                raise ChaingraphError(_("cannot write %(path)s: %(why)s") % {"path": path, "why": _why(e)}) from None
    finally:
        for tmp in temporary:
            tmp.unlink(missing_ok=True)
    return paths


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ChaingraphError(_("cannot create folder %(folder)s: a file of that name exists") % {"folder": folder}) from None
    except OSError as e:
        raise ChaingraphError(_("cannot create folder %(folder)s: %(why)s") % {"folder": folder, "why": _why(e)}) from None


def _why(error: OSError) -> str:
    return error.strerror or type(error).__name__
