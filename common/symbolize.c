/*
 * symbolize.c - see symbolize.h.
 *
 * libdw does the work: dwfl maps an address to its module, the ELF symbol
 * table names the function, the DWARF line table gives file:line, and the
 * DWARF scopes around the address give the chain of inlined calls, each
 * with the file:line of its call site in the enclosing function.
 *
 * A compile unit without an entry in .debug_aranges (clang writes none
 * by default, and Debian 12's libdw then finds no unit for an address,
 * so no line) is found by its own address ranges instead (cu_ranges).
 *
 * Modules are handed to libdw only when an address falls in one: a
 * program loads a dozen libraries, its stacks touch a few, and opening
 * each ELF file costs the finishing step a program waits for at exit
 * (docs/bench-shim.md, "Figures behind the code").
 */
#include "symbolize.h"

#include "addr_range.h"
#include "inline_scopes.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <elfutils/libdwelf.h>
#include <dwarf.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* A symbol, for finding the one that holds an address.  Its name is
 * read from the symbol table only when a lookup finds it (sym_name): a
 * large module's string table is megabytes (node's), and reading every
 * name to build the index was a third of building it. */
struct sym {
    uint64_t addr;
    uint32_t size;     /* clamped: no function or variable is 4 GiB */
    uint32_t ndx : 29; /* its index in the module's symbol table */
    uint32_t rank : 3; /* among aliases at one address: higher wins */
};
#define SYM_NDX_MAX ((1u << 29) - 1)

/* A module's symbols of one sort, by address, the best rank last among
 * equals (cmp_sym); made at the first lookup. */
struct sym_index {
    bool made;
    struct sym *v;
    size_t n;
};

/* An address range of a compile unit (DW_AT_low_pc/high_pc or
 * DW_AT_ranges), in the module's DWARF addresses. */
struct cu_range {
    struct gct_addr_range r;
    uint64_t cu; /* the unit's DIE offset in .debug_info */
};

struct module {
    char *path;
    uint64_t bias, lo, hi;
    size_t canon;          /* the first module of the same file (itself,
                              or one of another process): the one that
                              libdw reads and whose indexes serve both */
    bool reported;         /* handed to libdw */
    struct sym_index code; /* functions (and labels) */
    struct sym_index data; /* variables (STT_OBJECT) */
    bool cus_made;         /* cus: made at the first address that
                              .debug_aranges does not cover */
    struct cu_range *cus;
    size_t ncus;
    struct gct_inline_index *inlines; /* its units' functions, for the
                                         inlined calls at an address */
};

struct gct_symbolizer {
    Dwfl *dwfl;
    char *debuginfo_path;
    Dwfl_Callbacks cb;
    struct module *modules;
    size_t nmodules, capmodules;
    char **strings; /* interned strings we own */
    size_t nstrings, capstrings;
};

static const char *
keep(struct gct_symbolizer *s, const char *str)
{
    if (str == NULL)
        return NULL;
    for (size_t i = s->nstrings; i > 0 && i + 64 > s->nstrings; i--)
        if (strcmp(s->strings[i - 1], str) == 0)
            return s->strings[i - 1];
    if (s->nstrings == s->capstrings) {
        size_t cap = s->capstrings ? s->capstrings * 2 : 256;
        char **n = realloc(s->strings, cap * sizeof *n);
        if (n == NULL)
            return NULL;
        s->strings = n;
        s->capstrings = cap;
    }
    char *copy = strdup(str);
    if (copy)
        s->strings[s->nstrings++] = copy;
    return copy;
}

/* Separate debug information is looked for only for the program's own
 * modules: reading (and decompressing) the system libraries' debug files
 * was most of the time a small trace took to finish, for frames (libc's
 * thread start, main's caller) that say nothing about the program.  Their
 * functions are still named from the libraries' own symbol tables.
 * GCTRACE_SYSTEM_DEBUGINFO=1 looks for everything's. */
static bool system_debuginfo;

/* Whether debuginfod servers are configured (DEBUGINFOD_URLS). */
static bool use_debuginfod;

/* Whether the ELF file open on fd may be mod's debug file: when both
 * carry a build id, the ids are equal. */
