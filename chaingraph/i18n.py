"""The language of human text: Chinese or English, through gettext message catalogs.

Human text — table headers, statuses and kinds shown in tables, reasons, messages, the brief — is
written in English in the code and translated through the `chaingraph` gettext domain, whose
catalogs live in `chaingraph/locale/` and are maintained with Babel (`bash scripts/catalog.sh`
extracts, updates and compiles them). Machine output — JSON keys, CSV headers, ids, statuses in
JSON/CSV — is the same in every language.

The language is, in this order: `set_language()` (the CLI's `--lang`), `$CHAINGRAPH_LANG`, the
locale (`$LC_ALL`, `$LC_MESSAGES`, `$LANG`: `zh_*` is Chinese), else English.

>>> detect({"LANG": "zh_CN.UTF-8"})
'zh'
>>> detect({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"})
'en'
>>> detect({})
'en'
>>> with language("zh"):
...     value("operating"), column("status")
('运营', '状态')
"""
from __future__ import annotations

import contextlib
import functools
import gettext as _gettext
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from .errors import ChaingraphError

__all__ = [
    "DOMAIN", "LANGUAGES", "LOCALE_DIR", "detect", "current", "set_language", "language", "settled",
    "gettext", "ngettext", "pgettext", "column", "value", "join", "clauses", "name", "N_", "Np_",
]

DOMAIN = "chaingraph"
LANGUAGES = ("zh", "en")  # English is the language of the msgids: it needs no catalog
LOCALE_DIR = Path(__file__).parent / "locale"
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # the POSIX order of precedence

_chosen: str | None = None


def _normalise(name: str, origin: str) -> str:
    lang = name.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if lang not in LANGUAGES:
        raise ChaingraphError(f"unknown language {name!r} in {origin} (expected {' or '.join(LANGUAGES)})")
    return lang


def detect(environ: Mapping[str, str] = os.environ) -> str:
    """The language the environment asks for: `$CHAINGRAPH_LANG`, else the locale, else `en`."""
    if environ.get("CHAINGRAPH_LANG"):
        return _normalise(environ["CHAINGRAPH_LANG"], "$CHAINGRAPH_LANG")
    for variable in _LOCALE_VARIABLES:
        locale_name = environ.get(variable)
        if locale_name:  # the first one set decides, as in C's setlocale
            return "zh" if locale_name.lower().startswith("zh") else "en"
    return "en"


def current() -> str:
    """The language human text is written in now."""
    return _chosen or detect()


def set_language(lang: str | None) -> None:
    """Write human text in `lang` (`zh` or `en`) from now on; `None` follows the environment again."""
    global _chosen
    _chosen = None if lang is None else _normalise(lang, "--lang")


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Human text in `lang` within the `with` block."""
    before = _chosen
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """The language of the moment kept for the block: where no `set_language` chose it, the
    environment is read once here rather than at each of the thousands of texts a query writes.
    A `set_language` in the block still holds until its end; a bad `$CHAINGRAPH_LANG` is left to be
    reported where a text first asks for the language, as without the block."""
    if _chosen is not None:
        yield
        return
    try:
        lang = detect()
    except ChaingraphError:
        lang = None
    if lang is None:
        yield
        return
    with language(lang):
        yield


@functools.lru_cache(maxsize=None)
def _translations(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    # a missing catalog is a broken install, not a reason to speak English silently
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def gettext(message: str) -> str:
    """`message` in the current language."""
    return _translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language (`%(n)s` is left to the caller)."""
    return _translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, where the same English word means different things."""
    return _translations(current()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it now (it is translated where shown)."""
    return message


def Np_(context: str, message: str) -> str:
    """`N_` with a context: marks a column name or a machine value for the catalog."""
    return message


def join(items) -> str:
    """A list in running text: `a、b、c` in Chinese, `a, b, c` in English."""
    return ("、" if current() == "zh" else ", ").join(items)


def clauses(parts) -> str:
    """Clauses of one sentence: `a；b` in Chinese, `a; b` in English."""
    return ("；" if current() == "zh" else "; ").join(parts)


def name(record) -> str:
    """The name of a product, firm, region or chain as the current language shows it: `name_en` in
    English (`name_zh` when the data gives no English name), `name_zh` in Chinese. JSON and CSV name
    fields keep `name_zh` in both languages; tables and text for people use this."""
    return (current() == "en" and getattr(record, "name_en", None)) or record.name_zh


def column(key: str) -> str:
    """The header of column `key` in a table for people (the key itself in English)."""
    return key if current() == "en" else pgettext("column", key)


def value(text: str) -> str:
    """A machine value (a status, a kind of gap, a verdict) as people read it in the current language."""
    return text if current() == "en" else pgettext("value", text)


def extract_help(fileobj, keywords, comment_tags, options):
    """A Babel extractor for the command line (babel.cfg): the docstrings of click commands and the
    `help=` texts of options, as click shows them (`inspect.cleandoc`), then the module's ordinary
    gettext calls. Command help is translated where it is shown (`cli._Translated`)."""
    import ast
    import inspect

    from babel.messages.extract import extract_python

    source = fileobj.read()
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                and d.func.attr in ("command", "group") for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                found.append((node.lineno, doc))
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "help" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    found.append((kw.value.lineno, inspect.cleandoc(kw.value.value)))
    for lineno, text in sorted(found):
        yield lineno, "gettext", text, []
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
