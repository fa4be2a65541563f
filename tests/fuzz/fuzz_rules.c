/*
 * fuzz_rules.c - the rule loader on arbitrary XML (a team's --rules DIR is
 * input too), then whatever rules it compiled run over a small fixed
 * bundle: correlation, evidence gaps and report.json. Checked: a load that
 * reports errors adds no rule, every rule has an id and a title, every
 * finding belongs to a loaded rule and has 0..100 confidence and at
 * least one piece of evidence; rules check (cb_rules_lint, which reads
 * remediation PowerShell and references) reports as many errors as it
 * counts. Any breach aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"

static const char bundle_log[] =
    "00000f3c.00001a2c::2024/11/15-01:58:12.905 INFO  [RCM] rcm::Foo: "
    "Cluster node 'N2' was removed from the active failover cluster "
    "membership\n"
    "00000f3c.00001a2c::2024/11/15-01:58:13.001 ERR   [NETFT] route "
    "10.0.0.2 lost, HRESULT 0x80070020\n"
    "00000f3c.00001a2c::2024/11/15-01:58:14.500 WARN  [RCM] Cluster "
    "Shared Volume 'Volume1' ('Cluster Disk 1') has entered a paused "
    "state because of 'STATUS_CONNECTION_DISCONNECTED(c000020c)'\n"
    "00000f3c.00001a2c::2024/11/15-02:10:00.000 INFO  [VMMS] 'VM01' "
    "failed to start worker process: 0x80070005\n";

static struct cb_analysis *an;
static struct cb_timeline tl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!an) {
        an = cb_analysis_create_all(NULL);
        if (!an)
            abort();
        cb_ingest_leaf_memory(an, "N1_cluster.log", bundle_log,
                              sizeof bundle_log - 1,
                              cb_parser_find("clusterlog"));
        if (cb_analysis_finish(an) != CB_OK || cb_timeline_build(an, &tl) != CB_OK || tl.count != 4)
            abort();
    }
    struct cb_rules *rules = NULL;
    struct cb_rule_error *errs = NULL;
    enum cb_status rc = cb_rules_load_memory(&rules, "fuzz.xml",
                                             (const char *)data, size, &errs);
    if (rc != CB_OK) {
        cb_rule_errors_free(&errs);
        cb_rules_free(&rules);
        return 0;
    }
    size_t n = rules ? cb_rules_count(rules) : 0;
    if (errs && n)
        abort();
    for (const struct cb_rule_error *e = errs; e; e = e->next) {
        if (!memchr(e->where, '\0', sizeof e->where) ||
            !memchr(e->msg, '\0', sizeof e->msg))
            abort();
    }
    for (size_t i = 0; i < n; i++) {
        const struct cb_rule *r = cb_rules_at(rules, i);
        if (!cb_rule_id(r) || !cb_rule_title(r))
            abort();
        const char *const *ch = NULL;
        size_t nch = cb_rule_channels(r, &ch);
        for (size_t k = 0; k < nch; k++) {
            if (!ch[k])
                abort();
        }
    }
    if (n) {
        /* rules check on what loaded: one error per problem it counts */
        struct cb_rule_error *lint = NULL;
        int nlint = cb_rules_lint(rules, &lint), seen = 0;
        for (const struct cb_rule_error *e = lint; e; e = e->next, seen++) {
            if (!memchr(e->msg, '\0', sizeof e->msg))
                abort();
        }
        if (seen != nlint)
            abort();
        cb_rule_errors_free(&lint);
    }
    if (n) {
        struct cb_findings fs = {0};
        struct cb_gaps gaps = {0};
        int have_fs = cb_correlate(rules, &tl, &fs) == CB_OK;
        int have_gaps = cb_gaps_find(rules, an, &tl, &gaps) == CB_OK;
        for (size_t i = 0; have_fs && i < fs.count; i++) {
            const struct cb_finding *f = &fs.items[i];
            size_t k = 0;
            while (k < n && cb_rules_at(rules, k) != f->rule)
                k++;
            if (k == n || f->confidence < 0 || f->confidence > 100 ||
                f->nevidence == 0 || !f->summary)
                abort();
        }
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            cb_report_json(null, an, &tl, have_fs ? &fs : NULL,
                           have_gaps ? &gaps : NULL);
            fclose(null);
        }
        if (have_gaps)
            cb_gaps_fini(&gaps);
        if (have_fs)
            cb_findings_fini(&fs);
    }
    cb_rule_errors_free(&errs);
    cb_rules_free(&rules);
    return 0;
}
