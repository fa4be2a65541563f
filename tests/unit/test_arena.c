#include <criterion/criterion.h>
#include <string.h>

#include "casebrief/casebrief.h"

Test(arena, interning_returns_one_pointer_per_string)
{
    struct cb_arena *a = cb_arena_create();
    struct cb_intern *in = cb_intern_create(a);
    const char *x = cb_intern_cstr(in, "HV-NODE1");
    char copy[] = "HV-NODE1";
    cr_assert_eq(x, cb_intern_cstr(in, copy));
    cr_assert_neq(x, cb_intern_cstr(in, "HV-NODE2"));
    cr_assert_str_eq(x, "HV-NODE1");
    cb_intern_destroy(&in);
    cb_arena_destroy(&a);
    cr_assert_null(a);
}
