/*
 * timer_leak.c MODE - timers left pending at exit, and their twins that
 * are not:
 *   leaks      3 tickers made in one loop and never stopped, and a
 *              one-shot timer of an hour never stopped: two timer_leak
 *              findings, one of count 3
 *   stopped    the same tickers stopped and the timer stopped, then freed
 *   fired      a 1 ms timer and a 1 ms goc_after, each received (fired):
 *              nothing pends
 *   reset      a timer reset twice, then freed; a goc_after freed while
 *              pending
 */
#include <goc.h>

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "leaks";
    goc_ticker *tk[3];
    goc_timer *t;
    goc_chan *after;

    if (!strcmp(mode, "leaks") || !strcmp(mode, "stopped")) {
        for (int i = 0; i < 3; i++)
            goc_ticker_make(&tk[i], GOC_SECOND);
        goc_timer_make(&t, 3600 * GOC_SECOND);
        if (!strcmp(mode, "stopped")) {
            for (int i = 0; i < 3; i++)
                goc_ticker_stop(tk[i]);
            goc_timer_stop(t);
            goc_timer_free(t);
        }
    } else if (!strcmp(mode, "fired")) {
        goc_timer_make(&t, GOC_MILLISECOND);
        goc_chan_recv(goc_timer_chan(t), NULL, NULL);
        goc_after(&after, GOC_MILLISECOND);
        goc_chan_recv(after, NULL, NULL);
    } else {
        goc_timer_make(&t, 3600 * GOC_SECOND);
        goc_timer_reset(t, 3600 * GOC_SECOND);
        goc_timer_reset(t, 3600 * GOC_SECOND);
        goc_timer_free(t);
        goc_after(&after, 3600 * GOC_SECOND);
        goc_chan_free(after);
    }
    puts("leaving");
    return 0;
}