static bool
same_build(Dwfl_Module *mod, int fd)
{
    const unsigned char *want;
    GElf_Addr vaddr;
    int nwant = dwfl_module_build_id(mod, &want, &vaddr);
    if (nwant <= 0)
        return true;
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (elf == NULL)
        return false;
    const void *have;
    ssize_t nhave = dwelf_elf_gnu_build_id(elf, &have);
    bool same = nhave <= 0 ||
                (nhave == nwant && memcmp(have, want, (size_t)nwant) == 0);
    elf_end(elf);
    return same;
}

/* libdw's standard search, when nothing local matches, asks debuginfod
 * servers, and to do so loads the debuginfod client, and with it curl
 * and a TLS stack: half of a small trace's finish, whether or not a
 * server is configured.  Without one the search stays local, in
 * libdw's order: by build id under the debug path, then by the debug
 * link (or the file's name + ".debug") beside the file, in its .debug/
 * and under /usr/lib/debug. */
static int
find_local_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
                     Dwarf_Addr base, const char *file_name,
                     const char *debuglink_file, char **debuginfo_file_name)
{
    int fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base,
                                          file_name, debuglink_file, 0,
                                          debuginfo_file_name);
    if (fd >= 0 || file_name == NULL)
        return fd;
    const char *slash = strrchr(file_name, '/');
    const char *dir = slash ? file_name : ".";
    int dirlen = slash ? (int)(slash - file_name) : 1;
    char own[PATH_MAX];
    if (debuglink_file == NULL) {
        snprintf(own, sizeof own, "%s.debug", slash ? slash + 1 : file_name);
        debuglink_file = own;
    }
    static const char *const where[] = {"%.*s/%s", "%.*s/.debug/%s",
                                        "/usr/lib/debug%.*s/%s"};
    for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, where[i], dirlen, dir, debuglink_file);
        if (strcmp(path, file_name) == 0)
            continue;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (same_build(mod, fd)) {
            *debuginfo_file_name = strdup(path);
            return fd;
        }
        close(fd);
    }
    return -1;
}

static int
find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
               Dwarf_Addr base, const char *file_name,
               const char *debuglink_file, GElf_Word debuglink_crc,
               char **debuginfo_file_name)
{
    if (!system_debuginfo && file_name &&
        (strncmp(file_name, "/usr/", 5) == 0 ||
         strncmp(file_name, "/lib", 4) == 0))
        return -1;
    if (!use_debuginfod)
        return find_local_debuginfo(mod, userdata, modname, base, file_name,
                                    debuglink_file, debuginfo_file_name);
    return dwfl_standard_find_debuginfo(mod, userdata, modname, base,
                                        file_name, debuglink_file,
                                        debuglink_crc, debuginfo_file_name);
}

