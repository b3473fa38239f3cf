#!/bin/sh
# Gatehouse's source files written to $1 with their modes, plus gatehouse-source.json
# {version, time, files}: what the mirror service pushes when it runs where there is
# no .git, as in an image (services/mirror/src/mirror/source-tree.ts reads it).
#
# In a checkout: the tracked files of HEAD, and the version and time the mirror
# derives from git. In an image build (no .git: .dockerignore keeps it out of the
# context): the files of the current directory, which .dockerignore keeps to the
# source tree; the version names GATEHOUSE_COMMIT when the build was given it, and
# the time is the newest file's, so the same source gives the same mirror commit.
set -eu
out=$1
mkdir -p "$out"
if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
  git archive --format=tar HEAD | tar -x -C "$out"
  sha=$(git rev-parse HEAD)
  time=$(git log -1 --format=%ct HEAD)
  git ls-tree -r -z --name-only HEAD >"$out/.files"
else
  sha=${GATEHOUSE_COMMIT:-}
  # Git's order: paths compared byte by byte.
  find . -type f ! -path "./$out/*" -print0 | sed -z 's#^\./##' | LC_ALL=C sort -z >"$out/.files"
  tar -c --null -T "$out/.files" | tar -x -C "$out"
  time=$(find . -type f ! -path "./$out/*" -printf '%T@\n' | sort -n | tail -1 | cut -d. -f1)
fi
node -e '
  const [out, sha, time] = process.argv.slice(1);
  const fs = require("node:fs");
  const files = fs.readFileSync(`${out}/.files`, "utf8").split("\0").filter(Boolean);
  fs.rmSync(`${out}/.files`);
  const pkg = JSON.parse(fs.readFileSync(`${out}/package.json`, "utf8")).version ?? "0.0.0";
  const commit = sha ? sha.slice(0, 12) : "commit not recorded";
  const manifest = { version: `${pkg} (${commit})`, time: Number(time), files };
  fs.writeFileSync(`${out}/gatehouse-source.json`, JSON.stringify(manifest));
' "$out" "$sha" "$time"
