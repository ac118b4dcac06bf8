/*
 * rules.h - the kinds of finding as rules: an id ("kind" or
 * "kind/subkind"), what it means and how to fix it.  One table serves
 * SARIF's rules, JSON's rule ids and docs/findings.md (made by
 * `gctrace check --rules`, compared by tests/e2e/test_formats.sh).
 */
#ifndef GCT_RULES_H
#define GCT_RULES_H

#include <stddef.h>

struct gct_rule {
    const char *id;    /* "deadlock/self"; also docs/findings.md's anchor */
    const char *name;  /* a few words, capitalised: "Self-deadlock" */
    const char *what;  /* one sentence: what was seen */
    const char *why;   /* why it is a bug, and how to fix it */
};

/* Every rule, in the order of docs/findings.md; *n gets the count. */
const struct gct_rule *gct_rules(size_t *n);

/* The index in gct_rules of the rule of a finding: its kind/subkind when
 * that has a rule of its own, else its kind's (every kind has one). */
size_t gct_rule_index(const char *kind, const char *subkind);

#endif
