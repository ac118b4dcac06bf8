# py_threading.py - CPython threads: a worker pool on queue.Queue, a Lock,
# an Event, a Barrier, a Semaphore, a Condition, a Timer, and
# concurrent.futures.ThreadPoolExecutor.  Every thread is joined.  What
# it prints does not depend on the schedule.
import concurrent.futures as cf
import hashlib
import queue
import threading

q = queue.Queue()
out = []
lock = threading.Lock()


def worker():
    while True:
        item = q.get()
        if item is None:
            q.task_done()
            return
        h = hashlib.sha256(str(item).encode()).hexdigest()
        with lock:
            out.append((item, h))
        q.task_done()


ts = [threading.Thread(target=worker) for _ in range(4)]
for t in ts:
    t.start()
for i in range(2000):
    q.put(i)
for t in ts:
    q.put(None)
q.join()
for t in ts:
    t.join()

ev = threading.Event()
bar = threading.Barrier(3)
sem = threading.Semaphore(2)
got = []


def gated(i):
    bar.wait()
    with sem:
        ev.wait()
        with lock:
            got.append(i)


gs = [threading.Thread(target=gated, args=(i,)) for i in range(2)]
for t in gs:
    t.start()
bar.wait()
ev.set()
for t in gs:
    t.join()

cond = threading.Condition()
box = []


def producer():
    for i in range(100):
        with cond:
            box.append(i)
            cond.notify()


def consumer(n):
    seen = 0
    while seen < n:
        with cond:
            while not box:
                cond.wait()
            box.pop()
            seen += 1


c = threading.Thread(target=consumer, args=(100,))
p = threading.Thread(target=producer)
c.start()
p.start()
p.join()
c.join()

fired = threading.Event()
tm = threading.Timer(0.01, fired.set)
tm.start()
tm.join()


def work(i):
    return i, hashlib.sha256(str(i).encode() * 100).hexdigest()


with cf.ThreadPoolExecutor(max_workers=2) as ex:
    digest = hashlib.sha256()
    for i, h in ex.map(work, range(2000)):
        digest.update(h.encode())

digest2 = hashlib.sha256()
for item, h in sorted(out):
    digest2.update(h.encode())
print("queue workers:", len(out), digest2.hexdigest())
print("gated:", sorted(got))
print("condition: box left", len(box))
print("timer fired:", fired.is_set())
print("executor:", digest.hexdigest())
