-- The gctrace trace format, version 4.  Documented in docs/trace-format.md.
-- Times are nanoseconds since the start of the run (CLOCK_MONOTONIC).
-- Addresses are stored as signed 64-bit integers (sqlite's INTEGER).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE processes (
    pid          INTEGER PRIMARY KEY,
    ppid         INTEGER,
    exe          TEXT,
    argv         TEXT,          -- arguments joined by spaces
    start_ns     INTEGER,
    end_ns       INTEGER,       -- NULL: no clean end was recorded
    exit_status  INTEGER,       -- NULL when unknown
    term_signal  INTEGER,       -- the signal that killed it, when known
    running      INTEGER        -- 1: still running when the trace was
                                -- finished (a daemon that outlives the
                                -- program): nothing of it is left over yet
);

CREATE TABLE threads (
    id           INTEGER PRIMARY KEY,
    pid          INTEGER,
    tid          INTEGER,
    handle       INTEGER,       -- pthread_t
    name         TEXT,          -- goroutine or thread name
    start_routine TEXT,         -- the function pthread_create started
    goid         INTEGER,       -- libgoc goroutine id
    parent_id    INTEGER REFERENCES threads(id),
    create_stack INTEGER REFERENCES stacks(id),
    start_ns     INTEGER,
    end_ns       INTEGER,       -- NULL: alive when the process ended
    detached     INTEGER DEFAULT 0,
    joined_by    INTEGER REFERENCES threads(id),
    locks_at_exit INTEGER DEFAULT 0,
    end_state    TEXT           -- exited | joined | detached | running |
                                -- blocked (alive at the end)
);

CREATE TABLE objects (
    id           INTEGER PRIMARY KEY,
    kind         TEXT,          -- object_kinds.name: mutex rwlock cond sem
                                -- barrier chan ctx waitgroup thread ...
    addr         INTEGER,
    pid          INTEGER,
    name         TEXT,          -- the name the program gave it
    symbol       TEXT,          -- the variable it lies in: sym or sym+0xOFF
    flags        INTEGER,       -- GCT_LOCK_* for locks
    created_ns   INTEGER,
    destroyed_ns INTEGER,
    create_stack INTEGER REFERENCES stacks(id), -- init, make, or first use
    class_id     INTEGER,       -- locks made by an init call: a stack
                                -- (stacks.id), the first made on the
                                -- same call path (innermost 8 frames);
                                -- NULL for static initialisers
    elem_size    INTEGER,       -- channels
    capacity     INTEGER,       -- channels
    closed_ns    INTEGER,       -- channels
    parent_id    INTEGER,       -- contexts
    ctx_kind     TEXT,          -- contexts: cancel deadline value signal group
    cancel_ns    INTEGER,       -- contexts
    cancel_how   TEXT,          -- explicit parent deadline free
    cancel_cause INTEGER
);

-- The vocabulary: what the numbers in the other tables mean, written
-- from common/event.h.  Query by name or property rather than by number:
-- e.kind = (SELECT kind FROM event_kinds WHERE name = 'proc_exit'),
-- w.reason IN (SELECT reason FROM wait_reasons WHERE is_lock).
CREATE TABLE event_kinds (
    kind INTEGER PRIMARY KEY,
    name TEXT
);

CREATE TABLE wait_reasons (
    reason       INTEGER PRIMARY KEY,
    name         TEXT,
    object_kind  TEXT,      -- what the wait is on (objects.kind); NULL:
                            -- no single object (sleep, select)
    is_lock      INTEGER,   -- 1: a mutex or rwlock wait (holder_tid)
    ends_holding INTEGER,   -- 1: it ends with a lock held (a lock's, a
                            -- condvar's): the waits wait_sites counts
    has_owner    INTEGER    -- 1: one known thread ends it: a lock's
                            -- holder, the thread joined
);

CREATE TABLE object_kinds (
    kind INTEGER PRIMARY KEY,   -- lock_init events' a, misuse events' b
    name TEXT                   -- objects.kind
);

CREATE TABLE misuse_kinds (
    subkind INTEGER PRIMARY KEY, -- misuse events' a
    name    TEXT,                -- the finding's subkind
    meaning TEXT
);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY,  -- time order
    ts        INTEGER,
    thread_id INTEGER REFERENCES threads(id),
    kind      INTEGER REFERENCES event_kinds(kind),
    object_id INTEGER REFERENCES objects(id),
    a         INTEGER,
    b         INTEGER,
    stack_id  INTEGER REFERENCES stacks(id),
    text      TEXT
);

CREATE TABLE waits (
    id         INTEGER PRIMARY KEY,
    thread_id  INTEGER REFERENCES threads(id),
    object_id  INTEGER REFERENCES objects(id),
    reason     INTEGER REFERENCES wait_reasons(reason),
    begin_ns   INTEGER,
    end_ns     INTEGER,             -- NULL: still waiting at the end
    result     INTEGER,
    stack_id   INTEGER REFERENCES stacks(id),
    holder_tid INTEGER,             -- locks: the owner when the wait began
    timed      INTEGER DEFAULT 0,   -- 1: the wait had a timeout of its own
    external   INTEGER DEFAULT 0    -- 1: another process or a signal
                                    -- handler may end it (a process-shared
                                    -- object; a semaphore wait while a
                                    -- handler may run)
);

