/* fuzz_common.h - what the fuzz targets share: the libFuzzer entry point's
 * prototype, a splitter that cuts one fuzz input into length-prefixed
 * records (so a fuzzer can build multi-packet sessions), and a check that
 * turns a broken harness invariant into a crash the fuzzer reports.
 *
 * Inputs are read through pd_cursor like captured bytes, so the harness
 * itself cannot overread what the fuzzer hands it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PD_FUZZ_COMMON_H
#define PD_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pcapdiag/cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of an API that failed: abort so that both libFuzzer and the
 * plain regression runner report it with a stack trace (ASan prints one on
 * SIGABRT when built with it). */
#define PD_FUZZ_CHECK(cond)                                                                       \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

/* The next record of a "u8 tag, u16 big-endian length, bytes" stream.
 * A length past the end is cut to what is left, so every input means
 * something and mutations of a length byte stay productive. */
typedef struct pd_fuzz_record {
    uint8_t tag;
    const uint8_t *data;
    size_t len;
} pd_fuzz_record;

static inline bool pd_fuzz_next_record(pd_cursor *c, pd_fuzz_record *r)
{
    uint16_t len;
    if (!pd_cursor_u8(c, &r->tag) || !pd_cursor_be16(c, &len))
        return false;
    size_t n = len;
    if (n > pd_cursor_remaining(c))
        n = pd_cursor_remaining(c);
    r->data = n ? pd_cursor_here(c) : NULL;
    r->len = n;
    pd_cursor_skip(c, n);
    return true;
}

/* Consume a string's bytes so that optimisers cannot drop a call whose only
 * effect is the string (and so that ASan sees every byte of it read). */
static inline size_t pd_fuzz_touch(const char *s)
{
    size_t n = 0;
    if (s)
        while (s[n])
            n++;
    return n;
}

#endif /* PD_FUZZ_COMMON_H */
