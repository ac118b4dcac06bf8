#!/bin/sh
# test_real_make.sh BUILD - `make -j2` of a small generated C project
# under `gctrace run`: make starts cc, which starts cc1, as and ld, so the
# trace must follow grandchildren.  The build must succeed as natively,
# with byte-identical objects and program, every process must be in the
# trace, and there must be no findings.  See docs/real-programs.md.
set -u
. "$(dirname "$0")/lib.sh"
GCTRACE_OPTIONS=exitcode=0
export GCTRACE_OPTIONS

ms() { echo $(($(date +%s%N) / 1000000)); }

for t in make cc sqlite3; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 0; }
done

p=$tmp/proj
mkdir "$p" || exit 1
for i in 1 2 3 4 5 6; do
    printf 'int f%d(int x) { return x * %d + %d; }\n' $i $i $i >"$p/f$i.c"
done
{
    for i in 1 2 3 4 5 6; do echo "int f$i(int);"; done
    echo '#include <stdio.h>'
    echo 'int main(void) { int s = 0;'
    for i in 1 2 3 4 5 6; do echo "s += f$i($i);"; done
    printf '%s\n' 'printf("%d\n", s); return 0; }'
} >"$p/main.c"
# recipes without -g: objects do not depend on the build's directory
cat >"$p/Makefile" <<'EOF'
OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o
prog: $(OBJS)
	$(CC) -o $@ $(OBJS)
%.o: %.c
	$(CC) -O1 -c -o $@ $<
clean:
	rm -f prog $(OBJS)
EOF

# build WHAT [gctrace run ...]: make -s -j2 in the project; its stdout,
# then the program's output and the checksums of what was built.
build() {
    w=$1; shift
    (cd "$p" && "$@" make -s -j2) >"$tmp/$w.out" 2>"$tmp/$w.err"
    rc=$?
    (cd "$p" && ./prog && sha256sum ./*.o prog) >>"$tmp/$w.out" 2>&1
    (cd "$p" && make -s clean)
    return $rc
}

t0=$(ms)
build nat
nrc=$?
t1=$(ms)
build tr "$G" run -q -o "$tmp/t.db" --
trc=$?
t2=$(ms)
echo "time make: native $((t1 - t0)) ms, traced $((t2 - t1)) ms"
[ $nrc -eq 0 ] || err "native make exit $nrc: $(head -c 300 "$tmp/nat.err")"
[ $trc -eq $nrc ] || err "traced make exit $trc, native $nrc: $(head -c 300 "$tmp/tr.err")"
cmp -s "$tmp/nat.out" "$tmp/tr.out" || err "traced build differs from native"

"$G" report "$tmp/t.db" >/dev/null 2>"$tmp/rerr" ||
    err "trace does not open: $(cat "$tmp/rerr")"
# Every image: make, and per object cc, cc1 and as.  A process that
# re-created the raw log would have wiped the earlier ones.
for exe in make cc1 as; do
    c=$(sqlite3 "$tmp/t.db" "SELECT count(*) FROM processes WHERE exe LIKE '%/$exe'
                             OR exe LIKE '%-$exe'" 2>&1)
    case $exe in make) want=1 ;; *) want=7 ;; esac
    [ "$c" = "$want" ] || err "$c $exe processes in the trace, want $want"
done
"$G" check --format json "$tmp/t.db" >"$tmp/j" 2>&1
crc=$?
[ $crc -eq 0 ] || err "check exit $crc: $(head -c 600 "$tmp/j")"

[ $fail -eq 0 ] && echo "test_real_make: ok"
exit $fail