struct gct_symbolizer *
gct_symbolizer_new(void)
{
    struct gct_symbolizer *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->cb.find_elf = dwfl_build_id_find_elf;
    const char *env = getenv("GCTRACE_SYSTEM_DEBUGINFO");
    system_debuginfo = env && *env == '1';
    env = getenv("DEBUGINFOD_URLS");
    use_debuginfod = env && *env;
    s->cb.find_debuginfo = find_debuginfo;
    s->cb.section_address = dwfl_offline_section_address;
    /* The leading '-' turns off checking a debug link's CRC, which reads
     * (and checksums with zlib) every candidate file whole: that was half
     * of finishing a small trace.  Build ids still match files exactly. */
    s->debuginfo_path = (char *)"-:.debug:/usr/lib/debug";
    s->cb.debuginfo_path = &s->debuginfo_path;
    s->dwfl = dwfl_begin(&s->cb);
    if (s->dwfl == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void
gct_symbolizer_add_module(struct gct_symbolizer *s, const char *path,
                          uint64_t bias, uint64_t lo, uint64_t hi)
{
    if (s->nmodules == s->capmodules) {
        size_t cap = s->capmodules ? s->capmodules * 2 : 16;
        struct module *n = realloc(s->modules, cap * sizeof *n);
        if (n == NULL)
            return;
        s->modules = n;
        s->capmodules = cap;
    }
    char *copy = strdup(path);
    if (copy == NULL)
        return;
    /* Each process maps libc (and the program, and its other libraries)
     * at addresses of its own: the same file at the same offsets is one
     * module for libdw and one sorted index, found through the first of
     * its mappings.  A test suite of 50 processes otherwise sorted
     * libc's symbols 50 times, much of finishing its trace. */
    size_t canon = s->nmodules;
    for (size_t i = 0; i < s->nmodules; i++) {
        const struct module *o = &s->modules[i];
        if (o->canon == i && o->lo - o->bias == lo - bias &&
            o->hi - o->bias == hi - bias && strcmp(o->path, copy) == 0) {
            canon = i;
            break;
        }
    }
    s->modules[s->nmodules] = (struct module){
        .path = copy, .bias = bias, .lo = lo, .hi = hi, .canon = canon};
    s->nmodules++;
}

/* The module of ours that holds pc, or NULL. */
static struct module *
module_of(struct gct_symbolizer *s, uint64_t pc)
{
    for (size_t i = 0; i < s->nmodules; i++)
        if (pc >= s->modules[i].lo && pc < s->modules[i].hi)
            return &s->modules[i];
    return NULL;
}

/* The first module of the same file as the one that holds *pc, handed to
 * libdw if it was not yet, with *pc moved to the same place in it and
 * *delta set to what that move subtracted from the load bias; NULL when
 * no module of ours holds *pc. */
static struct module *
canonical(struct gct_symbolizer *s, uint64_t *pc, int64_t *delta)
{
    struct module *m = module_of(s, *pc);
    *delta = 0;
    if (m == NULL)
        return NULL;
    struct module *c = &s->modules[m->canon];
    *pc = *pc - m->bias + c->bias;
    *delta = (int64_t)(m->bias - c->bias);
    if (!c->reported) {
        c->reported = true;
        const char *base = strrchr(c->path, '/');
        dwfl_report_begin_add(s->dwfl);
        dwfl_report_elf(s->dwfl, base ? base + 1 : c->path, c->path, -1,
                        c->bias, false);
        dwfl_report_end(s->dwfl, NULL, NULL);
    }
    return c;
}

/* The name of symbol y of module m (NULL when it has none). */
static const char *
sym_name(Dwfl_Module *m, const struct sym *y)
{
    GElf_Sym sym;
    GElf_Addr addr;
    const char *name = dwfl_module_getsym_info(m, (int)y->ndx, &sym, &addr,
                                               NULL, NULL, NULL);
    return name && *name ? name : NULL;
}

/* By address, then rank, then place in the symbol table: the walk of
 * function_at meets the best rank first.  Names are not compared here
 * (best_alias). */
static int
cmp_sym(const void *a, const void *b)
{
    const struct sym *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->rank != y->rank)
        return (int)x->rank - (int)y->rank;
    return (int)x->ndx - (int)y->ndx;
}

/* Sorts v[0..n) as qsort with cmp_sym would (stably): by address with a
 * radix sort, 11 bits a pass, as many passes as the highest address
 * needs, then each run of one address by cmp_sym (aliases: a few): a
 * large module's symbols (node's) took qsort a fifth of finishing its
 * trace at exit (docs/bench-shim.md, "Figures behind the code"). */
static void
sort_syms(struct sym *v, size_t n)
{
    if (n < 2)
        return;
    struct sym *tmp = malloc(n * sizeof *tmp);
    if (tmp == NULL) {
        qsort(v, n, sizeof *v, cmp_sym);
        return;
    }
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = v[i].addr > max ? v[i].addr : max;
    struct sym *from = v, *to = tmp;
    for (int shift = 0; shift < 64 && (max >> shift) != 0; shift += 11) {
        static size_t count[2048];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(from[i].addr >> shift) & 2047]++;
        size_t at = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].addr >> shift) & 2047]++] = from[i];
        struct sym *t = from;
        from = to;
        to = t;
    }
    if (from != v)
        memcpy(v, from, n * sizeof *v);
    free(tmp);
    for (size_t i = 1; i < n; i++) /* insertion sort: runs are short */
        for (size_t k = i; k > 0 && v[k - 1].addr == v[k].addr &&
                           cmp_sym(&v[k - 1], &v[k]) > 0;
             k--) {
            struct sym t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
}

/* A module's symbols, sorted once: its functions and assembly labels
 * (mod->code) and its variables (STT_OBJECT, mod->data), both in one
 * pass over the symbol table, which libdwfl reads slowly enough for a
 * pass to matter on a large module (docs/bench-shim.md, "Figures behind the code").  dwfl_module_addrname scans the
 * whole symbol table for each address, and node's symbols made
 * finishing its trace take seconds for 1,200 addresses.  Each index is
 * allocated for the whole table at once: the pages it does not fill are
 * never touched, where growing it copied it and touched them all. */
