#!/bin/sh
# Misuse of pthread locks that glibc answers with an error code
# (progs/pthread_misuse.c): each is caught in its program and silent in
# its twin, and every call answers under the recorder exactly as it does
# without it.
# Usage: tests/e2e/test_pthread_misuse.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

build_prog pm pthread_misuse.c

# pair BUG TWIN WANT [TEXT]: WANT is the bug's sorted kind/subkind list;
# TEXT, when given, is in the bug's message
pair() {
    bug=$1 twin=$2 want=$3 text=${4:-}
    for mode in "$bug" "$twin"; do
        "$tmp/pm" "$mode" > "$tmp/$mode.native" || err "$mode: native run"
        GCTRACE_OPTIONS=exitcode=0 "$G" run -q -o "$tmp/$mode.db" -- \
            "$tmp/pm" "$mode" > "$tmp/$mode.out" || err "$mode: run failed"
        cmp -s "$tmp/$mode.native" "$tmp/$mode.out" ||
            err "$mode: answers differ under the recorder: $(diff \
                "$tmp/$mode.native" "$tmp/$mode.out" | tr '\n' ' ')"
    done
    got=$(found "$tmp/$bug.db")
    [ "$got" = "$want" ] || err "$bug: found '$got', want '$want'"
    [ -z "$text" ] || "$G" check "$tmp/$bug.db" 2>&1 | grep -q "$text" ||
        err "$bug: no '$text' in the report"
    got=$(found "$tmp/$twin.db")
    [ -z "$got" ] || err "$twin: found '$got', want nothing"
}

# The three calls on the destroyed mutex, three findings, each naming
# the lock that was destroyed (made by pthread_mutex_init in
# destroyed_lock()).
pair destroyed_lock ok_destroyed_lock \
    "misuse/use_of_destroyed_lock misuse/use_of_destroyed_lock misuse/use_of_destroyed_lock" \
    "lock or unlock of a destroyed mutex: mutex"
pair relock_errorcheck ok_relock_errorcheck "misuse/relock_by_holder" \
    "lock asked for again by the thread that holds it.*: mutex made at"
pair relock_rwlock ok_relock_rwlock \
    "misuse/relock_by_holder misuse/relock_by_holder" \
    "lock asked for again by the thread that holds it.*: rwlock rw"
pair rwlock_not_held ok_rwlock_not_held "misuse/unlock_of_rwlock_not_held" \
    "rwlock unlock by a thread that holds no lock on it: rwlock rw"
pair bad_deadline ok_deadline \
    "misuse/invalid_deadline misuse/invalid_deadline" \
    "timed wait or lock given a deadline whose nanoseconds are not in .* cond cv"
pair cond_two_mutexes ok_cond_two_mutexes \
    "misuse/cond_wait_with_two_mutexes" \
    "condition wait with a mutex other than the one another thread waits .*: cond cv"
pair barrier_zero ok_barrier_zero "misuse/barrier_count_zero" \
    "barrier initialised with a count of 0"
pair sem_destroy_busy ok_sem_destroy "misuse/destroy_of_busy_object" \
    "destroy of a semaphore or barrier that threads wait on: sem sem"
pair sem_reinit_busy ok_sem_reinit "misuse/reinit_of_busy_object" \
    "initialisation again of .*: sem sem"
# The waiter that the destroy strands is left blocked at the exit.
pair barrier_destroy_busy ok_barrier_destroy \
    "leaked_thread misuse/destroy_of_busy_object" \
    "destroy of a semaphore or barrier that threads wait on: barrier bar"
# The waiter in the old round is left stranded, blocked at the exit.
pair barrier_reinit_busy ok_barrier_reinit \
    "leaked_thread misuse/reinit_of_busy_object" \
    "initialisation again of .*: barrier bar"
# The unlock after the mutex was made again finds it unlocked.
pair mutex_reinit_busy ok_mutex_reinit \
    "misuse/reinit_of_busy_object misuse/unlock_of_unlocked" \
    "initialisation again of .*: mutex made at"
pair rwlock_reinit_busy ok_rwlock_reinit "misuse/reinit_of_busy_object" \
    "initialisation again of .*: rwlock made at"
pair sem_destroyed_wait ok_sem_destroyed_wait \
    "misuse/wait_on_destroyed_semaphore" \
    "wait on a destroyed semaphore: sem sem"
pair end_holding ok_end_holding "misuse/exit_while_holding_lock" \
    "thread or process exit while holding a lock: mutex m1 .* by main"
pair exit_holding ok_exit_holding "misuse/exit_while_holding_lock" \
    "thread or process exit while holding a lock: rwlock rw .* by main"
# Signalling outside the mutex is Helgrind's opt-in "dubious" check:
# silent by default (pair's runs), reported with check_signal_mutex=1;
# the twin signals inside it and stays silent with the option too.
pair signal_outside ok_signal_inside ""
for mode in signal_outside ok_signal_inside; do
    GCTRACE_OPTIONS=exitcode=0:check_signal_mutex=1 "$G" run -q \
        -o "$tmp/$mode.opt.db" -- "$tmp/pm" "$mode" > "$tmp/$mode.opt" ||
        err "$mode, check_signal_mutex=1: run failed"
    cmp -s "$tmp/$mode.native" "$tmp/$mode.opt" ||
        err "$mode, check_signal_mutex=1: answers differ"
done
got=$(found "$tmp/signal_outside.opt.db")
[ "$got" = "misuse/cond_signal_without_mutex" ] ||
    err "signal_outside, check_signal_mutex=1: found '$got'"
got=$(found "$tmp/ok_signal_inside.opt.db")
[ -z "$got" ] || err "ok_signal_inside, check_signal_mutex=1: found '$got'"
e2e_end test_pthread_misuse
