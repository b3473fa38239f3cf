#!/bin/sh
# As upstream: render every $NGINX_ENVSUBST_TEMPLATE_DIR/**/*$NGINX_ENVSUBST_TEMPLATE_SUFFIX into
# $NGINX_ENVSUBST_OUTPUT_DIR, replacing only variables that are defined (so nginx's own
# $host, $remote_addr ... survive). NGINX_ENVSUBST_FILTER limits the names (a regex).
set -e
ME=$(basename "$0")

template_dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
output_dir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
filter=${NGINX_ENVSUBST_FILTER:-}

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  echo "$ME: ERROR: $template_dir exists, but $output_dir is not writable" >&2
  exit 0
fi

defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" </dev/null))

find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
  relative_path=${template#"$template_dir/"}
  output_path=$output_dir/${relative_path%"$suffix"}
  mkdir -p "$(dirname "$output_path")"
  [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] && echo "$ME: Running envsubst on $template to $output_path"
  envsubst "$defined_envs" <"$template" >"$output_path"
done
exit 0