static void
index_make(struct module *mod, Dwfl_Module *m)
{
    mod->code.made = mod->data.made = true;
    int n = dwfl_module_getsymtab(m);
    if (n <= 1 || (size_t)n > SYM_NDX_MAX)
        return;
    mod->code.v = malloc((size_t)n * sizeof *mod->code.v);
    mod->data.v = malloc((size_t)n * sizeof *mod->data.v);
    if (mod->code.v == NULL || mod->data.v == NULL)
        return;
    for (int i = 1; i < n; i++) {
        GElf_Sym sym;
        GElf_Addr addr;
        GElf_Word shndx;
        const char *name = dwfl_module_getsym_info(m, i, &sym, &addr, &shndx,
                                                   NULL, NULL);
        int type = GELF_ST_TYPE(sym.st_info);
        bool data = type == STT_OBJECT;
        bool code = type == STT_FUNC || type == STT_GNU_IFUNC ||
                    type == STT_NOTYPE;
        /* A name at offset 0 of the string table is the empty one; the
         * string itself is not read here (struct sym). */
        if (name == NULL || sym.st_name == 0 || addr == 0 ||
            shndx == SHN_UNDEF || !(data || code))
            continue;
        /* As libdw prefers: a global name over a weak one over a local
         * one, and a function over a bare label. */
        int bind = GELF_ST_BIND(sym.st_info);
        int rank = (bind == STB_GLOBAL ? 4 : bind == STB_WEAK ? 2 : 0) +
                   (type != STT_NOTYPE);
        struct sym_index *ix = data ? &mod->data : &mod->code;
        ix->v[ix->n++] = (struct sym){
            addr, sym.st_size < UINT32_MAX ? (uint32_t)sym.st_size
                                           : UINT32_MAX,
            (uint32_t)i, (uint32_t)rank};
    }
    sort_syms(mod->code.v, mod->code.n);
    sort_syms(mod->data.v, mod->data.n);
}

/* The index of the first symbol above addr (ix->n when none is). */
static size_t
index_above(const struct sym_index *ix, uint64_t addr)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->v[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The name for v[j], which holds addr: of its aliases (the symbols at
 * its address with its rank) that hold addr too, the first name in
 * strcmp's order, so that the same one is chosen in every run (a C++
 * constructor's C1 and C2).  NULL when none of them has a name. */
static const char *
best_alias(Dwfl_Module *m, const struct sym_index *ix, size_t j,
           uint64_t addr)
{
    const struct sym *y = &ix->v[j];
    size_t lo = j, hi = j + 1;
    while (lo > 0 && ix->v[lo - 1].addr == y->addr &&
           ix->v[lo - 1].rank == y->rank)
        lo--;
    while (hi < ix->n && ix->v[hi].addr == y->addr &&
           ix->v[hi].rank == y->rank)
        hi++;
    const char *best = NULL;
    for (size_t k = lo; k < hi; k++) {
        const struct sym *a = &ix->v[k];
        if ((a->size > 0) != (y->size > 0) ||
            (a->size > 0 && addr - a->addr >= a->size))
            continue;
        const char *name = sym_name(m, a);
        if (name && (best == NULL || strcmp(name, best) < 0))
            best = name;
    }
    return best;
}

/* The function that holds pc: the nearest symbol at or below it whose
 * size covers it, else the nearest sizeless one (a label in assembly). */
static const char *
function_at(struct module *mod, Dwfl_Module *m, uint64_t pc)
{
    if (mod == NULL)
        return dwfl_module_addrname(m, pc);
    if (!mod->code.made)
        index_make(mod, m);
    const char *sizeless = NULL;
    /* Walk down past symbols that end before pc (a few: functions do not
     * nest, but a big one may hold small local labels). */
    for (size_t i = index_above(&mod->code, pc), steps = 0;
         i > 0 && steps < 64; i--, steps++) {
        const struct sym *y = &mod->code.v[i - 1];
        const char *name = NULL;
        if (y->size > 0 && pc < y->addr + y->size &&
            (name = best_alias(m, &mod->code, i - 1, pc)) != NULL)
            return name;
        if (y->size == 0 && sizeless == NULL)
            sizeless = best_alias(m, &mod->code, i - 1, pc);
    }
    return sizeless;
}

const char *
gct_symbolize_data(struct gct_symbolizer *s, uint64_t addr, char *buf,
                   size_t len)
{
    int64_t delta;
    struct module *mod = canonical(s, &addr, &delta);
    Dwfl_Module *m = mod ? dwfl_addrmodule(s->dwfl, addr) : NULL;
    if (m == NULL)
        return NULL;
    if (!mod->data.made)
        index_make(mod, m);
    /* Variables do not nest, but a sizeless one (an assembler label) may
     * sit inside a sized one: walk down a few past those. */
    for (size_t i = index_above(&mod->data, addr), steps = 0;
         i > 0 && steps < 16; i--, steps++) {
        const struct sym *y = &mod->data.v[i - 1];
        uint64_t off = addr - y->addr;
        const char *name =
            off == 0 || off < y->size ? best_alias(m, &mod->data, i - 1, addr)
                                      : NULL;
        if (name == NULL)
            continue;
        if (off == 0)
            snprintf(buf, len, "%s", name);
        else if (off < y->size)
            snprintf(buf, len, "%s+0x%llx", name, (unsigned long long)off);
        else
            continue;
        return buf;
    }
    return NULL;
}

/* The name of a subprogram or inlined-subroutine DIE, following the
 * abstract origin of inlined and out-of-line instances. */
static const char *
die_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    Dwarf_Die origin;
    const char *name = NULL;

    if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
        dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
        name = dwarf_formstring(&attr);
    if (name == NULL)
        name = dwarf_diename(die);
    if (name == NULL &&
        dwarf_formref_die(dwarf_attr(die, DW_AT_abstract_origin, &attr),
                          &origin))
        name = dwarf_diename(&origin);
    return name;
}

