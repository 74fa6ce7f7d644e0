/* runner.c - a fuzz target without a fuzzing engine: replays every file
 * named on the command line (directories: every regular file in them, in
 * name order) through the target's LLVMFuzzerTestOneInput, once each.
 *
 * This is how ctest and CI run the seed and regression corpora in builds
 * that are not made with clang's libFuzzer, the ASan/UBSan build included.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"

/* Optional in a target, as in libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static bool run_file(const char *path, size_t *count)
{
    gchar *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        fprintf(stderr, "fuzz runner: %s\n", err->message);
        g_error_free(err);
        return false;
    }
    /* A copy of exactly len bytes on the heap, as libFuzzer hands it, so
     * ASan catches a read one past the end (g_file_get_contents adds a NUL). */
    uint8_t *copy = g_memdup2(buf, len ? len : 1);
    g_free(buf);
    fprintf(stderr, "fuzz runner: %s (%zu bytes)\n", path, (size_t)len);
    LLVMFuzzerTestOneInput(len ? copy : NULL, len);
    g_free(copy);
    (*count)++;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool run_dir(const char *path, size_t *count)
{
    GError *err = NULL;
    GDir *dir = g_dir_open(path, 0, &err);
    if (!dir) {
        fprintf(stderr, "fuzz runner: %s\n", err->message);
        g_error_free(err);
        return false;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)))
        if (name[0] != '.')
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
    g_dir_close(dir);
    qsort(names->pdata, names->len, sizeof(gpointer), cmp_str);
    bool ok = true;
    for (guint i = 0; i < names->len; i++) {
        const char *p = g_ptr_array_index(names, i);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
            ok = run_file(p, count) && ok;
    }
    g_ptr_array_free(names, TRUE);
    return ok;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    size_t count = 0;
    bool ok = true;
    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR))
            ok = run_dir(argv[i], &count) && ok;
        else
            ok = run_file(argv[i], &count) && ok;
    }
    fprintf(stderr, "fuzz runner: %zu inputs replayed without a crash\n", count);
    if (!ok)
        return 1;
    /* An empty corpus replays nothing: that is a broken test, not a pass. */
    return count > 0 ? 0 : 1;
}
