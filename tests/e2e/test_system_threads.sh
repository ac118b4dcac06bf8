#!/bin/sh
# Whose thread is it: a thread that a system library makes and keeps, or
# that ends holding the library's lock, is information (severity 0,
# origin "system"), shown but not counted, unless fail_system=1; a
# thread the library runs the program's code on is the program's; and a
# library outside the system's directories is the program's own unless
# system_modules names it.  The options are kept in the trace for later
# checks; suppressions name a finding by its thread's name.
# Usage: tests/e2e/test_system_threads.sh BUILD_DIR
set -u
. "$(dirname "$0")/lib.sh"

cc -O1 -g -shared -fPIC -pthread -o "$tmp/libkeeper.so" \
    "$here/progs/keeper_lib.c" || exit 1
cc -O1 -g -pthread -o "$tmp/keeper" "$here/progs/keeper_main.c" \
    -L"$tmp" -lkeeper -Wl,-rpath,"$tmp" || exit 1
sys="system_modules=*/libkeeper.so"

found() {
    "$G" check --format json "$1" | python3 -c 'import json,sys
print(" ".join(sorted("%s:%d:%s" % (f["kind"] + ("/" + f["subkind"] if f.get("subkind") else ""), f["severity"], f["origin"])
    for f in json.load(sys.stdin)["findings"])))'
}

# case NAME MODE OPTIONS WANT_STATUS WANT_CHECK_STATUS WANT_FINDINGS
case_() {
    GCTRACE_OPTIONS=$3 "$G" run -q -o "$tmp/$1.db" -- "$tmp/keeper" "$2" \
        > /dev/null 2>&1
    st=$?
    [ "$st" -eq "$4" ] || err "$1: exit status $st, want $4"
    "$G" check "$tmp/$1.db" > "$tmp/$1.txt"
    st=$?
    [ "$st" -eq "$5" ] || err "$1: check's status $st, want $5"
    got=$(found "$tmp/$1.db")
    [ "$got" = "$6" ] || err "$1: found '$got', want '$6'"
}

case_ keep_sys keep "$sys" 0 0 "leaked_thread:0:system"
grep -q "information, not counted" "$tmp/keep_sys.txt" ||
    err "keep_sys: check's text does not say the finding is information"
case_ keep_own keep "" 66 1 "leaked_thread:2:program"
case_ keep_fail keep "$sys:fail_system=1" 66 1 "leaked_thread:2:system"
case_ keep_owned keep "$sys:own_modules=*keeper*" 66 1 \
    "leaked_thread:2:program"
case_ callback_sys callback "$sys" 66 1 "leaked_thread:2:program"
case_ holding_sys holding "$sys" 0 0 "misuse/exit_while_holding_lock:0:system"
case_ holding_own holding "" 66 1 "misuse/exit_while_holding_lock:2:program"

# The analysing command's options win over the trace's.
GCTRACE_OPTIONS=fail_system=1 "$G" check "$tmp/keep_sys.db" > /dev/null
[ $? -eq 1 ] || err "check with fail_system=1: want status 1"
# A suppression by the thread's name.
printf 'misuse/exit_while_holding_lock:*keeper-vm*\n' > "$tmp/supp"
"$G" check --suppressions "$tmp/supp" "$tmp/holding_own.db" > /dev/null
[ $? -eq 0 ] || err "suppressed by thread name: want status 0"
printf 'misuse/unlock_of_unlocked_lock:*\n' > "$tmp/supp"
"$G" check --suppressions "$tmp/supp" "$tmp/holding_own.db" > /dev/null
[ $? -eq 1 ] || err "a rule for another subkind suppressed the finding"
e2e_end test_system_threads