/* The address ranges of every compile unit of the module's DWARF, sorted. */
static void
cu_ranges_make(struct module *mod, Dwarf *dw)
{
    size_t cap = 0;
    mod->cus_made = true;
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
        Dwarf_Die die;
        if (dwarf_offdie(dw, off + hsize, &die) != NULL) {
            Dwarf_Addr base, lo, hi;
            ptrdiff_t it = 0;
            while ((it = dwarf_ranges(&die, it, &base, &lo, &hi)) > 0) {
                if (hi <= lo)
                    continue;
                if (mod->ncus == cap) {
                    cap = cap ? cap * 2 : 16;
                    struct cu_range *n = realloc(mod->cus, cap * sizeof *n);
                    if (n == NULL)
                        return;
                    mod->cus = n;
                }
                mod->cus[mod->ncus++] =
                    (struct cu_range){{lo, hi}, dwarf_dieoffset(&die)};
            }
        }
        off = next;
    }
    if (mod->ncus > 1)
        qsort(mod->cus, mod->ncus, sizeof *mod->cus, gct_addr_range_cmp);
}

/* The compile unit whose ranges hold addr (a DWARF address of the
 * module), into *die; false when none does. */
static bool
cu_by_ranges(struct module *mod, Dwarf *dw, uint64_t addr, Dwarf_Die *die)
{
    if (!mod->cus_made)
        cu_ranges_make(mod, dw);
    const struct cu_range *c =
        gct_addr_range_find(mod->cus, mod->ncus, sizeof *mod->cus, addr);
    return c != NULL && dwarf_offdie(dw, c->cu, die) != NULL;
}

