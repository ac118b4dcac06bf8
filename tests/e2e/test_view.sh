#!/bin/sh
# test_view.sh BUILD - drives the real `gctrace view` in a detached tmux
# session at 80x24, as a person would: sees the finding of bug_lock_order,
# opens it to its stack (libgoc's frames in one line), visits every view, searches the events, opens the
# help, survives a resize and a too-small terminal, says which channel
# counts the mode did not record, quits, and checks that
# the terminal is restored.  Also: a missing trace is one "gctrace:" line
# and exit 2 without curses; TERM=vt100 (no colour) still renders.
# Screens are polled (up to 5 s each), never waited for blindly.
set -u
. "$(dirname "$0")/lib.sh"
if ! command -v tmux >/dev/null 2>&1; then
    echo "test_view: skipped (no tmux)"
    exit 0
fi
sock=gct-view-$$
T() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
err() { echo "FAIL: test_view: $*" >&2; fail=1; }

"$G" run -q -o "$tmp/lo.db" -- "$B/samples/bug_lock_order" >/dev/null 2>&1
[ -s "$tmp/lo.db" ] || { err "no trace recorded"; exit 1; }

# A missing trace: exit 2, one gctrace: line, nothing on stdout (no curses).
"$G" view /nonexistent/trace.db >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || err "view /nonexistent: exit $rc, want 2"
[ -s "$tmp/out" ] && err "view /nonexistent wrote to stdout (curses?)"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^gctrace: ' "$tmp/err" ||
    err "view /nonexistent: want one gctrace: line, got: $(cat "$tmp/err")"

screen() { T capture-pane -p -t "$1"; }
# wait_for SESSION TEXT DESC - polls the screen until it shows TEXT;
# wait_re: the same for an extended regular expression.
wait_for() { grep_opt=-qF; wait_screen "$@"; }
wait_re() { grep_opt=-qE; wait_screen "$@"; }
wait_screen() {
    i=0
    while [ $i -lt 50 ]; do
        screen "$1" | grep "$grep_opt" -- "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    err "$3: screen never showed '$2'; it shows:
$(screen "$1" | sed 's/^/    | /')"
    return 1
}
keys() { s=$1; shift; for k in "$@"; do T send-keys -t "$s" "$k"; sleep 0.02; done; }

# start SESSION [ENV...] - the viewer in a shell that reports its exit and
# then stays, so the restored terminal can be inspected.
start() {
    s=$1
    shift
    T new-session -d -x 80 -y 24 -s "$s" \
        "env $* '$G' view '$tmp/lo.db'; echo VIEW-EXIT=\$?; exec cat" ||
        err "tmux new-session failed"
}

start v
# Without a first screen nothing else can pass: stop rather than time out
# on every later step.
wait_for v "lock_order_cycle" "findings view" || exit 1
wait_for v "press ? for help" "title line"
screen v | head -n 1 | grep -q '\[1 finding\]' || err "no [1 finding] badge"
keys v Enter
wait_for v "bug_lock_order.c:" "finding's stack"
# libgoc's frames as one line, as in the text report
wait_for v "(libgoc: goc__entry_trampoline)" "libgoc's frames in one line"
keys v q
wait_for v "[findings]" "pane closed"
for pair in "2:[threads]" "3:[timeline]" "4:[locks]" "5:[channels]" \
            "6:[lock order]" "7:[events]"; do
    keys v "${pair%%:*}"
    wait_for v "${pair#*:}" "view ${pair%%:*}"
done
keys v 3
wait_re v "alice->bob +\|" "timeline lane"
# Lanes sort (s: creation, name, blocked; I inverts) and filter (\).
keys v s
wait_for v "sort: name" "timeline sort by name"
keys v I
wait_for v "sort: name (inv)" "timeline sort inverted"
# the main thread's lane is "main", which sorts after both goroutines
screen v | sed -n 3p | grep -q '^[0-9]* main' ||
    err "timeline: name sort inverted does not put main first"
screen v | sed -n 4p | grep -q '^[0-9]* bob->alice' ||
    err "timeline: name sort inverted does not put bob->alice second"
keys v I s s
wait_for v "sort: created" "timeline sort cycles back to creation order"
keys v "\\" alice- Enter
wait_for v "filter: alice-" "timeline filter"
screen v | grep -qE "bob->alice +\|" && err "timeline filter kept bob->alice"
screen v | grep -qE "alice->bob +\|" || err "timeline filter lost alice->bob"
keys v Escape
wait_re v "bob->alice +\|" "timeline filter cleared by Esc"
# c: rows per lock class; bug_lock_order's accounts are static locks.
keys v 4 c
wait_for v "rows: per class" "locks per class"
wait_for v "static mutex alice+0x8 (0x" "static lock as its own class row, by its symbol"
keys v c
wait_for v "rows: per lock" "locks per lock again"
keys v 6
wait_for v "C mutex" "lock-order edge marked as a cycle"
wait_for v "mutex alice+0x8 (0x" "lock-order edge names its lock by its symbol"
keys v 7 / bob Enter
wait_for v "found: bob" "search in events"
screen v | grep -E '^ +[0-9]+ .*bob->ali' >/dev/null || err "no bob event listed"
# The events filter: thread:TID, object:ID, or a kind name substring; the
# status line counts the matching events.
for f in "thread:$(sqlite3 "$tmp/lo.db" "SELECT tid FROM threads
            WHERE name = 'bob->alice'")|thread_id IN (SELECT id FROM threads
            WHERE name = 'bob->alice')" \
         "object:2|object_id = 2" "lock|kind IN (SELECT kind FROM
            event_kinds WHERE name LIKE '%lock%')"; do
    n=$(sqlite3 "$tmp/lo.db" "SELECT count(*) FROM events WHERE ${f#*|}")
    keys v "\\" "${f%%|*}" Enter
    wait_for v "[events] 1 of $n " "events filter ${f%%|*} ($n events)"
    keys v Escape
    wait_for v "filter cleared" "events filter ${f%%|*} cleared"
