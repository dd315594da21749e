#!/usr/bin/env bash
# Re-extract translatable strings and merge them into the Vietnamese catalogue.
# Run from the repository root: scripts/update_messages.sh
set -euo pipefail

cd "$(dirname "$0")/.."

POT=/tmp/ocop-messages.pot
PO=core/locale/vi/LC_MESSAGES/messages.po

# Extract from "." so babel.cfg's "templates/**.html" pattern matches
# (patterns are relative to the directory being scanned); skip tests and
# other non-application folders via --ignore-dirs.
pybabel extract -F babel.cfg -k N_ -o "$POT" --no-location --omit-header \
    --ignore-dirs '.* ._ tests bench *.egg-info' .

if [[ -f "$PO" ]]; then
    pybabel update -i "$POT" -d core/locale -l vi --no-fuzzy-matching
else
    pybabel init -i "$POT" -d core/locale -l vi
fi
