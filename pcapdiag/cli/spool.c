/* spool.c - the report written while the capture is read (no RFC; the
 * memory bound is the design).
 *
 * The engine hands each session over once it is judged, with its findings,
 * in whatever order sessions end. Each is rendered at once into the pieces
 * the report needs from it (text: its block and its findings; Markdown: its
 * findings-table rows, evidence rows, details and session block; JSON: its
 * session object and its finding objects), appended to an unlinked
 * temporary file, and remembered as one index entry (offset and piece
 * lengths) by session id. When the capture is over the head (which needs
 * the totals) is written, then the pieces are copied out in session order,
 * each kind in its place: exactly the bytes of the whole report.
 *
 * What stays in memory: 24 bytes of index per session, the totals, and a
 * copy of the most severe finding (the Markdown verdict).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

/* The pieces kept per session, by format. */
enum { PIECE_MAX = 4 };
enum { TEXT_SESSION, TEXT_FINDINGS };
enum { MD_ROWS, MD_EVIDENCE, MD_DETAILS, MD_SESSION };
enum { JSON_SESSION, JSON_FINDINGS };

typedef struct spool_entry {
    uint64_t offset;          /* of the first piece; the others follow */
    uint32_t len[PIECE_MAX];  /* 0: nothing (or never handed over) */
} spool_entry;

struct pd_cli_spool {
    pd_report_format format;
    pd_report_options opt;
    int level; /* JSON document depth */
    int fd;
    uint64_t size;          /* bytes written to the file */
    int file_errno;         /* first failure writing the file, 0 if none */
    GArray *index;          /* spool_entry, by session id - 1 */
    const pd_cli_capture_info *info;
    pd_report_totals totals;
    pd_finding *worst;      /* a copy of totals.worst */
    GString *piece[PIECE_MAX];
};

/* ---- a finding that outlives the engine's ---- */

static void finding_copy_free(pd_finding *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_evidence; i++)
        g_free(f->evidence[i].note);
    g_free(f->evidence);
    g_free(f->windows_errors);
    g_free(f->summary);
    g_free(f->explanation);
    g_free(f->remediation);
    g_free(f->display_filter);
    g_free(f);
}

static pd_finding *finding_copy(const pd_finding *src)
{
    pd_finding *f = g_new(pd_finding, 1);
    *f = *src;
    f->windows_errors = src->n_windows_errors
                            ? g_memdup2(src->windows_errors, src->n_windows_errors * sizeof(int))
                            : NULL;
    f->evidence = src->n_evidence ? g_new(pd_evidence, src->n_evidence) : NULL;
    for (size_t i = 0; i < src->n_evidence; i++) {
        f->evidence[i] = src->evidence[i];
        f->evidence[i].note = g_strdup(src->evidence[i].note);
    }
    f->summary = g_strdup(src->summary);
    f->explanation = g_strdup(src->explanation);
    f->remediation = g_strdup(src->remediation);
    f->display_filter = g_strdup(src->display_filter);
    return f;
}

/* Count a finding; `order` is its place in the report. */
static void count_finding(pd_cli_spool *sp, const pd_finding *f, uint64_t order)
{
    if (pd_report_totals_add(&sp->totals, f, order)) {
        finding_copy_free(sp->worst);
        sp->worst = finding_copy(f);
        sp->totals.worst = sp->worst;
    }
}

/* Report order: capture-level findings, then by session, each session's in
 * the order handed over, and last any the engine kept for a session that
 * was already handed over. */
static uint64_t order_of(uint32_t session_id, bool late, size_t index)
{
    return ((uint64_t)session_id << 32) | (late ? UINT64_C(0x80000000) : 0) |
           (uint64_t)(index & 0x7fffffff);
}

/* ---- rendering one finding, one session ---- */

static int64_t time_origin(const pd_cli_spool *sp)
{
    return sp->info ? sp->info->first_ts_ns : 0;
}

/* A finding's pieces, appended to piece[...]: `first` says whether it is
 * the first JSON element of its piece. */
static void render_finding(pd_cli_spool *sp, const pd_finding *f, int64_t t0, bool first)
{
    switch (sp->format) {
    case PD_REPORT_TEXT:
        pd_report_text_finding(sp->piece[TEXT_FINDINGS], f, t0, &sp->opt);
        break;
    case PD_REPORT_MARKDOWN:
        pd_report_markdown_finding_row(sp->piece[MD_ROWS], f);
        pd_report_markdown_evidence_rows(sp->piece[MD_EVIDENCE], f, t0);
        pd_report_markdown_finding_details(sp->piece[MD_DETAILS], f);
        break;
    case PD_REPORT_JSON: {
        if (!first)
            g_string_append(sp->piece[JSON_FINDINGS], ",\n");
        pd_report_json_finding_write(sp->piece[JSON_FINDINGS], f, sp->level + 2);
        break;
    }
    }
}

