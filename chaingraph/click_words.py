"""click's own words (`Usage:`, `Options:`, `Missing argument` …) in the current language.

click writes them through the standard `gettext` module (domain `click`, which ships no Chinese
catalog). `install()` points the `_`/`ngettext` each click module imported at `chaingraph.i18n`,
so that they are looked up in chaingraph's catalog: Chinese under `--lang zh`, click's own English
otherwise. The messages are listed below for the catalog (`scripts/catalog.sh` extracts them); a
test compares the list with the messages in the installed click, so a click upgrade that adds one
fails until it is listed and translated.
"""
from __future__ import annotations

__all__ = ["MESSAGES", "PLURALS", "NOT_SHOWN", "install"]


def _(message: str) -> str:  # marks a message for the catalog; translated where click shows it
    return message


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    return singular, plural


MESSAGES = (
    _("Usage:"), _("Options"), _("Commands"), _("Positional arguments"), _("Show this message and exit."),
    _("Show the version and exit."), _("%(prog)s, version %(version)s"), _("Aborted!"), _("deprecated"),
    _("Missing command."), _("Value must be an iterable."), _("env var: {var}"), _("default: {default}"),
    _("(dynamic)"), _("Do you want to continue?"), _("Confirm the action without prompting."),
    _("Try '{command} {option}' for help."), _("Invalid value: {message}"),
    _("Invalid value for {param_hint}: {message}"), _("Missing argument"), _("Missing option"),
    _("Missing parameter"), _("Missing {param_type}"), _("Missing parameter: {param_name}"),
    _("No such option {name!r}."), _("No such command {name!r}."), _("unknown error"),
    _("Could not open file {filename!r}: {message}"), _("Argument {name!r} takes {nargs} values."),
    _("Option {name!r} does not take a value."), _("Repeat for confirmation"),
    _("Error: The two entered values do not match."), _("Error: invalid input"), _("Press any key to continue..."),
    _("Choose from:\n\t{choices}"), _("Choice({choices})"), _("{value!r} is not a valid {number_type}."),
    _("{value} is not in the range {range}."), _("{value!r} is not a valid boolean. Recognized values: {states}"),
    _("{value!r} is not a valid UUID."), _("file"), _("directory"), _("path"),
    _("{name} {filename!r} does not exist."), _("{name} {filename!r} is a file."),
    _("{name} {filename!r} is a directory."), _("{name} {filename!r} is not readable."),
    _("{name} {filename!r} is not writable."), _("{name} {filename!r} is not executable."),
    _("DeprecationWarning: The command {name!r} is deprecated.{extra_message}"),
    _("DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}"),
)
PLURALS = (
    ngettext("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    ngettext("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."),
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    ngettext("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    ngettext("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."),
    ngettext("{len_type} values are required, but {len_value} was given.",
             "{len_type} values are required, but {len_value} were given."),
)
# click messages left in English: the `Error: ` prefix (kept in every language, so that scripts and
# people find errors alike), and messages a user of this command line never meets (mistakes in the
# code's declarations, Windows consoles, shell completion, the editor, colours, streams)
NOT_SHOWN = frozenset({
    "Error: {message}", "d", "{editor}: Editing failed", "{editor}: Editing failed: {e}", "Windows error: {error}",
    "Name '{name}' defined twice", "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Invalid start character for option ({option})",
    "Shell completion is not supported for Bash versions older than 4.4.",
    "Couldn't detect Bash version, shell completion is not supported.", "Unknown color {colour!r}",
    "Unknown standard stream '{name}'",
})


def install() -> None:
    """Route every click module's `_` and `ngettext` through chaingraph's catalog (idempotent)."""
    import importlib

    for name in ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # a module a later click drops: nothing of it to translate
            continue
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext


def _gettext(message: str) -> str:
    from . import i18n
    from .errors import ChaingraphError
    try:
        return i18n.gettext(message)
    except ChaingraphError:  # a bad $CHAINGRAPH_LANG: click must still be able to say so
        return message


def _ngettext(singular: str, plural: str, n: int) -> str:
    from . import i18n
    from .errors import ChaingraphError
    try:
        return i18n.ngettext(singular, plural, n)
    except ChaingraphError:
        return singular if n == 1 else plural
