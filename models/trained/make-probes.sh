#!/usr/bin/env bash
# Remakes the probes earshot ships for its dashboard, from audio in this repository:
#   language.json  spoken-digit language (en, es, ru) on oww-speech-embedding,
#                  trained on test/fixtures/speech/digits/<language>/*.wav (clean).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
node "$root/bin/earshot.js" probe train --model oww-speech-embedding --data "$root/test/fixtures/speech/digits" \
  --held-out 0 --device cpu --workers 1 -o "$here/language.json" > /dev/null
# Record the data folder relative to the repository, not this machine's path.
sed -i 's|"data":"[^"]*"|"data":"test/fixtures/speech/digits"|' "$here/language.json"
echo "wrote $here/language.json"