static void write_all(pd_cli_spool *sp, const char *data, size_t len)
{
    while (len > 0 && !sp->file_errno) {
        ssize_t n = write(sp->fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sp->file_errno = n < 0 ? errno : EIO;
            return;
        }
        data += n;
        len -= (size_t)n;
        sp->size += (uint64_t)n;
    }
}

static void on_session_closed(const pd_session *s, const pd_finding *const *findings,
                              size_t n_findings, void *user)
{
    pd_cli_spool *sp = user;
    int64_t t0 = time_origin(sp);
    for (int k = 0; k < PIECE_MAX; k++)
        g_string_truncate(sp->piece[k], 0);

    switch (sp->format) {
    case PD_REPORT_TEXT:
        if (!sp->opt.quiet)
            pd_report_text_session(sp->piece[TEXT_SESSION], s, t0);
        break;
    case PD_REPORT_MARKDOWN:
        if (!sp->opt.quiet)
            pd_report_markdown_session(sp->piece[MD_SESSION], s, t0);
        break;
    case PD_REPORT_JSON: {
        pd_report_json_session_write(sp->piece[JSON_SESSION], s, t0, sp->level + 2);
        break;
    }
    }
    for (size_t i = 0; i < n_findings; i++) {
        count_finding(sp, findings[i], order_of(s->id, false, i));
        render_finding(sp, findings[i], t0, i == 0);
    }

    if (s->id == 0)
        return; /* ids start at 1; nothing to file */
    if (sp->index->len < s->id)
        g_array_set_size(sp->index, s->id);
    spool_entry *ent = &g_array_index(sp->index, spool_entry, s->id - 1);
    ent->offset = sp->size;
    for (int k = 0; k < PIECE_MAX; k++) {
        /* A session's pieces are a few KiB (its ladder is capped); a piece
         * that does not fit the index is a broken invariant, not data. */
        if (sp->piece[k]->len > UINT32_MAX) {
            if (!sp->file_errno)
                sp->file_errno = EFBIG;
            return;
        }
        ent->len[k] = (uint32_t)sp->piece[k]->len;
        write_all(sp, sp->piece[k]->str, sp->piece[k]->len);
    }
}

/* ---- life cycle ---- */

pd_cli_spool *pd_cli_spool_new(pd_report_format format, const pd_report_options *opt,
                               int json_level, GError **error)
{
    char *name = NULL;
    int fd = g_file_open_tmp("pcapdiag-XXXXXX", &name, error);
    if (fd < 0)
        return NULL;
    unlink(name); /* gone when closed, whatever happens to the process */
    g_free(name);
    pd_cli_spool *sp = g_new0(pd_cli_spool, 1);
    sp->format = format;
    if (opt)
        sp->opt = *opt;
    sp->level = json_level;
    sp->fd = fd;
    sp->index = g_array_sized_new(FALSE, TRUE, sizeof(spool_entry), 1024);
    for (int k = 0; k < PIECE_MAX; k++)
        sp->piece[k] = g_string_sized_new(4096);
    return sp;
}

void pd_cli_spool_free(pd_cli_spool *sp)
{
    if (!sp)
        return;
    if (sp->fd >= 0)
        close(sp->fd);
    g_array_free(sp->index, TRUE);
    finding_copy_free(sp->worst);
    for (int k = 0; k < PIECE_MAX; k++)
        g_string_free(sp->piece[k], TRUE);
    g_free(sp);
}

void pd_cli_spool_attach(pd_cli_spool *sp, pd_engine_config *cfg, const pd_cli_capture_info *info)
{
    sp->info = info;
    cfg->on_session_closed = on_session_closed;
    cfg->user = sp;
}

/* ---- assembling the report ---- */

typedef struct writer {
    pd_cli_spool *sp;
    FILE *out;
    int *write_errno;
    bool out_failed;
    char *buf; /* copy buffer */
} writer;

#define COPY_BUF (1 << 16)

static void emit(writer *w, const char *data, size_t len)
{
    if (w->out_failed || len == 0)
        return;
    if (fwrite(data, 1, len, w->out) != len) {
        w->out_failed = true;
        if (w->write_errno && !*w->write_errno)
            *w->write_errno = errno ? errno : EIO;
    }
}

