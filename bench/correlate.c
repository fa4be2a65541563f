/*
 * correlate.c - correlation engine throughput: N synthetic events (a mix
 * of cluster.log lines, System and VMMS events, a few of them matching the
 * knowledge base) through every rule of a rules directory, then through
 * twice as many rules (each rule loaded again under another id). Prints
 * events/s for both and the cost ratio, which should stay far below 2.
 *
 *   bench_correlate RULES_DIR [EVENTS]      (default 1,000,000)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casebrief/casebrief.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!buf) {
        fclose(f);
        return NULL;
    }
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* The rules of dir, and with copies > 1 each file again with ids renamed. */
static struct cb_rules *load(const char *dir, int copies)
{
    struct cb_rules *rs = NULL;
    struct cb_rule_error *errs = NULL;
    if (cb_rules_load_dir(&rs, dir, &errs) != CB_OK || errs) {
        fprintf(stderr, "cannot load %s\n", dir);
        exit(1);
    }
    for (int c = 1; c < copies; c++) {
        DIR *d = opendir(dir);
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t n = strlen(de->d_name);
            if (n < 5 || strcmp(de->d_name + n - 4, ".xml"))
                continue;
            char path[4096], tag[32];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            size_t len = 0;
            char *xml = slurp(path, &len);
            if (!xml)
                continue;
            snprintf(tag, sizeof tag, "id=\"copy%d.", c);
            /* rename every id="X" to id="copyN.X" */
            char *out = malloc(len * 2 + 1);
            size_t k = 0;
            for (size_t i = 0; i < len;) {
                if (strncmp(xml + i, "<rule id=\"", 10) == 0) {
                    memcpy(out + k, "<rule ", 6);
                    k += 6;
                    memcpy(out + k, tag, strlen(tag));
                    k += strlen(tag);
                    i += 10;
                } else {
                    out[k++] = xml[i++];
                }
            }
            cb_rules_load_memory(&rs, path, out, k, &errs);
            free(out);
            free(xml);
        }
        closedir(d);
    }
    if (errs) {
        fprintf(stderr, "%s: %s\n", errs->where, errs->msg);
        exit(1);
    }
    return rs;
}

static const char *const components[] = {"RCM", "RES", "NM", "GUM", "RHS",
                                         "DM", "API", "NETFT", "CS"};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s RULES_DIR [EVENTS]\n", argv[0]);
        return 2;
    }
    size_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
    struct cb_arena *arena = cb_arena_create();
    struct cb_event **ev = malloc(n * sizeof *ev);
    struct cb_source src = {.path = "bench", .origin_is_line = 1};
    const char *hosts[] = {"HV-NODE1", "HV-NODE2", "HV-NODE3"};
    struct cb_field *vmfield = cb_arena_alloc(arena, sizeof *vmfield);
    *vmfield = (struct cb_field){"VmName", "VM07"};
    uint64_t rng = 42;
    cb_time t = cb_time_from_civil(2024, 11, 15, 0, 0, 0, 0);
    for (size_t i = 0; i < n; i++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(rng >> 33);
        struct cb_event *e = cb_arena_calloc(arena, 1, sizeof *e);
        t += 200000 + r % 400000; /* 20-60 ms apart */
        e->ts = t;
        e->host = hosts[r % 3];
        e->level = CB_LEVEL_INFO;
        e->source = &src;
        unsigned kind = r % 100;
        if (kind < 70) { /* cluster.log debug line */
            e->channel = "cluster.log";
            e->component = components[(r >> 8) % 9];
            e->message = "rcm::RcmGroup::UpdateStateIfChanged: (VM-SQL01, "
                         "Online --> Online)";
        } else if (kind < 90) { /* System events, mostly noise */
            e->channel = "System";
            e->provider = "Service Control Manager";
            e->event_id = 7036;
            e->flags = CB_EV_HAS_EVENT_ID;
            e->message = "param1: Windows Update; param2: running";
            if ((r >> 8) % 5000 == 0) {
                e->provider = "Microsoft-Windows-FailoverClustering";
                e->event_id = 1069;
            }
        } else { /* VMMS admin events, some failing with 0x80070020 */
            e->channel = "Microsoft-Windows-Hyper-V-VMMS-Admin";
            e->provider = "Microsoft-Windows-Hyper-V-VMMS";
            e->event_id = 18304;
            e->flags = CB_EV_HAS_EVENT_ID;
            e->fields = vmfield;
            e->nfields = 1;
            e->message = (r >> 8) % 2000 == 0
                             ? "'VM07' could not initiate a checkpoint "
                               "operation: The process cannot access the "
                               "file because it is being used by another "
                               "process. (0x80070020)."
                             : "A new virtual machine VM07 was created.";
        }
        ev[i] = e;
    }
    struct cb_timeline tl = {.events = ev, .count = n};
    double rate[2] = {0};
    size_t nrules[2] = {0}, nfind[2] = {0};
    for (int pass = 0; pass < 2; pass++) {
        struct cb_rules *rs = load(argv[1], pass + 1);
        nrules[pass] = cb_rules_count(rs);
        double best = 1e9;
        for (int rep = 0; rep < 3; rep++) {
            struct cb_findings f;
            double t0 = now();
            if (cb_correlate(rs, &tl, &f) != CB_OK) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
            double dt = now() - t0;
            if (dt < best)
                best = dt;
            nfind[pass] = f.count;
            cb_findings_fini(&f);
        }
        rate[pass] = (double)n / best;
        cb_rules_free(&rs);
    }
    printf("events: %zu (70%% cluster.log, 20%% System, 10%% VMMS)\n", n);
    printf("%-10s %8s %14s %10s\n", "rules", "findings", "events/s", "ns/event");
    for (int pass = 0; pass < 2; pass++)
        printf("%-10zu %8zu %14.0f %10.1f\n", nrules[pass], nfind[pass],
               rate[pass], 1e9 / rate[pass]);
    printf("cost when the rule count doubles: %.2fx (target: far below "
           "2x)\n", rate[0] / rate[1]);
    cb_arena_destroy(&arena);
    free(ev);
    return 0;
}
