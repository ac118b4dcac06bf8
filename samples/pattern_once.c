/*
 * pattern_once.c - lazy initialisation shared by many goroutines, with
 * goc_once_do, including an initialisation that fails.
 *
 * Go idioms mirrored:
 *
 *     var (instance *Config; once sync.Once)
 *     func GetConfig() *Config {
 *         once.Do(func() { instance = loadConfig() })
 *         return instance
 *     }
 *
 *     // With an error, as sync.OnceValues or the guides' Manager:
 *     func (m *Manager) GetService() (*service, error) {
 *         m.once.Do(func() { m.instance, m.err = initializeService() })
 *         return m.instance, m.err
 *     }
 *
 * What to look at:
 *  - eight goroutines ask for the configuration at the same time; the
 *    loader runs exactly once, the others block ("sync.Once.Do") until it
 *    has finished, and all get the same object;
 *  - goc_once_do returns what the init function returned, to every
 *    caller, so a failed initialisation is seen by everyone and is not
 *    retried: this is sync.OnceValue's behaviour, and the reason the C
 *    version needs no separate `err` variable.
 */
#include <goc.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { NUM_GOROUTINES = 8 };

/* Application error codes: positive, so never confused with GOC_E*. */
enum { ERR_UNREACHABLE = 111 };

struct config {
    int workers;
    const char *listen;
};

/* ---- the lazily loaded configuration ------------------------------- */

static goc_once config_once = GOC_ONCE_INIT;
static struct config *config;       /* written once, inside the once */
static atomic_int config_loads;

static int
load_config(void *arg)
{
    static struct config c;

    (void)arg;
    atomic_fetch_add(&config_loads, 1);
    goc_sleep(5 * GOC_MILLISECOND); /* reading a file, say */
    c = (struct config){.workers = 4, .listen = ":8080"};
    config = &c;
    return 0;
}

static struct config *
get_config(void)
{
    /* Every caller returns only after load_config has finished, so
     * reading `config` afterwards needs no lock. */
    if (goc_once_do(&config_once, load_config, NULL) != 0)
        return NULL;
    return config;
}

/* ---- a connection whose set-up fails ------------------------------- */

static goc_once db_once = GOC_ONCE_INIT;
static atomic_int db_attempts;

static int
connect_db(void *arg)
{
    (void)arg;
    atomic_fetch_add(&db_attempts, 1);
    goc_sleep(2 * GOC_MILLISECOND);
    return ERR_UNREACHABLE; /* the database is down */
}

/* ---- the goroutines ------------------------------------------------ */

struct caller {
    struct config *config;  /* what get_config returned */
    int db_err;             /* what the db's once returned */
};

static void
caller(void *arg)
{
    struct caller *c = arg;

    c->config = get_config();
    c->db_err = goc_once_do(&db_once, connect_db, NULL);
}

static void
check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, goc_strerror(rc));
        exit(1);
    }
}

int
main(void)
{
    goc_waitgroup wg = GOC_WAITGROUP_INIT;
    struct caller callers[NUM_GOROUTINES] = {{0}};
    int same_config = 0, saw_error = 0, again;

    for (int i = 0; i < NUM_GOROUTINES; i++)
        check(goc_wg_go(&wg, caller, &callers[i]), "start caller");
    goc_wg_wait(&wg);

    for (int i = 0; i < NUM_GOROUTINES; i++) {
        same_config += callers[i].config && callers[i].config == config;
        saw_error += callers[i].db_err == ERR_UNREACHABLE;
    }
    printf("config: loaded %d time(s); %d of %d goroutines got the same "
           "one (workers=%d, listen=%s)\n", atomic_load(&config_loads),
           same_config, NUM_GOROUTINES, config->workers, config->listen);
    printf("database: connect tried %d time(s); %d of %d goroutines got "
           "error %d (unreachable)\n", atomic_load(&db_attempts), saw_error,
           NUM_GOROUTINES, ERR_UNREACHABLE);

    /* A later call does not retry: the failure is remembered. */
    again = goc_once_do(&db_once, connect_db, NULL);
    printf("a later call returns %d again; attempts still %d\n", again,
           atomic_load(&db_attempts));
    return atomic_load(&config_loads) == 1 && atomic_load(&db_attempts) == 1
               ? 0 : 1;
}