done
keys v '?'
wait_for v "Help: keys" "help" && wait_for v "quit" "help lists quit"
T resize-window -t v -x 100 -y 30
i=0
while [ $i -lt 50 ] && [ "$(screen v | wc -l)" -ne 30 ]; do
    sleep 0.1; i=$((i + 1))
done
screen v | tail -n 1 | grep -q '\[pane\]' ||
    err "after resize to 100x30 the status line is not at the bottom"
T resize-window -t v -x 50 -y 12
wait_for v "terminal too small" "too small"
T resize-window -t v -x 80 -y 24
wait_for v "Help: keys" "redrawn at 80x24"
keys v q Q
wait_for v "VIEW-EXIT=0" "Q quits with status 0"
screen v | grep -qF "press ? for help" && err "curses screen left behind after Q"

# A class row sums its locks: give both accounts one class, a stack
# (as one call path that made both would), whose innermost frame names
# the row: one in bug_lock_order.c where there is one (under ASan the
# innermost frame of a stack may be the runtime's).
cp "$tmp/lo.db" "$tmp/cls.db"
sqlite3 "$tmp/cls.db" "UPDATE objects SET class_id = (SELECT sf.stack_id
    FROM stack_frames sf JOIN frames f ON f.id = sf.frame_id
    WHERE sf.idx = 0 AND f.line > 0 AND f.function IS NOT NULL
    ORDER BY f.file LIKE '%bug_lock_order.c' DESC, sf.stack_id LIMIT 1)
    WHERE id IN (SELECT object_id FROM lock_stats)"
# the row's label as the view makes it (the file without its
# directories), cut at 34 columns
label="substr('class ' || f.function || ' (' ||
    replace(f.file, rtrim(f.file, replace(f.file, '/', '')), '') || ':' ||
    f.line || ')', 1, 34)"
fn=$(sqlite3 "$tmp/cls.db" "SELECT $label FROM objects o
    JOIN stack_frames sf ON sf.stack_id = o.class_id AND sf.idx = 0
    JOIN frames f ON f.id = sf.frame_id LIMIT 1")
cls=$(sqlite3 "$tmp/cls.db" "SELECT $label || ' ' || count(*) || ' ' ||
    sum(s.acquisitions) || ' ' || sum(s.contended) FROM lock_stats s
    JOIN objects o ON o.id = s.object_id
    JOIN stack_frames sf ON sf.stack_id = o.class_id AND sf.idx = 0
    JOIN frames f ON f.id = sf.frame_id")
[ -n "$fn" ] || err "class row: no stack with a source line to make a class of"
T new-session -d -x 80 -y 24 -s x "'$G' view '$tmp/cls.db'; exec cat"
wait_for x "press ? for help" "class trace opened"
keys x 4 c
wait_for x "$fn" "class row"
screen x | grep -F "$fn" | awk '{ print $1, $2, $3, $4, $5, $6 }' |
    grep -qxF "$cls" ||
    err "class row: want '$cls', got '$(screen x | grep -F "$fn")'"
keys x Enter
wait_for x "the locks made on this call path" "class pane"
keys x Q

# The channels view: sends and receives that did not block are recorded
# only under record=all; otherwise it says so rather than "0 sent".  (A
# wide terminal: the row is longer than 80 columns.)
for rec in blocking all; do
    GCTRACE_OPTIONS=record=$rec "$G" run -q -o "$tmp/ch_$rec.db" -- \
        "$B/samples/pattern_pipeline" > /dev/null 2>&1
    T new-session -d -x 200 -y 24 -s "ch$rec" "'$G' view '$tmp/ch_$rec.db'; exec cat"
    wait_for "ch$rec" "press ? for help" "channels trace ($rec) opened"
    keys "ch$rec" 5
    wait_for "ch$rec" "[channels]" "channels view ($rec)"
done
wait_for chblocking "sent/received: not recorded (record=all)" "channel counts not recorded"
screen chblocking | grep -qE " 0 sent" && err "blocking: a channel shows 0 sent"
wait_re chall " [1-9][0-9]* sent, [1-9][0-9]* received" "channel counts under record=all"
keys chblocking Q
keys chall Q

# q at the top level quits too; TERM=vt100 has no colour and still renders.
start w TERM=vt100
wait_for w "lock_order_cycle" "TERM=vt100 findings view"
keys w 2
wait_for w "[threads]" "TERM=vt100 threads view"
keys w q
wait_for w "VIEW-EXIT=0" "q at the top level quits"
screen w | grep -qF "press ? for help" && err "curses screen left behind after q"

[ $fail -eq 0 ] && echo "test_view: ok"
exit $fail
