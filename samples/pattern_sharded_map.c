/*
 * pattern_sharded_map.c - a concurrent map split into shards, each behind
 * its own RWMutex.
 *
 * Go idiom mirrored (the sharded map of the guides):
 *
 *     type shard struct {
 *         sync.RWMutex
 *         data map[string]interface{}
 *     }
 *     func (m *ShardedMap) getShard(key string) *shard {
 *         h := 0
 *         for _, c := range key { h = 31*h + int(c) }
 *         return m.shards[h%m.numShards]
 *     }
 *     Get: shard.RLock(); defer shard.RUnlock(); ...
 *     Set: shard.Lock();  defer shard.Unlock();  ...
 *
 * What to look at:
 *  - writers to different shards never wait for each other, and readers
 *    of one shard only wait for a writer of that same shard: one big lock
 *    would serialise them all;
 *  - readers take the read lock, so they run side by side;
 *  - a key always maps to the same shard, and no operation ever holds two
 *    shard locks, so there is no lock order to get wrong.
 *
 * Four writers count word occurrences ("word count"), four readers look
 * words up meanwhile; the final counts are exact.
 */
#include <goc.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NUM_SHARDS = 4, NUM_BUCKETS = 8, NUM_WRITERS = 4, NUM_READERS = 4,
       ROUNDS = 250 };

struct entry {
    struct entry *next;
    char *key;
    long value;
};

/* One shard: a small chained hash table.  mu protects buckets, the
 * entries and their values. */
struct shard {
    goc_rwmutex mu;
    struct entry *buckets[NUM_BUCKETS];
    int size;
};

struct sharded_map {
    struct shard shards[NUM_SHARDS];
};

static const char *const words[] = {
    "go", "chan", "select", "mutex", "once", "context", "errgroup", "ticker",
};
enum { NUM_WORDS = sizeof(words) / sizeof(words[0]) };

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

static unsigned
hash(const char *key)
{
    unsigned h = 0;

    while (*key)
        h = 31 * h + (unsigned char)*key++;
    return h;
}

/* The shard is chosen by the hash modulo the shard count; the bucket inside
 * the shard by what is left of the hash, so the two choices do not
 * correlate. */
static struct shard *
get_shard(struct sharded_map *m, const char *key)
{
    return &m->shards[hash(key) % NUM_SHARDS];
}

static struct entry **
bucket(struct shard *s, const char *key)
{
    return &s->buckets[(hash(key) / NUM_SHARDS) % NUM_BUCKETS];
}

/* Get: the read lock, shared with other readers of this shard. */
static bool
map_get(struct sharded_map *m, const char *key, long *value)
{
    struct shard *s = get_shard(m, key);
    bool found = false;

    goc_rwmutex_rlock(&s->mu);
    for (struct entry *e = *bucket(s, key); e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            *value = e->value;
            found = true;
            break;
        }
    }
    goc_rwmutex_runlock(&s->mu);
    return found;
}

/* Add delta to key's value, inserting it at 0 first: the write lock. */
static void
map_add(struct sharded_map *m, const char *key, long delta)
{
    struct shard *s = get_shard(m, key);
    struct entry **head, *e;

    goc_rwmutex_lock(&s->mu);
    head = bucket(s, key);
    for (e = *head; e && strcmp(e->key, key) != 0; e = e->next)
        ;
    if (!e) {
        e = calloc(1, sizeof(*e));
        if (!e || !(e->key = strdup(key))) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        e->next = *head;
        *head = e;
        s->size++;
    }
    e->value += delta;
    goc_rwmutex_unlock(&s->mu);
}

static void
map_free(struct sharded_map *m)
{
    for (int i = 0; i < NUM_SHARDS; i++) {
        for (int b = 0; b < NUM_BUCKETS; b++) {
            struct entry *e = m->shards[i].buckets[b], *next;

            for (; e; e = next) {
                next = e->next;
                free(e->key);
                free(e);
            }
        }
    }
}

static struct sharded_map counts; /* zero-filled: unlocked and empty */
static atomic_int went_backwards; /* a reader saw a count decrease */

static void
writer(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++)
        for (int w = 0; w < NUM_WORDS; w++)
            map_add(&counts, words[w], 1);
}

/* Reads while the writers write: each count may only grow. */
static void
reader(void *arg)
{
    const char *word = words[*(int *)arg % NUM_WORDS];
    long last = 0, now;

    for (int i = 0; i < ROUNDS * NUM_WORDS; i++) {
        if (map_get(&counts, word, &now)) {
            if (now < last)
                atomic_fetch_add(&went_backwards, 1);
            last = now;
        }
    }
}

int
main(void)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    int reader_ids[NUM_READERS];

    for (int i = 0; i < NUM_READERS; i++) {
        reader_ids[i] = i;
        check(goc_wg_go(&wg, reader, &reader_ids[i]), "start reader");
    }
    for (int i = 0; i < NUM_WRITERS; i++)
        check(goc_wg_go(&wg, writer, NULL), "start writer");
    goc_wg_wait(&wg);

    printf("%d writers x %d rounds over %d words, %d shards:\n", NUM_WRITERS,
           ROUNDS, NUM_WORDS, NUM_SHARDS);
    for (int w = 0; w < NUM_WORDS; w++) {
        long v = 0;

        map_get(&counts, words[w], &v);
        printf("  %-8s = %ld (shard %u)\n", words[w], v,
               hash(words[w]) % NUM_SHARDS);
    }
    for (int i = 0; i < NUM_SHARDS; i++)
        printf("shard %d holds %d keys\n", i, counts.shards[i].size);
    printf("readers saw a count go backwards: %s\n",
           atomic_load(&went_backwards) ? "YES" : "never");

    map_free(&counts);
    return atomic_load(&went_backwards) ? 1 : 0;
}
