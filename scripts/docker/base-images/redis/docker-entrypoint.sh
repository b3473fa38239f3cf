#!/bin/sh
# Like the official redis entrypoint: `IMAGE --flag` / `IMAGE my.conf` run redis-server,
# which runs in the foreground as the redis user.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
  # The official binary is compiled with protected-mode off; Debian's is not, and would refuse
  # other containers when no password is set. A config file must stay the first argument, and
  # the caller's own options come later, so they still win.
  shift
  if [ "${1%.conf}" != "${1:-}" ]; then
    conf=$1
    shift
    set -- redis-server "$conf" --protected-mode no "$@"
  else
    set -- redis-server --protected-mode no "$@"
  fi
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
