#!/usr/bin/env bash
# Remakes the probes earshot ships for its dashboard, from audio in this repository:
#   keywords.json  the ten spoken keywords of speech/keywords on
#                  oww-speech-embedding, trained on the clean live windows of each
#                  clip (probe train --windows: what `earshot stream` and the
#                  dashboard embed). Split: a quarter of each class held out
#                  (8 of 30 clips), seeded (--seed 0), stratified; the held-out
#                  clips are listed in the probe (trainedOn.heldOut).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
node "$root/bin/earshot.js" probe train --model oww-speech-embedding --data "$root/speech/keywords" \
  --windows --held-out 0.25 --seed 0 --device cpu --workers 1 -o "$here/keywords.json" > /dev/null
# Record the data folder relative to the repository, not this machine's path.
sed -i 's|"data":"[^"]*"|"data":"speech/keywords"|' "$here/keywords.json"
echo "wrote $here/keywords.json"

# The clips the dashboard offers (server/clips.ts reads clips.txt): of the keywords, the
# first two held-out clips of each class, then the digits and the wake-word clips.
node -e '
const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const byClass = {};
for (const f of p.trainedOn.heldOut) (byClass[f.split("/")[0]] ??= []).push(f);
const demo = Object.values(byClass).flatMap((fs) => fs.slice(0, 2)).map((f) => `keywords/${f}`);
process.stdout.write(["# Clips the dashboard offers (a file or a folder per line), remade by models/trained/make-probes.sh.",
  "# Keywords (first: the default clip): clips that models/trained/keywords.json held out of training.", ...demo, "digits/", "wakewords/", ""].join("\n"));
' "$here/keywords.json" > "$root/speech/clips.txt"
echo "wrote speech/clips.txt"