static void emit_gstring(writer *w, GString *s)
{
    emit(w, s->str, s->len);
    g_string_truncate(s, 0);
}

/* Copy piece k of session id (1-based) from the file to the output. */
static void copy_piece(writer *w, size_t id, int k)
{
    pd_cli_spool *sp = w->sp;
    if (id == 0 || id > sp->index->len || sp->file_errno)
        return;
    const spool_entry *ent = &g_array_index(sp->index, spool_entry, id - 1);
    uint64_t off = ent->offset;
    for (int j = 0; j < k; j++)
        off += ent->len[j];
    uint64_t left = ent->len[k];
    while (left > 0 && !w->out_failed) {
        size_t want = left < COPY_BUF ? (size_t)left : COPY_BUF;
        ssize_t n = pread(sp->fd, w->buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sp->file_errno = n < 0 ? errno : EIO;
            return;
        }
        emit(w, w->buf, (size_t)n);
        off += (uint64_t)n;
        left -= (uint64_t)n;
    }
}

static bool piece_empty(const pd_cli_spool *sp, size_t id, int k)
{
    return id == 0 || id > sp->index->len || g_array_index(sp->index, spool_entry, id - 1).len[k] == 0;
}

/* The findings the engine kept (capture-level, and any that came for a
 * session after it was handed over), in report order: session 0 first. */
typedef struct kept {
    const pd_finding **f;
    size_t n;
    size_t capture_n; /* the first capture_n are about the capture */
} kept;

/* Late findings of session `id`: [*from, *to) within k->f (sorted by session). */
static void kept_range(const kept *k, size_t id, size_t *cursor, size_t *from, size_t *to)
{
    while (*cursor < k->n && k->f[*cursor]->session_id < id)
        (*cursor)++;
    *from = *cursor;
    while (*cursor < k->n && k->f[*cursor]->session_id == id)
        (*cursor)++;
    *to = *cursor;
}

static void write_text(writer *w, const pd_report_capture *rc, const kept *k, int64_t t0)
{
    pd_cli_spool *sp = w->sp;
    GString *s = g_string_new(NULL);
    pd_report_text_head(s, rc, &sp->opt);
    emit_gstring(w, s);
    if (!sp->opt.quiet)
        for (size_t id = 1; id <= rc->n_sessions; id++)
            copy_piece(w, id, TEXT_SESSION);
    pd_report_text_findings_head(s, sp->totals.n_findings);
    for (size_t i = 0; i < k->capture_n; i++)
        pd_report_text_finding(s, k->f[i], t0, &sp->opt);
    emit_gstring(w, s);
    size_t cursor = k->capture_n;
    for (size_t id = 1; id <= rc->n_sessions; id++) {
        copy_piece(w, id, TEXT_FINDINGS);
        size_t from, to;
        kept_range(k, id, &cursor, &from, &to);
        for (size_t i = from; i < to; i++)
            pd_report_text_finding(s, k->f[i], t0, &sp->opt);
        emit_gstring(w, s);
    }
    g_string_free(s, TRUE);
}

typedef void (*md_piece_fn)(GString *out, const pd_finding *f, int64_t t0);

static void md_row(GString *out, const pd_finding *f, int64_t t0)
{
    pd_report_markdown_finding_row(out, f);
}

static void md_details(GString *out, const pd_finding *f, int64_t t0)
{
    pd_report_markdown_finding_details(out, f);
}

/* One Markdown section over every finding: the capture's, then each
 * session's piece and its late findings. */
static void md_section(writer *w, const pd_report_capture *rc, const kept *k, int64_t t0, int piece,
                       md_piece_fn fn, GString *s)
{
    for (size_t i = 0; i < k->capture_n; i++)
        fn(s, k->f[i], t0);
    emit_gstring(w, s);
    size_t cursor = k->capture_n;
    for (size_t id = 1; id <= rc->n_sessions; id++) {
        copy_piece(w, id, piece);
        size_t from, to;
        kept_range(k, id, &cursor, &from, &to);
        for (size_t i = from; i < to; i++)
            fn(s, k->f[i], t0);
        emit_gstring(w, s);
    }
}

