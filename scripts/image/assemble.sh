#!/bin/sh
# Copies what production needs out of the built tree in the current directory
# into $1: the root package files, node_modules (production only, installed before),
# and every workspace without its sources, tests and build tooling. With
# SERVICE set, the other services are left out.
set -eu
out=$1
mkdir -p "$out"
cp package.json package-lock.json "$out/"
cp -a node_modules "$out/"
for ws in packages/* services/*; do
  [ -f "$ws/package.json" ] || continue
  case "$ws" in
    services/*) [ -z "${SERVICE:-}" ] || [ "$ws" = "services/$SERVICE" ] || continue ;;
  esac
  mkdir -p "$out/$ws"
  for entry in "$ws"/* "$ws"/.[!.]*; do
    [ -e "$entry" ] || continue
    case "${entry##*/}" in
      src | test | scripts | tsconfig.json | tsconfig.*.json | *.tsbuildinfo) ;;
      *) cp -a "$entry" "$out/$ws/" ;;
    esac
  done
done
