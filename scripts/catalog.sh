#!/usr/bin/env bash
# The message catalogs, maintained with Babel (pip install babel; the test extras have it):
#   bash scripts/catalog.sh          extract messages from the code and templates into
#                                    chaingraph/locale/chaingraph.pot, merge them into every
#                                    language's .po (new ones untranslated), compile the .mo files
#   bash scripts/catalog.sh compile  only compile the .po files into the shipped .mo files
# A test fails while a message has no translation or a .mo is older than its .po.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=${PYBABEL:-.venv/bin/pybabel}
locale=chaingraph/locale
if [ "${1:-all}" != compile ]; then
  "$pybabel" extract -F babel.cfg --no-location --sort-output --omit-header -w 100 \
    -k N_ -k Np_:1c,2 -k gettext -k ngettext:1,2 -k pgettext:1c,2 \
    -o "$locale/chaingraph.pot" chaingraph
  "$pybabel" update -D chaingraph -i "$locale/chaingraph.pot" -d "$locale" --no-fuzzy-matching --ignore-obsolete -w 100
fi
"$pybabel" compile -D chaingraph -d "$locale" --statistics
