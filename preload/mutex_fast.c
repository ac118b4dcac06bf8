/*
 * mutex_fast.c - whether the shim may take and release an uncontended
 * default mutex itself (glibc_private.h, gct_mutex_fast_trylock and
 * _unlock).
 *
 * Going through glibc, an uncontended lock under the shim was a trylock
 * (which loads the lock word before its compare-and-swap) and the
 * bookkeeping; in the condvar queue of bench/ a shim that did only the
 * trylock, then the real lock on failure, already cost a tenth more than
 * plain forwarding (docs/bench-shim.md, "Figures behind the code").  For the default kind (__kind 0: normal, private, no
 * elision) the uncontended transitions are glibc's own fast paths, kept
 * the same for decades: lock word 0 -> 1, then owner = tid and one more
 * user; owner = 0 and one user less, then 1 -> 0.  The shim does those
 * two steps in place and leaves everything that involves a futex (a lock
 * word of 2: someone waits) to glibc.
 *
 * It is checked once against glibc at start-up: a scratch mutex locked
 * and unlocked by glibc must show exactly those fields, and one locked
 * and unlocked in place must look locked and unlocked to glibc.  When
 * anything differs, or when glibc's tunables ask for lock elision (which
 * would change a default mutex's kind on its first lock), the shim keeps
 * to glibc's calls; so it does with option mutex_fast=0.
 */
#include "shim.h"

#include <stdlib.h>
#include <string.h>

static bool
elision_asked(void)
{
    const char *tunables = getenv("GLIBC_TUNABLES");
    return tunables && strstr(tunables, "elision");
}

const char *
gct_mutex_fast_init(int tid)
{
    if (!gct_recorder.opt.mutex_fast) {
        gct_recorder.mutex_fast = false;
        return "option mutex_fast=0";
    }
    if (elision_asked())
        return "GLIBC_TUNABLES asks for lock elision";
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    bool ok = gct_mutex_looks(&m, 0, 0) && gct_real.pthread_mutex_lock(&m) == 0;
    ok = ok && gct_mutex_looks(&m, 1, tid) && gct_real.pthread_mutex_unlock(&m) == 0;
    ok = ok && gct_mutex_looks(&m, 0, 0) && gct_mutex_fast_trylock(&m, tid) == 0;
    ok = ok && gct_mutex_looks(&m, 1, tid) &&
         gct_real.pthread_mutex_trylock(&m) == EBUSY &&
         gct_mutex_fast_trylock(&m, tid) == EBUSY && gct_mutex_looks(&m, 1, tid);
    ok = ok && gct_mutex_fast_unlock(&m, tid) && gct_mutex_looks(&m, 0, 0);
    ok = ok && gct_real.pthread_mutex_trylock(&m) == 0 &&
         gct_real.pthread_mutex_unlock(&m) == 0 && gct_mutex_looks(&m, 0, 0);
    gct_recorder.mutex_fast = ok;
    return ok ? NULL : "this glibc's mutex differs from the one expected";
}
