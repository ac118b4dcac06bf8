/*
 * time.c - monotonic time, deadlines and sleeping.
 */
#include "goc_impl.h"

#include <time.h>

goc_time
goc_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (goc_time)ts.tv_sec * GOC_SECOND + ts.tv_nsec;
}

goc_time
goc_deadline_after(goc_duration d)
{
    goc_time now = goc_now();

    if (d <= 0)
        return now > 0 ? now - 1 : GOC_NOW;
    if (d >= GOC_FOREVER - now)
        return GOC_FOREVER;
    return now + d;
}

void
goc_sleep_until(goc_time deadline)
{
    struct timespec ts;

    if (deadline == GOC_FOREVER)
        deadline = INT64_MAX / 2;
    ts.tv_sec = deadline / GOC_SECOND;
    ts.tv_nsec = deadline % GOC_SECOND;
    GOC_WAIT_UNTIL(GCT_WAIT_SLEEP, NULL, deadline);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
        ;
    GOC_WAIT_END(NULL, 0);
}

void
goc_sleep(goc_duration d)
{
    goc_sleep_until(goc_deadline_after(d));
}
