/*
 * target_core.c - a core dump as a target (target.h): its threads'
 * registers from the NT_PRSTATUS notes, its memory from its loads, its
 * modules and stacks through libdwfl's core support.
 */
#include "target.h"

#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procfs.h>
#include <unistd.h>

/* The restart codes of a system call interrupted by the fatal signal
 * (target_live.c). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

struct core {
    int fd;
    Elf *elf;
};

static int
read_core(struct gct_target *t, uint64_t addr, void *buf, size_t n)
{
    struct core *c = t->priv;
    size_t nph;
    if (elf_getphdrnum(c->elf, &nph) != 0)
        return -1;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(c->elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
            continue;
        if (addr < ph.p_vaddr || addr - ph.p_vaddr + n > ph.p_filesz)
            continue;
        return pread(c->fd, buf, n, (off_t)(ph.p_offset + addr -
                                            ph.p_vaddr)) == (ssize_t)n
                   ? 0
                   : -1;
    }
    return -1;
}

/* The threads (NT_PRSTATUS) and the process (NT_PRPSINFO) of the core's
 * notes. */
static void
read_notes(struct gct_target *t, struct core *c)
{
    size_t nph, cap = 0;
    if (elf_getphdrnum(c->elf, &nph) != 0)
        return;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(c->elf, (int)i, &ph) == NULL || ph.p_type != PT_NOTE)
            continue;
        Elf_Data *d = elf_getdata_rawchunk(c->elf, (int64_t)ph.p_offset,
                                           ph.p_filesz, ELF_T_NHDR);
        size_t off = 0, name_off, desc_off;
        GElf_Nhdr nh;
        while (d && (off = gelf_getnote(d, off, &nh, &name_off,
                                        &desc_off)) > 0) {
            const char *desc = (const char *)d->d_buf + desc_off;
            if (nh.n_type == NT_PRSTATUS &&
                nh.n_descsz >= sizeof(struct elf_prstatus)) {
                struct elf_prstatus st;
                memcpy(&st, desc, sizeof st);
                struct gct_target_thread th = {.tid = st.pr_pid};
                memcpy(&th.regs, &st.pr_reg, sizeof th.regs);
                long rc = (long)th.regs.rax;
                th.in_syscall = (long)th.regs.orig_rax >= 0 &&
                                (rc == -ERESTARTSYS || rc == -ERESTARTNOINTR ||
                                 rc == -ERESTARTNOHAND ||
                                 rc == -ERESTART_RESTARTBLOCK);
                GCT_PUSH(t->threads, t->nthreads, cap, th);
            } else if (nh.n_type == NT_PRPSINFO &&
                       nh.n_descsz >= sizeof(struct elf_prpsinfo)) {
                struct elf_prpsinfo ps;
                memcpy(&ps, desc, sizeof ps);
                t->pid = ps.pr_pid;
                t->ppid = ps.pr_ppid;
                size_t n = strnlen(ps.pr_psargs, sizeof ps.pr_psargs);
                t->cmdline = gct_xcalloc(n + 1, 1);
                memcpy(t->cmdline, ps.pr_psargs, n);
                for (size_t k = 0; k < n; k++)
                    if (t->cmdline[k] == ' ')
                        t->cmdline[k] = '\0';
                t->ncmdline = n + 1;
                if (t->exe[0] == '\0')
                    snprintf(t->exe, sizeof t->exe, "%.*s",
                             (int)sizeof ps.pr_fname, ps.pr_fname);
            }
        }
    }
}

/* The program: the module that holds the lowest address (a program is
 * mapped below its libraries), unless the caller named it. */
struct lowest {
    Dwarf_Addr start;
    char *exe;
    size_t len;
};

static int
exe_cb(Dwfl_Module *mod, void **user, const char *name, Dwarf_Addr start,
       void *arg)
{
    struct lowest *l = arg;
    (void)mod;
    (void)user;
    if (name && name[0] == '/' && start < l->start) {
        l->start = start;
        snprintf(l->exe, l->len, "%s", name);
    }
    return DWARF_CB_OK;
}

static const Dwfl_Callbacks core_callbacks = {
    .find_elf = dwfl_build_id_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
};

int
gct_target_core(struct gct_target *t, const char *core, const char *exe,
                struct gct_target_err *err)
{
    struct core *c = gct_xcalloc(1, sizeof *c);

    memset(err, 0, sizeof *err);
    t->priv = c;
    t->read = read_core;
    c->fd = -1;
    elf_version(EV_CURRENT);
    c->fd = open(core, O_RDONLY | O_CLOEXEC);
    if (c->fd < 0) {
        snprintf(err->msg, sizeof err->msg, "core: %s: %s", core,
                 strerror(errno));
        return -1;
    }
    c->elf = elf_begin(c->fd, ELF_C_READ_MMAP, NULL);
    GElf_Ehdr eh;
    if (c->elf == NULL || gelf_getehdr(c->elf, &eh) == NULL ||
        eh.e_type != ET_CORE || eh.e_machine != EM_X86_64) {
        snprintf(err->msg, sizeof err->msg,
                 "core: %s: not an x86-64 core dump", core);
        return -1;
    }
    t->dwfl = dwfl_begin(&core_callbacks);
    if (t->dwfl == NULL || dwfl_core_file_report(t->dwfl, c->elf, exe) < 0 ||
        dwfl_report_end(t->dwfl, NULL, NULL) != 0) {
        snprintf(err->msg, sizeof err->msg, "core: %s: %s", core,
                 dwfl_errmsg(-1));
        return -1;
    }
    if (exe) {
        snprintf(t->exe, sizeof t->exe, "%s", exe);
    } else {
        struct lowest l = {UINT64_MAX, t->exe, sizeof t->exe};
        dwfl_getmodules(t->dwfl, exe_cb, &l, 0);
    }
    /* start_mono_ns stays 0: a core does not say when the process began */
    read_notes(t, c);
    if (t->nthreads == 0) {
        snprintf(err->msg, sizeof err->msg, "core: %s: no threads in it",
                 core);
        return -1;
    }
    /* the main thread first: its tid is the pid */
    for (size_t i = 1; i < t->nthreads; i++)
        if (t->threads[i].tid == t->pid) {
            struct gct_target_thread m = t->threads[i];
            t->threads[i] = t->threads[0];
            t->threads[0] = m;
        }
    if (dwfl_core_file_attach(t->dwfl, c->elf) >= 0)
        gct_target_unwind(t);
    return 0;
}

void
gct_target_core_free(struct gct_target *t)
{
    struct core *c = t->priv;
    if (c == NULL || t->read != read_core)
        return;
    if (c->elf)
        elf_end(c->elf);
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    t->priv = NULL;
}
