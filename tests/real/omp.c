/* omp.c - an OpenMP program as such programs are usually written: a
 * parallel for with a reduction, a dynamic schedule over uneven work, a
 * critical section, and tasks.  Built by tests/real/run.sh twice, with
 * gcc -fopenmp (libgomp) and with clang -fopenmp (LLVM's libomp).
 * Everything it prints is independent of the schedule and of the
 * number of threads. */
#include <omp.h>
#include <stdio.h>

static unsigned long collatz(unsigned long n)
{
    unsigned long steps = 0;
    while (n != 1) {
        n = (n & 1) ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

static unsigned long fib(int n)
{
    unsigned long a, b;
    if (n < 20) {
        unsigned long x = 0, y = 1;
        for (int i = 0; i < n; i++) {
            unsigned long t = x + y;
            x = y;
            y = t;
        }
        return x;
    }
#pragma omp task shared(a)
    a = fib(n - 1);
#pragma omp task shared(b)
    b = fib(n - 2);
#pragma omp taskwait
    return a + b;
}

int main(void)
{
    enum { N = 300000 };
    unsigned long total = 0, longest = 0, arg = 0;
    int teams = 0;

#pragma omp parallel for reduction(+ : total) schedule(dynamic, 1000)
    for (unsigned long i = 1; i <= N; i++)
        total += collatz(i);

#pragma omp parallel for schedule(static)
    for (unsigned long i = 1; i <= N; i++) {
        unsigned long s = collatz(i);
        if (s >= longest) {
#pragma omp critical
            if (s > longest || (s == longest && i < arg)) {
                longest = s;
                arg = i;
            }
        }
    }

    unsigned long f = 0;
#pragma omp parallel
    {
#pragma omp atomic
        teams++;
#pragma omp single
        f = fib(30);
    }

    printf("collatz steps 1..%d: %lu\n", N, total);
    printf("longest: %lu steps from %lu\n", longest, arg);
    printf("fib(30) with tasks: %lu\n", f);
    printf("threads in a team: %s\n", teams >= 1 ? "at least one" : "none");
    return 0;
}
