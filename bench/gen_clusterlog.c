/*
 * gen_clusterlog.c - writes a synthetic but realistic Get-ClusterLog
 * debug body (2016+ header optional) of a given size, deterministically:
 * the same arguments always give the same bytes. For benchmarks and large
 * test inputs; real-looking components and messages of a Hyper-V cluster.
 *
 *   gen_clusterlog [-n NODE] [-s SIZE_MB] [-t UNIX_START] [-H] OUT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng = 0x243F6A8885A308D3ULL;

static uint32_t next_rand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

static const char *const vms[] = {"VM-SQL01", "VM-DC02", "VM-APP03",
                                  "VM-FS04", "VM-WEB05", "VM-EXCH06"};

static void message(char *buf, size_t size, const char **level,
                    const char *node)
{
    const char *vm = vms[next_rand() % 6];
    unsigned disk = 1 + next_rand() % 4;
    unsigned r = next_rand() % 100;
    *level = "INFO";
    if (r < 18)
        snprintf(buf, size,
                 "[RCM] rcm::RcmGroup::UpdateStateIfChanged: (%s, Online --> "
                 "Online)", vm);
    else if (r < 30)
        snprintf(buf, size,
                 "[RES] Physical Disk <Cluster Disk %u>: VolumeIsNtfs: Volume "
                 "\\\\?\\GLOBALROOT\\Device\\Harddisk%u\\ClusterPartition2\\ "
                 "has FS type NTFS", disk, disk + 2);
    else if (r < 40)
        snprintf(buf, size, "[NM] Received request from client address %s.",
                 node);
    else if (r < 50)
        snprintf(buf, size, "[GUM] Node 1: Processing RequestLock 2:%u",
                 next_rand() % 90000);
    else if (r < 58) {
        *level = "DBG ";
        snprintf(buf, size,
                 "[RHS] Resource Virtual Machine %s called SetResourceLocked"
                 "Mode. LockedModeEnabled0, LockedModeReason0.", vm);
    } else if (r < 66) {
        *level = "DBG ";
        snprintf(buf, size, "[DM] Paxos Tag Read from Hive: 13:13:%u",
                 next_rand() % 100000);
    } else if (r < 74)
        snprintf(buf, size,
                 "[CHANNEL fe80::%x:%x%%%u:~3343~]/sent: %u bytes", next_rand()
                 % 0xffff, next_rand() % 0xffff, 2 + next_rand() % 9,
                 64 + next_rand() % 1400);
    else if (r < 80)
        snprintf(buf, size,
                 "[API] s_ApiGetQuorumResource final status 0.");
    else if (r < 86)
        snprintf(buf, size,
                 "[RES] Virtual Machine <Virtual Machine %s>: Current state "
                 "'Online', event 'VmStateChangeEvent'", vm);
    else if (r < 91) {
        *level = "WARN";
        snprintf(buf, size,
                 "[RHS] Resource Virtual Machine Configuration %s has "
                 "indicated that it cannot perform IsAlive in time.", vm);
    } else if (r < 94) {
        *level = "ERR ";
        snprintf(buf, size,
                 "[RES] Virtual Machine <Virtual Machine %s>: Failed to "
                 "connect to the VMMS service. Error 0x8007274d.", vm);
    } else if (r < 97)
        snprintf(buf, size,
                 "[NETFT] FTI NetFT event handler ignoring PnP add event on "
                 "adapter {%08x-0000-0000-0000-000000000000}", next_rand());
    else
        snprintf(buf, size, "FltmgrRegisterFilter: registered filter with "
                            "status 0");
}

int main(int argc, char **argv)
{
    const char *node = "HV-NODE1";
    uint64_t size_mb = 16;
    int64_t start = 1731628800; /* 2024-11-15 00:00:00 UTC */
    int header = 0;
    int c;
    while ((c = getopt(argc, argv, "n:s:t:H")) != -1) {
        switch (c) {
        case 'n': node = optarg; break;
        case 's': size_mb = strtoull(optarg, NULL, 10); break;
        case 't': start = strtoll(optarg, NULL, 10); break;
        case 'H': header = 1; break;
        default:
            fprintf(stderr, "usage: %s [-n NODE] [-s SIZE_MB] [-t UNIX_START]"
                            " [-H] OUT\n", argv[0]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: %s [-n NODE] [-s SIZE_MB] [-t UNIX_START] "
                        "[-H] OUT\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[optind], "wb");
    if (!f) {
        perror(argv[optind]);
        return 1;
    }
    static char fbuf[1 << 20];
    setvbuf(f, fbuf, _IOFBF, sizeof fbuf);
    uint64_t target = size_mb << 20, written = 0;
    if (header) {
        int n = fprintf(f,
            "[=== Cluster ===]\r\n"
            "UTC= localtime + time zone offset; with daylight savings, the "
            "time zone offset of this machine is -60 minutes, or -1 hours\r\n"
            "Current node: %s (1) id (1)\r\n"
            "[=== Cluster Logs ===]\r\n", node);
        written += n > 0 ? (uint64_t)n : 0;
    }
    int64_t ms = start * 1000;
    char msg[512];
    while (written < target) {
        const char *level;
        message(msg, sizeof msg, &level, node);
        ms += next_rand() % 40;
        time_t secs = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        unsigned pid = 0x1000 + (next_rand() % 4) * 0x3a4;
        unsigned tid = 0x2000 + next_rand() % 0x800;
        int n = fprintf(f, "%08x.%08x::%04d/%02d/%02d-%02d:%02d:%02d.%03d %s"
                           "  %s\r\n",
                        pid, tid, tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                        (int)(ms % 1000), level, msg);
        if (n < 0)
            break;
        written += (uint64_t)n;
    }
    if (fclose(f) != 0) {
        perror(argv[optind]);
        return 1;
    }
    return 0;
}
