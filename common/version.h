/*
 * version.h - the product's version, said once (GOC_VERSION in goc.h,
 * which the Makefile reads too), and what the reports name it by.
 */
#ifndef GCT_VERSION_H
#define GCT_VERSION_H

#include "goc.h"

#define GCT_VERSION GOC_VERSION

/* `check --format json`'s own version: raised when a field changes
 * meaning or goes away (docs/json.md). */
#define GCT_FINDINGS_JSON_VERSION 1

/* Where the project lives, for SARIF's informationUri and each rule's
 * helpUri: `make PROJECT_URL=https://...`.  Empty: those fields are left
 * out rather than pointing nowhere. */
#ifndef GCT_PROJECT_URL
#define GCT_PROJECT_URL ""
#endif

#endif
