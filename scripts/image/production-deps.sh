#!/bin/sh
# Production dependencies of one workspace ($1, e.g. services/auth) and of the
# workspaces it uses, nothing else. npm counts every workspace's
# devDependencies as wanted (workspaces are top-level projects), so a plain
# `npm ci --omit=dev` would bring test tooling along (testkit → ava,
# testcontainers); they are dropped from the manifests first. Uses the npm
# cache the build stage filled.
set -eu
workspace=$1
node -e '
  const fs = require("node:fs");
  for (const dir of ["packages", "services"]) {
    for (const name of fs.readdirSync(dir)) {
      const file = `${dir}/${name}/package.json`;
      if (!fs.existsSync(file)) continue;
      const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
      delete manifest.devDependencies;
      fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
    }
  }'
rm -rf node_modules packages/*/node_modules services/*/node_modules
npm install --omit=dev --workspace "$workspace" --prefer-offline --ignore-scripts --no-audit --no-fund
