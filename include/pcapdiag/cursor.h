/* cursor.h - the one bounds-checked reader for captured bytes.
 *
 * Every decoder reads packet bytes through a pd_cursor. Each read checks the
 * remaining length first and fails (returns false) instead of reading past
 * the end; the failure is sticky in `truncated`, so a decoder can do a run of
 * reads and test once. No decoder does pointer arithmetic on captured data.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PCAPDIAG_CURSOR_H
#define PCAPDIAG_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pd_cursor {
    const uint8_t *data;
    size_t len;
    size_t pos;
    bool truncated; /* a read asked for more than was there */
} pd_cursor;

static inline pd_cursor pd_cursor_make(const uint8_t *data, size_t len)
{
    pd_cursor c = { data, data ? len : 0, 0, false };
    return c;
}

static inline size_t pd_cursor_remaining(const pd_cursor *c)
{
    return c->len - c->pos;
}

static inline const uint8_t *pd_cursor_here(const pd_cursor *c)
{
    return c->data ? c->data + c->pos : NULL;
}

static inline bool pd_cursor_need(pd_cursor *c, size_t n)
{
    if (c->len - c->pos < n) {
        c->truncated = true;
        return false;
    }
    return true;
}

static inline bool pd_cursor_skip(pd_cursor *c, size_t n)
{
    if (!pd_cursor_need(c, n))
        return false;
    c->pos += n;
    return true;
}

static inline bool pd_cursor_u8(pd_cursor *c, uint8_t *out)
{
    if (!pd_cursor_need(c, 1))
        return false;
    *out = c->data[c->pos++];
    return true;
}

static inline bool pd_cursor_be16(pd_cursor *c, uint16_t *out)
{
    if (!pd_cursor_need(c, 2))
        return false;
    *out = (uint16_t)((c->data[c->pos] << 8) | c->data[c->pos + 1]);
    c->pos += 2;
    return true;
}

static inline bool pd_cursor_be32(pd_cursor *c, uint32_t *out)
{
    if (!pd_cursor_need(c, 4))
        return false;
    const uint8_t *p = c->data + c->pos;
    *out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    c->pos += 4;
    return true;
}

static inline bool pd_cursor_be64(pd_cursor *c, uint64_t *out)
{
    uint32_t hi, lo;
    if (!pd_cursor_need(c, 8))
        return false;
    pd_cursor_be32(c, &hi);
    pd_cursor_be32(c, &lo);
    *out = ((uint64_t)hi << 32) | lo;
    return true;
}

static inline bool pd_cursor_le16(pd_cursor *c, uint16_t *out)
{
    if (!pd_cursor_need(c, 2))
        return false;
    *out = (uint16_t)(c->data[c->pos] | (c->data[c->pos + 1] << 8));
    c->pos += 2;
    return true;
}

static inline bool pd_cursor_le32(pd_cursor *c, uint32_t *out)
{
    if (!pd_cursor_need(c, 4))
        return false;
    const uint8_t *p = c->data + c->pos;
    *out = ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
    c->pos += 4;
    return true;
}

/* Borrow n bytes in place: *out points into the cursor's buffer. */
static inline bool pd_cursor_bytes(pd_cursor *c, size_t n, const uint8_t **out)
{
    if (!pd_cursor_need(c, n))
        return false;
    *out = c->data + c->pos;
    c->pos += n;
    return true;
}

/* Carve the next n bytes off as a cursor of their own (a TLV's value, say). */
static inline bool pd_cursor_sub(pd_cursor *c, size_t n, pd_cursor *sub)
{
    if (!pd_cursor_need(c, n))
        return false;
    *sub = pd_cursor_make(c->data + c->pos, n);
    c->pos += n;
    return true;
}

/* Look ahead without moving: bytes at pos+offset. */
static inline bool pd_cursor_peek_u8(const pd_cursor *c, size_t offset, uint8_t *out)
{
    if (c->len - c->pos <= offset)
        return false;
    *out = c->data[c->pos + offset];
    return true;
}

static inline bool pd_cursor_peek_be16(const pd_cursor *c, size_t offset, uint16_t *out)
{
    if (c->len - c->pos < 2 || c->len - c->pos - 2 < offset)
        return false;
    const uint8_t *p = c->data + c->pos + offset;
    *out = (uint16_t)((p[0] << 8) | p[1]);
    return true;
}

static inline bool pd_cursor_peek_be32(const pd_cursor *c, size_t offset, uint32_t *out)
{
    if (c->len - c->pos < 4 || c->len - c->pos - 4 < offset)
        return false;
    const uint8_t *p = c->data + c->pos + offset;
    *out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    return true;
}

#endif /* PCAPDIAG_CURSOR_H */
