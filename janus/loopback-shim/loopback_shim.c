/*
 * Loopback shim for the local development and test stack only; never for a real deployment.
 *
 * Janus 1.1.2 skips every interface flagged IFF_LOOPBACK when it gathers ICE candidates
 * (ice.c, janus_ice_setup_local), before it even reads ice_enforce_list, and no setting
 * changes that. On a developer's machine and in CI, browsers and Janus share the machine and
 * must keep media on 127.0.0.1. Loaded with LD_PRELOAD, this shim clears the loopback flag
 * in what getifaddrs() reports, so that with `ice_enforce_list = "lo"` Janus offers
 * 127.0.0.1 as its one host candidate. scripts/bootstrap builds it into .local/lib/.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stddef.h>

typedef int (*getifaddrs_fn)(struct ifaddrs **);

int getifaddrs(struct ifaddrs **ifap) {
	static getifaddrs_fn real_getifaddrs = NULL;
	if(real_getifaddrs == NULL)
		real_getifaddrs = (getifaddrs_fn)dlsym(RTLD_NEXT, "getifaddrs");
	int result = real_getifaddrs(ifap);
	if(result == 0) {
		for(struct ifaddrs *entry = *ifap; entry != NULL; entry = entry->ifa_next)
			entry->ifa_flags &= ~IFF_LOOPBACK;
	}
	return result;
}