int
gct_symbolize(struct gct_symbolizer *s, uint64_t pc,
              struct gct_sym_frame *out, int max)
{
    int64_t delta;
    struct module *mod = canonical(s, &pc, &delta);
    memset(out, 0, sizeof *out);
    out->bias = -1;
    Dwfl_Module *m = dwfl_addrmodule(s->dwfl, pc);
    if (m == NULL)
        return 1;
    Dwarf_Addr mbias = 0;
    /* the bias of the mapping the pc came from, not the canonical one's */
    int64_t load_bias = dwfl_module_getelf(m, &mbias)
                            ? (int64_t)mbias + delta
                            : -1;
    const char *mod_file = NULL;
    dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, &mod_file, NULL);
    const char *elfname = function_at(mod, m, pc);

    const char *file = NULL;
    int line = 0;
    Dwfl_Line *l = dwfl_module_getsrc(m, pc);
    if (l)
        file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);

    /* Walk the scopes from innermost out: each inlined subroutine is a
     * frame at (file, line); its call site gives the caller's line. */
    int n = 0;
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(m, pc, &bias);
    /* libdwfl may answer with a unit that does not hold pc (node's DWARF
     * covers libuv only, and 1,000 of its pcs got uv-common.c): its
     * scopes were then walked whole for nothing, half of symbolising.
     * A unit that says where its code is, and it is not there, is not
     * the pc's. */
    if (cu && dwarf_haspc(cu, pc - bias) == 0 &&
        (dwarf_hasattr(cu, DW_AT_low_pc) || dwarf_hasattr(cu, DW_AT_ranges)))
        cu = NULL;
    Dwarf_Die by_ranges;
    Dwarf *dw = cu == NULL && mod ? dwfl_module_getdwarf(m, &bias) : NULL;
    if (cu == NULL) {
        /* No line of a unit that does not hold pc: code outside every
         * unit (crt1's _start) must not get a neighbour's last line. */
        file = NULL;
        line = 0;
    }
    if (dw && cu_by_ranges(mod, dw, pc - bias, &by_ranges)) {
        cu = &by_ranges;
        Dwarf_Line *dl = dwarf_getsrc_die(cu, pc - bias);
        if (dl && dwarf_lineno(dl, &line) == 0)
            file = dwarf_linesrc(dl, NULL, NULL);
    }
    /* dwarf_getscopes scans the unit's whole top level for each pc,
     * dear in a large unit (libpython's ceval.c).  The unit's index of its
     * functions tells at once whether pc is in inlined code at all; only
     * then is dwarf_getscopes asked, for the chain it has always given
     * (which is not always addr2line's: inline_scopes.h). */
    Dwarf_Die inl[1], *scopes = NULL;
    int nscopes = cu && mod ? gct_inlined_at(&mod->inlines, cu, pc - bias,
                                             inl, 1)
                            : -1;
    if (nscopes != 0)
        nscopes = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
    Dwarf_Files *files = NULL;
    if (cu)
        dwarf_getsrcfiles(cu, &files, NULL);
    for (int i = 0; i < nscopes && n < max - 1; i++) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine)
            continue;
        out[n] = (struct gct_sym_frame){keep(s, die_name(&scopes[i])),
                                        keep(s, file), line,
                                        keep(s, mod_file), 1, load_bias};
        n++;
        Dwarf_Attribute attr;
        Dwarf_Word v;
        file = NULL;
        line = 0;
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr),
                            &v) == 0 && files)
            file = dwarf_filesrc(files, v, NULL, NULL);
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr),
                            &v) == 0)
            line = (int)v;
    }
    free(scopes);
    out[n] = (struct gct_sym_frame){keep(s, elfname), keep(s, file), line,
                                    keep(s, mod_file), 0, load_bias};
    return n + 1;
}

const char *
gct_symbolizer_build_id(struct gct_symbolizer *s, const char *path,
                        char *buf, size_t len)
{
    for (size_t i = 0; i < s->nmodules; i++) {
        struct module *mod = &s->modules[i];
        if (!mod->reported || strcmp(mod->path, path) != 0)
            continue;
        Dwfl_Module *m = dwfl_addrmodule(s->dwfl, mod->lo);
        const unsigned char *bits;
        GElf_Addr vaddr;
        int n = m ? dwfl_module_build_id(m, &bits, &vaddr) : 0;
        if (n <= 0 || (size_t)n * 2 + 1 > len)
            return NULL;
        for (int k = 0; k < n; k++)
            snprintf(buf + 2 * k, 3, "%02x", bits[k]);
        return buf;
    }
    return NULL;
}

void
gct_symbolizer_free(struct gct_symbolizer *s)
{
    if (s == NULL)
        return;
    dwfl_end(s->dwfl);
    for (size_t i = 0; i < s->nmodules; i++) {
        free(s->modules[i].path);
        free(s->modules[i].code.v);
        free(s->modules[i].data.v);
        free(s->modules[i].cus);
        gct_inline_index_free(s->modules[i].inlines);
    }
    free(s->modules);
    for (size_t i = 0; i < s->nstrings; i++)
        free(s->strings[i]);
    free(s->strings);
    free(s);
}
