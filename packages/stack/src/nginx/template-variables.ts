/** The envsubst variables every rendering of nginx/ sets (compose, Kubernetes, the local run, the tests). */

/** The listen address (8080 in compose, 127.0.0.1:<port> locally). */
export const listenVariable = 'GATEHOUSE_LISTEN';

/**
 * Where access lines go: /dev/stdout in the image; a syslog socket in the local
 * run, whose child stdio are sockets nginx cannot open(2) by path.
 */
export const accessLogVariable = 'GATEHOUSE_ACCESS_LOG';

/**
 * The DNS servers nginx asks for a stand-in's address: the image's entrypoint exports the
 * container's (Docker's, in compose) under NGINX_ENTRYPOINT_LOCAL_RESOLVERS=1.
 */
export const resolverVariable = 'NGINX_LOCAL_RESOLVERS';
