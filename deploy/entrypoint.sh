#!/bin/sh
# The container's entry point: secrets from files, then `monazite <command>` (default: serve) in production mode.
#   SIGNING_KEY_SECRET_FILE, DATABASE_URL_FILE, DATABASE_READ_URL_FILE: read the setting from that file (Docker and
#   Kubernetes secrets), trailing newline removed. Setting both a variable and its _FILE is refused.
# Production mode refuses the demo's settings and names what is missing (docs/operations.md, "Production start-up").
set -eu
cd "$(dirname "$0")/.."

for name in SIGNING_KEY_SECRET DATABASE_URL DATABASE_READ_URL; do
  eval "file=\${${name}_FILE:-}"
  eval "value=\${${name}:-}"
  [ -n "$file" ] || continue
  if [ -n "$value" ]; then
    echo "monazite entrypoint: both ${name} and ${name}_FILE are set; set one" >&2
    exit 78
  fi
  if [ ! -r "$file" ]; then
    echo "monazite entrypoint: ${name}_FILE names ${file}, which cannot be read" >&2
    exit 78
  fi
  value="$(cat "$file")"
  export "${name}=${value}"
  unset "${name}_FILE"
done

export NODE_ENV="${NODE_ENV:-production}"
[ "$#" -gt 0 ] || set -- serve
exec node bin/monazite.mjs "$@"