static void write_markdown(writer *w, const pd_report_capture *rc, const kept *k, int64_t t0)
{
    pd_cli_spool *sp = w->sp;
    GString *s = g_string_new(NULL);
    pd_report_markdown_head(s, rc);
    if (sp->totals.n_findings) {
        pd_report_markdown_findings_head(s);
        md_section(w, rc, k, t0, MD_ROWS, md_row, s);
        if (sp->totals.any_evidence) {
            pd_report_markdown_evidence_head(s);
            md_section(w, rc, k, t0, MD_EVIDENCE, pd_report_markdown_evidence_rows, s);
            pd_report_markdown_evidence_tail(s);
        }
        pd_report_markdown_details_head(s);
        md_section(w, rc, k, t0, MD_DETAILS, md_details, s);
    }
    if (!sp->opt.quiet) {
        pd_report_markdown_capture(s, rc);
        emit_gstring(w, s);
        for (size_t id = 1; id <= rc->n_sessions; id++)
            copy_piece(w, id, MD_SESSION);
    }
    emit_gstring(w, s);
    g_string_free(s, TRUE);
}

static void json_element(writer *w, GString *s, const pd_finding *f, size_t *count)
{
    pd_report_json_array_finding(s, f, w->sp->level, (*count)++);
    emit_gstring(w, s);
}

static void write_json(writer *w, const pd_report_capture *rc, const kept *k)
{
    pd_cli_spool *sp = w->sp;
    int level = sp->level;
    GString *s = g_string_new(NULL);
    JsonNode *head = pd_report_json_head_node(rc);
    pd_report_json_doc_begin(s, head, level);
    json_node_unref(head);

    pd_report_json_array_begin(s, "sessions", level);
    emit_gstring(w, s);
    size_t count = 0;
    for (size_t id = 1; id <= rc->n_sessions; id++) {
        if (piece_empty(sp, id, JSON_SESSION))
            continue;
        emit(w, count ? ",\n" : "\n", count ? 2 : 1);
        copy_piece(w, id, JSON_SESSION);
        count++;
    }
    pd_report_json_array_end(s, level, count);

    pd_report_json_array_begin(s, "findings", level);
    emit_gstring(w, s);
    count = 0;
    for (size_t i = 0; i < k->capture_n; i++)
        json_element(w, s, k->f[i], &count);
    size_t cursor = k->capture_n;
    for (size_t id = 1; id <= rc->n_sessions; id++) {
        if (!piece_empty(sp, id, JSON_FINDINGS)) {
            /* The piece holds the session's findings already separated. */
            emit(w, count ? ",\n" : "\n", count ? 2 : 1);
            copy_piece(w, id, JSON_FINDINGS);
            count++;
        }
        size_t from, to;
        kept_range(k, id, &cursor, &from, &to);
        for (size_t i = from; i < to; i++)
            json_element(w, s, k->f[i], &count);
    }
    pd_report_json_array_end(s, level, count);
    pd_report_json_doc_end(s, level);
    emit_gstring(w, s);
    g_string_free(s, TRUE);
}

bool pd_cli_spool_write(pd_cli_spool *sp, const pd_engine *engine, pd_report_capture *rc,
                        FILE *out, bool *has_error, int *write_errno, GError **error)
{
    rc->stats = pd_engine_stats(engine);
    rc->n_sessions = pd_engine_session_count(engine);
    rc->sessions = NULL;

    /* The findings the engine kept are few: capture-level ones, and (from a
     * tracker that reports after releasing a session) late ones. */
    kept k = { 0 };
    k.n = pd_engine_finding_count(engine);
    k.f = g_new0(const pd_finding *, k.n + 1);
    for (size_t i = 0; i < k.n; i++) {
        k.f[i] = pd_engine_finding(engine, i);
        if (k.f[i]->session_id == 0)
            k.capture_n = i + 1;
        count_finding(sp, k.f[i], order_of(k.f[i]->session_id, k.f[i]->session_id != 0, i));
    }
    rc->findings = k.f;
    rc->n_findings = k.n;
    rc->totals = &sp->totals;
    if (has_error)
        *has_error = sp->totals.by_severity[PD_SEV_ERROR] > 0;

    writer w = { .sp = sp, .out = out, .write_errno = write_errno };
    w.buf = g_malloc(COPY_BUF);
    if (!sp->file_errno) {
        int64_t t0 = pd_report_time_origin(rc);
        switch (sp->format) {
        case PD_REPORT_TEXT: write_text(&w, rc, &k, t0); break;
        case PD_REPORT_MARKDOWN: write_markdown(&w, rc, &k, t0); break;
        case PD_REPORT_JSON: write_json(&w, rc, &k); break;
        }
    }
    g_free(w.buf);
    g_free(k.f);
    rc->findings = NULL;
    rc->n_findings = 0;
    rc->totals = NULL;
    if (sp->file_errno) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(sp->file_errno),
                    "temporary report file: %s", g_strerror(sp->file_errno));
        return false;
    }
    return !w.out_failed;
}
