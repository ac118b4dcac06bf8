/*
 * options.c - the GCTRACE_OPTIONS parser.  See options.h.
 */
#include "options.h"
#include "rawlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
gct_options_default(struct gct_options *o)
{
    memset(o, 0, sizeof *o);
    o->record = GCT_RECORD_BLOCKING;
    o->exitcode = 66;
    o->report = true;
    o->finish = true;
    o->watchdog_ms = 3000;
    o->abort_on_deadlock = false;
    o->check_signal_mutex = false;
    o->mutex_fast = true;
    o->max_size_mb = 1024;
    o->exit_grace_ms = 200;
    o->wait_threshold_us = 1000;
    o->long_waits_per_site = 16;
    o->verbosity = 0;
    o->record_argv = true;
}

/* Parses a decimal long in [lo, hi]; false when it is not one. */
static bool
parse_long(const char *s, size_t n, long lo, long hi, long *out)
{
    char buf[32];
    char *end;

    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    long v = strtol(buf, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool
parse_bool(const char *s, size_t n, bool *out)
{
    if ((n == 1 && (*s == '1')) || (n == 4 && !strncmp(s, "true", 4)) ||
        (n == 3 && !strncmp(s, "yes", 3))) {
        *out = true;
        return true;
    }
    if ((n == 1 && (*s == '0')) || (n == 5 && !strncmp(s, "false", 5)) ||
        (n == 2 && !strncmp(s, "no", 2))) {
        *out = false;
        return true;
    }
    return false;
}

static bool
copy_path(char *dst, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap)
        return false;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

/* Applies one key=value; false when the value is bad. */
static bool
apply(struct gct_options *o, const char *k, size_t kn, const char *v,
      size_t vn, bool *known)
{
    long l;
    bool b;

    *known = true;
#define KEY(name) (kn == sizeof(name) - 1 && !strncmp(k, name, kn))
    if (KEY("out") || KEY("log_path"))
        return copy_path(o->out, sizeof o->out, v, vn);
    if (KEY("suppressions"))
        return copy_path(o->suppressions, sizeof o->suppressions, v, vn);
    if (KEY("record")) {
        if (vn == 8 && !strncmp(v, "counters", 8))
            o->record = GCT_RECORD_COUNTERS;
        else if (vn == 8 && !strncmp(v, "blocking", 8))
            o->record = GCT_RECORD_BLOCKING;
        else if (vn == 3 && !strncmp(v, "all", 3))
            o->record = GCT_RECORD_ALL;
        else
            return false;
        return true;
    }
    if (KEY("exitcode")) {
        if (!parse_long(v, vn, 0, 255, &l))
            return false;
        o->exitcode = (int)l;
        return true;
    }
    if (KEY("own_modules"))
        return copy_path(o->own_modules, sizeof o->own_modules, v, vn);
    if (KEY("system_modules"))
        return copy_path(o->system_modules, sizeof o->system_modules, v, vn);
    if (KEY("report") || KEY("finish") ||
        KEY("abort_on_deadlock") || KEY("record_argv") ||
        KEY("fail_system") || KEY("check_signal_mutex") ||
        KEY("mutex_fast")) {
        if (!parse_bool(v, vn, &b))
            return false;
        if (KEY("report"))
            o->report = b;
        else if (KEY("record_argv"))
            o->record_argv = b;
        else if (KEY("finish"))
            o->finish = b;
        else if (KEY("fail_system"))
            o->fail_system = b;
        else if (KEY("check_signal_mutex"))
            o->check_signal_mutex = b;
        else if (KEY("mutex_fast"))
            o->mutex_fast = b;
        else
            o->abort_on_deadlock = b;
        return true;
    }
    if (KEY("watchdog_ms"))
        return parse_long(v, vn, 0, 86400000, &o->watchdog_ms);
    if (KEY("exit_grace_ms"))
        return parse_long(v, vn, 0, 60000, &o->exit_grace_ms);
    if (KEY("wait_threshold_us"))
        return parse_long(v, vn, 0, 3600000000L, &o->wait_threshold_us);
    if (KEY("long_waits_per_site"))
        return parse_long(v, vn, 0, 1L << 30, &o->long_waits_per_site);
    if (KEY("max_size_mb"))
        return parse_long(v, vn, 1, 1 << 20, &o->max_size_mb);
    if (KEY("verbosity")) {
        if (!parse_long(v, vn, 0, 3, &l))
            return false;
        o->verbosity = (int)l;
        return true;
    }
#undef KEY
    *known = false;
    return false;
}

/* The key as it may be quoted in a one-line message: at most 40 bytes,
 * anything not printable shown as '?'. */
static void
quote_key(char *out, size_t cap, const char *k, size_t kn)
{
    size_t n = kn > 40 ? 40 : kn;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = k[i] >= 0x20 && k[i] <= 0x7e ? k[i] : '?';
    out[n] = '\0';
}

int
gct_options_parse(struct gct_options *o, const char *text,
                  void (*warn)(void *ctx, const char *msg), void *ctx)
{
    char msg[160];
    int problems = 0;

    if (text == NULL)
        return 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (n > 0) {
            bool known = false;
            size_t kn = eq ? (size_t)(eq - p) : n;
            char key[48];
            quote_key(key, sizeof key, p, kn);
            if (!eq) {
                snprintf(msg, sizeof msg, "option '%s' has no value", key);
                problems++;
                if (warn)
                    warn(ctx, msg);
            } else if (!apply(o, p, kn, eq + 1, n - kn - 1, &known)) {
                snprintf(msg, sizeof msg, known
                             ? "option '%s' has a bad value"
                             : "unknown option '%s' ignored",
                         key);
                problems++;
                if (warn)
                    warn(ctx, msg);
            }
        }
        p += n;
        if (*p == ':')
            p++;
    }
    return problems;
}
