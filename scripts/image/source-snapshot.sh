#!/bin/sh
# Gatehouse's tracked source files as of HEAD of the checkout in the current
# directory, written to $1 with their modes, plus gatehouse-source.json
# {version, time, files}: what the mirror service pushes when it runs where
# there is no .git, as in an image (services/mirror/src/mirror/source-tree.ts
# reads it). The version and time are the ones the mirror derives from git.
set -eu
out=$1
mkdir -p "$out"
git archive --format=tar HEAD | tar -x -C "$out"
sha=$(git rev-parse HEAD)
time=$(git log -1 --format=%ct HEAD)
git ls-tree -r -z --name-only HEAD | node -e '
  const [out, sha, time] = process.argv.slice(1);
  const fs = require("node:fs");
  const files = fs.readFileSync(0, "utf8").split("\0").filter(Boolean);
  const pkg = JSON.parse(fs.readFileSync(`${out}/package.json`, "utf8")).version ?? "0.0.0";
  const manifest = { version: `${pkg} (${sha.slice(0, 12)})`, time: Number(time), files };
  fs.writeFileSync(`${out}/gatehouse-source.json`, JSON.stringify(manifest));
' "$out" "$sha" "$time"
