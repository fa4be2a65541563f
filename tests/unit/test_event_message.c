/*
 * cb_event_message: an event's own text as it is, and the message of a
 * binary EVTX record rendered from its data when read ("Name: value; ...",
 * cut at CB_LIMIT_EVTX_MESSAGE bytes on a character boundary).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "casebrief/event.h"
#include "casebrief/limits.h"

Test(event_message, stored_text_is_returned_as_it_is)
{
    struct cb_msgbuf b;
    struct cb_event e = {.message = "own text"};
    cr_assert_eq(cb_event_message(&e, &b), e.message);
    e.flags = CB_EV_MESSAGE_SYNTH; /* stored synthesized text: the same */
    cr_assert_eq(cb_event_message(&e, &b), e.message);
    struct cb_event none = {0};
    cr_assert_str_eq(cb_event_message(&none, &b), "");
}

Test(event_message, lazy_message_shows_the_data_fields_only)
{
    struct cb_field f[] = {{"TargetUserName", "alice"},
                           {"1", "second"},
                           {"Qualifiers", "16384"},
                           {"Computer", "HV-NODE1"}};
    struct cb_event e = {.flags = CB_EV_MESSAGE_SYNTH | CB_EV_MESSAGE_LAZY,
                         .fields = f, .nfields = 4, .msg_fields = 2};
    struct cb_msgbuf b;
    cr_assert_str_eq(cb_event_message(&e, &b),
                     "TargetUserName: alice; 1: second");
    e.msg_fields = 0;
    cr_assert_str_eq(cb_event_message(&e, &b), "");
    e.msg_fields = 9; /* more than there are: all of them */
    cr_assert_str_eq(cb_event_message(&e, &b),
                     "TargetUserName: alice; 1: second; Qualifiers: 16384; "
                     "Computer: HV-NODE1");
}

Test(event_message, long_data_is_cut_on_a_character_boundary)
{
    /* "V: " then two-byte characters: the limit falls inside one */
    static char v[3000];
    size_t n = 0;
    while (n + 2 < sizeof v - 1) {
        v[n++] = (char)0xC3;
        v[n++] = (char)0xA9; /* U+00E9 */
    }
    v[n] = '\0';
    struct cb_field f[] = {{"V", v}, {"W", "never shown"}};
    struct cb_event e = {.flags = CB_EV_MESSAGE_SYNTH | CB_EV_MESSAGE_LAZY,
                         .fields = f, .nfields = 2, .msg_fields = 2};
    struct cb_msgbuf b;
    const char *m = cb_event_message(&e, &b);
    size_t len = strlen(m);
    cr_assert_leq(len, CB_LIMIT_EVTX_MESSAGE + 3);
    cr_assert_eq(strcmp(m + len - 3, "..."), 0, "ends in ...");
    cr_assert_eq(strncmp(m, "V: ", 3), 0);
    /* whole characters only before the "...": an even count of bytes */
    size_t body = len - 3 - 3;
    cr_assert_eq(body % 2, 0, "a character was cut: %zu bytes", body);
    cr_assert_eq(memcmp(m + 3, v, body), 0);
    cr_assert_geq(body, CB_LIMIT_EVTX_MESSAGE - 3 - 1);
    cr_assert_null(strstr(m, "never shown"));
}
