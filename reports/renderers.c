/*
 * renderers.c - the table of every report format, built from
 * renderer_list.h, for the command's --format and its output loop.
 */
#include <string.h>

#include "casebrief/report.h"
#include "renderer_list.h"

#define ENTRY(id, name_, alias_, file_, write_)                                \
    static const struct cb_renderer renderer_##id = {                          \
        .name = name_, .file = file_, .write = write_};
CB_RENDERER_LIST(ENTRY)
#undef ENTRY

#define POINTER(id, name_, alias_, file_, write_) &renderer_##id,
static const struct cb_renderer *const renderers[] = {
    CB_RENDERER_LIST(POINTER)};
#undef POINTER

/* The other word for each entry, in table order. */
#define ALIAS(id, name_, alias_, file_, write_) alias_,
static const char *const aliases[] = {CB_RENDERER_LIST(ALIAS)};
#undef ALIAS

#define NRENDERERS (sizeof renderers / sizeof *renderers)

const struct cb_renderer *const *cb_renderers(size_t *count)
{
    *count = NRENDERERS;
    return renderers;
}

const struct cb_renderer *cb_renderer_find(const char *name)
{
    for (size_t i = 0; name && i < NRENDERERS; i++) {
        if (strcmp(renderers[i]->name, name) == 0 ||
            (aliases[i] && strcmp(aliases[i], name) == 0))
            return renderers[i];
    }
    return NULL;
}
