# py_multiprocessing.py - multiprocessing with the default start method
# (fork on Linux): a Pool of two worker processes (with the pool's own
# handler threads in the parent), a Process fed by a Queue (with its
# feeder thread), a Manager's server process, a shared Value under its
# Lock.  Every process is joined.  What it prints does not depend on the
# schedule.
import hashlib
import multiprocessing as mp


def work(i):
    return hashlib.sha256(str(i).encode() * 50).hexdigest()


def square_all(inq, outq):
    while True:
        v = inq.get()
        if v is None:
            break
        outq.put(v * v)


def add(counter, n):
    for _ in range(n):
        with counter.get_lock():
            counter.value += 1


if __name__ == "__main__":
    with mp.Pool(2) as pool:
        d = hashlib.sha256()
        for h in pool.map(work, range(2000), chunksize=50):
            d.update(h.encode())
        r = pool.apply_async(sum, (range(1000),))
        total = r.get(timeout=60)
    print("pool:", d.hexdigest(), total)

    inq, outq = mp.Queue(), mp.Queue()
    p = mp.Process(target=square_all, args=(inq, outq))
    p.start()
    for i in range(500):
        inq.put(i)
    inq.put(None)
    squares = sorted(outq.get() for _ in range(500))
    p.join()
    print("queue:", len(squares), sum(squares), p.exitcode)

    counter = mp.Value("i", 0)
    ps = [mp.Process(target=add, args=(counter, 200)) for _ in range(2)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("value:", counter.value)

    with mp.Manager() as m:
        shared = m.dict()
        shared["a"] = 1
        ls = m.list(range(10))
        print("manager:", shared["a"], sum(ls))
