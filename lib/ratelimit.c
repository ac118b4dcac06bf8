/*
 * ratelimit.c - the token-bucket rate limiter of golang.org/x/time/rate.
 *
 * The bucket holds up to burst tokens and refills at rate tokens per
 * second; it starts full.  Instead of a thread that adds tokens, the count
 * is brought up to date lazily from the time elapsed since `last` whenever
 * someone looks at it.
 *
 * goc_limiter_wait reserves its token at once, possibly driving the count
 * negative (a debt that the refill pays back), and then sleeps until the
 * moment the debt is paid.  Reserving first keeps waiters in FIFO order by
 * arrival without a queue.  A waiter whose context ends first cancels its
 * reservation: the token goes back, less the part that later reservations
 * already counted on (x/time/rate's Reservation.CancelAt, whose accounting
 * uses last_event, the time at which the latest reservation may act).
 *
 * l->lock (a goc__lock) protects tokens, last and last_event; rate and
 * burst are immutable.  Nobody blocks while holding it.
 */
#include "goc_impl.h"

#include <math.h>
#include <time.h>

struct goc_limiter {
    goc__lock lock;
    double rate;         /* immutable: tokens per second, > 0 (may be inf) */
    int burst;           /* immutable: bucket size, >= 1 */
    double tokens;       /* lock: tokens at time `last` (negative: debt) */
    goc_time last;       /* lock: when tokens was last brought up to date */
    goc_time last_event; /* lock: when the latest reservation may act */
};

/* A token reserved by wait. */
struct reservation {
    bool ok;             /* false: not reserved (would wait too long) */
    goc_time time_to_act;
};

static double
tokens_from_duration(const goc_limiter *l, goc_duration d)
{
    return (double)d / (double)GOC_SECOND * l->rate;
}

/* Saturates rather than overflowing for tiny rates. */
static goc_duration
duration_from_tokens(const goc_limiter *l, double tokens)
{
    double ns = tokens / l->rate * (double)GOC_SECOND;

    if (ns >= (double)(INT64_MAX / 2))
        return INT64_MAX / 2;
    if (ns <= (double)(INT64_MIN / 2))
        return INT64_MIN / 2;
    return (goc_duration)ns;
}

/* The token count at time now (not stored).  Under l->lock. */
static double
advance(const goc_limiter *l, goc_time now)
{
    goc_time last = l->last < now ? l->last : now;
    double tokens = l->tokens + tokens_from_duration(l, now - last);

    return tokens > l->burst ? l->burst : tokens;
}

/* Takes one token at now if it would be there within max_wait.
 * Under l->lock. */
static struct reservation
reserve(goc_limiter *l, goc_time now, goc_duration max_wait)
{
    struct reservation r = {false, now};
    double tokens = advance(l, now) - 1;
    goc_duration wait = tokens < 0 ? duration_from_tokens(l, -tokens) : 0;

    if (wait > max_wait)
        return r;
    r.ok = true;
    r.time_to_act = now + wait;
    l->last = now;
    l->tokens = tokens;
    l->last_event = r.time_to_act;
    return r;
}

/* Gives back a reserved token that will not be used, at now.
 * Under l->lock. */
static void
cancel_reservation(goc_limiter *l, const struct reservation *r, goc_time now)
{
    if (r->time_to_act < now)
        return; /* its time has come and gone: the token was spent */
    /* Reservations made after ours have already counted on the tokens
     * between our time and last_event: those are not ours to return. */
    double restore = 1 - tokens_from_duration(l, l->last_event -
                                                     r->time_to_act);
    if (restore <= 0)
        return;
    double tokens = advance(l, now) + restore;
    l->tokens = tokens > l->burst ? l->burst : tokens;
    l->last = now;
    if (r->time_to_act == l->last_event) {
        goc_time prev = r->time_to_act - duration_from_tokens(l, 1);
        if (prev >= now)
            l->last_event = prev;
    }
}

int
goc_limiter_make(goc_limiter **out, double rate, int burst)
{
    /* !(rate > 0) also refuses NaN. */
    if (out == NULL || !(rate > 0) || burst < 1)
        return GOC_EINVAL;
    goc_limiter *l = goc__calloc(1, sizeof *l);
    if (l == NULL)
        return GOC_ENOMEM;
    l->rate = rate;
    l->burst = burst;
    l->tokens = burst;
    l->last = goc_now();
    l->last_event = l->last;
    *out = l;
    return 0;
}

bool
goc_limiter_allow(goc_limiter *l)
{
    if (l == NULL)
        return false;
    if (isinf(l->rate))
        return true; /* an infinite rate allows everything, as rate.Inf */
    goc__lock_acquire(&l->lock);
    struct reservation r = reserve(l, goc_now(), 0);
    goc__lock_release(&l->lock);
    return r.ok;
}

/* Sleeps until deadline without a hook of its own (the caller brackets the
 * wait as "rate limiter wait"). */
static void
sleep_until(goc_time deadline)
{
    struct timespec ts = {
        .tv_sec = deadline / GOC_SECOND,
        .tv_nsec = deadline % GOC_SECOND,
    };

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        ;
}

int
goc_limiter_wait(goc_limiter *l, goc_ctx *ctx)
{
    if (l == NULL)
        return GOC_EINVAL;
    int err = ctx ? goc_ctx_err(ctx) : 0;
    if (err != 0)
        return err;
    if (isinf(l->rate))
        return 0;

    goc__lock_acquire(&l->lock);
    goc_time now = goc_now();
    goc_duration max_wait = INT64_MAX;
    goc_time deadline;
    if (ctx != NULL && goc_ctx_deadline(ctx, &deadline))
        max_wait = deadline - now;
    struct reservation r = reserve(l, now, max_wait);
    goc__lock_release(&l->lock);
    if (!r.ok)
        return GOC_EDEADLINE; /* the token would come after the deadline */
    if (r.time_to_act <= now)
        return 0;

    GOC_WAIT_UNTIL(GCT_WAIT_LIMITER, l, r.time_to_act);
    if (ctx != NULL && goc_ctx_done(ctx) != NULL)
        err = goc_ctx_wait(ctx, r.time_to_act); /* 0: the token's time */
    else
        sleep_until(r.time_to_act);
    if (err != 0) {
        goc__lock_acquire(&l->lock);
        cancel_reservation(l, &r, goc_now());
        goc__lock_release(&l->lock);
    }
    GOC_WAIT_END(l, err);
    return err;
}

void
goc_limiter_free(goc_limiter *l)
{
    goc__free(l);
}