-- Waits on a lock or a condvar that ended, per thread, object, reason and
-- stack: those the recorder counted without writing them one by one (they
-- ended within the wait_threshold_us option's time) and those in `waits`.
-- A contended loop's trace grows with its call paths, not its length.
CREATE TABLE wait_sites (
    thread_id     INTEGER REFERENCES threads(id),
    object_id     INTEGER REFERENCES objects(id),
    reason        INTEGER REFERENCES wait_reasons(reason),
    stack_id      INTEGER REFERENCES stacks(id),
    waits         INTEGER,          -- ended waits in `waits`
    counted       INTEGER,          -- short waits counted, not in `waits`
    wait_ns_total INTEGER,          -- of both
    wait_ns_max   INTEGER,
    hist          TEXT              -- how many of both lasted under 1 us,
                                    -- 1-4 us, 4-16 us, ... (powers of 4;
                                    -- the 10th: 65 ms and longer)
);

CREATE TABLE select_cases (
    wait_id   INTEGER REFERENCES waits(id),
    object_id INTEGER REFERENCES objects(id),
    op        TEXT                  -- send | recv
);

CREATE TABLE stacks (
    id    INTEGER PRIMARY KEY,
    depth INTEGER
);

CREATE TABLE frames (
    id       INTEGER PRIMARY KEY,
    pc       INTEGER,
    module   TEXT,
    function TEXT,
    file     TEXT,
    line     INTEGER,
    inlined  INTEGER DEFAULT 0,     -- 1: an inlined call inside the next
    offset   INTEGER                -- pc in the module's file (pc minus its
                                    -- load bias), as addr2line -e MODULE
                                    -- takes it; NULL: no module known
);

CREATE TABLE modules (
    path     TEXT PRIMARY KEY,      -- frames.module
    build_id TEXT                   -- its GNU build-id, hexadecimal; NULL:
                                    -- none (what addr2line or debuginfod
                                    -- need to resolve its offsets later)
);

CREATE TABLE stack_frames (
    stack_id INTEGER REFERENCES stacks(id),
    idx      INTEGER,               -- 0 = innermost
    frame_id INTEGER REFERENCES frames(id),
    PRIMARY KEY (stack_id, idx)
) WITHOUT ROWID;

CREATE TABLE lock_edges (
    id          INTEGER PRIMARY KEY,
    from_id     INTEGER REFERENCES objects(id),  -- held
    to_id       INTEGER REFERENCES objects(id),  -- acquired
    thread_id   INTEGER REFERENCES threads(id),
    ts          INTEGER,
    from_flags  INTEGER,
    to_flags    INTEGER,
    stack_id    INTEGER REFERENCES stacks(id),   -- where `to` was taken
    from_frame  INTEGER REFERENCES frames(id),   -- where `from` was taken
    gate_ids    TEXT            -- other locks held at the time, comma list
);

CREATE TABLE lock_stats (
    object_id     INTEGER PRIMARY KEY REFERENCES objects(id),
    acquisitions  INTEGER,
    contended     INTEGER,
    wait_ns_total INTEGER,
    wait_ns_max   INTEGER,
    hold_ns_total INTEGER,          -- record=all only
    hold_ns_max   INTEGER
);

CREATE TABLE findings (
    id       INTEGER PRIMARY KEY,
    kind     TEXT,
    subkind  TEXT,
    severity INTEGER,               -- 3 deadlock .. 1 hygiene
    message  TEXT,
    ts       INTEGER,
    json     TEXT                   -- the finding as `check --format json`
);

CREATE TABLE finding_refs (
    finding_id INTEGER REFERENCES findings(id),
    role       TEXT,                -- what this thread/object/stack is
    thread_id  INTEGER,
    object_id  INTEGER,
    stack_id   INTEGER
);

-- Readable stacks: one row per frame.
CREATE VIEW stack_text AS
    SELECT sf.stack_id, sf.idx, f.function, f.file, f.line, f.module, f.pc,
           f.offset
    FROM stack_frames sf JOIN frames f ON f.id = sf.frame_id;

-- Threads alive when the process ended, and what they were blocked on.
CREATE VIEW blocked_at_end AS
    SELECT t.id AS thread_id, t.tid, t.name, w.reason, r.name AS waiting_on,
           o.kind AS object_kind, o.name AS object_name, w.begin_ns,
           w.stack_id
    FROM threads t
    JOIN waits w ON w.thread_id = t.id AND w.end_ns IS NULL
    JOIN wait_reasons r ON r.reason = w.reason
    LEFT JOIN objects o ON o.id = w.object_id
    WHERE t.end_ns IS NULL;

-- Locks by time spent waiting for them.
CREATE VIEW contended_locks AS
    SELECT o.id, o.kind, o.name, o.addr, s.acquisitions, s.contended,
           s.wait_ns_total, s.wait_ns_max
    FROM lock_stats s JOIN objects o ON o.id = s.object_id
    ORDER BY s.wait_ns_total DESC;

-- indexes: made after the data is in (faster than maintaining them row by
-- row), and only for a trace of 100,000 records or more (common/trace_write.c:
-- a smaller one's tables are scanned in milliseconds).  events.id is
-- already in time order.  The finishing step runs what comes before this
-- line first, so this part stays last.
CREATE INDEX events_by_thread ON events(thread_id, ts);
CREATE INDEX events_by_object ON events(object_id, ts);
CREATE INDEX events_by_kind ON events(kind);
CREATE INDEX waits_by_thread ON waits(thread_id, begin_ns);
CREATE INDEX waits_by_object ON waits(object_id);
CREATE INDEX objects_by_addr ON objects(addr);
CREATE INDEX select_cases_by_wait ON select_cases(wait_id);
