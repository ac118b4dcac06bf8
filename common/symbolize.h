/*
 * symbolize.h - program addresses to function, file and line, with inlined
 * frames, through elfutils' libdw.  Used when a trace is finished, outside
 * the traced program, once per distinct address.
 */
#ifndef GCT_SYMBOLIZE_H
#define GCT_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

struct gct_symbolizer;

/* One source-level frame.  Strings are owned by the symbolizer and live
 * until gct_symbolizer_free. */
struct gct_sym_frame {
    const char *function; /* NULL when unknown */
    const char *file;     /* NULL when unknown */
    int line;             /* 0 when unknown */
    const char *module;   /* the file of the module, or NULL */
    int inlined;          /* 1: inlined into the next frame */
    int64_t bias;         /* the module's load bias (an address minus it is
                             the address in the module's file); -1 when
                             no module holds the address */
};

struct gct_symbolizer *gct_symbolizer_new(void);

/* Declares a loaded module: its file, its load bias and address range. */
void gct_symbolizer_add_module(struct gct_symbolizer *s, const char *path,
                               uint64_t bias, uint64_t lo, uint64_t hi);

/* Resolves the instruction at pc (pass return address - 1 for callers).
 * Fills up to max frames, innermost (most inlined) first; returns how
 * many (at least 1: an unknown address gives one frame of NULLs). */
int gct_symbolize(struct gct_symbolizer *s, uint64_t pc,
                  struct gct_sym_frame *out, int max);

/* The variable that holds the data at addr, as a person finds it in the
 * code: "name" at its start, "name+0xOFF" inside it (a lock in a
 * struct), from the ELF symbol table of the module that holds addr.
 * Written into buf; returns buf, or NULL when no variable holds addr (the
 * heap, a stack, a stripped module). */
const char *gct_symbolize_data(struct gct_symbolizer *s, uint64_t addr,
                               char *buf, size_t len);

/* The GNU build-id of the module file path that an address given to
 * gct_symbolize was found in, as hexadecimal into buf; NULL when it has
 * none, or no address was looked up in it. */
const char *gct_symbolizer_build_id(struct gct_symbolizer *s,
                                    const char *path, char *buf, size_t len);

void gct_symbolizer_free(struct gct_symbolizer *s);

#endif
