/* rules check's reading of remediation PowerShell and references. A step
 * marked diagnose must only read and a step marked fix must change
 * something: the verbs below decide which, line by line and command by
 * command (after `|`, `;`, `(` or `=`). Get-ClusterLog writes a file and
 * Test-Cluster takes disks offline when storage is tested, yet both are
 * how Microsoft's procedures read a cluster: they count as reading. */
#include "steplint.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Verb prefixes of cmdlets that change something. Format-Volume is the
 * one Format-* that writes. */
static const char *const changing_verbs[] = {
    "set-",      "start-",      "stop-",       "restart-",      "move-",
    "suspend-",  "resume-",     "remove-",     "rename-",       "new-",
    "add-",      "register-",   "unregister-", "update-",       "import-",
    "enable-",   "disable-",    "clear-",      "grant-",        "revoke-",
    "install-",  "uninstall-",  "mount-",      "dismount-",     "initialize-",
    "copy-item", "checkpoint-", "merge-vhd",   "format-volume", "restore-",
    "reset-",    "optimize-",   "convert-",    "resize-",       NULL};

/* Native commands that change something with these arguments; "" = any. */
static const struct {
    const char *cmd, *arg;
} changing_native[] = {
    {"setspn", "-s"},
    {"setspn", "-a"},
    {"setspn", "-d"},
    {"klist", "purge"},
    {"w32tm", "/config"},
    {"w32tm", "/resync"},
    {"w32tm", "/register"},
    {"icacls", "/grant"},
    {"icacls", "/deny"},
    {"icacls", "/remove"},
    {"icacls", "/reset"},
    {"icacls", "/setowner"},
    {"netsh", " set "},
    {"netsh", " add "},
    {"netsh", " delete "},
    {"reg", " add "},
    {"reg", " delete "},
    {"reg", " import "},
    {"taskkill", ""},
    {"fltmc", "unload"},
    {"fltmc", "detach"},
    {"sc", " config "},
    {"sc", " stop "},
    {"sc", " start "},
    {"sc.exe", " config "},
    {"sc.exe", " stop "},
    {"sc.exe", " start "},
    {"gpupdate", ""},
    {"winrm", "quickconfig"},
    {"net", " stop "},
    {"net", " start "},
    {"del", ""},
    {"rm", ""},
    {"rd", ""},
    {"chkdsk", "/f"},
    {"chkdsk", "/r"},
    {"chkdsk", "/x"},
    {"fsutil", " set"},
    {"bcdedit", "/set"},
    {"mpclaim", "-r"},
    {"mpclaim", "-n"},
    {"manage-bde", ""},
};

/* Whether s starts with key (lower-case), ignoring case. */
static int starts_ci(const char *s, const char *key)
{
    for (; *key; s++, key++) {
        if (tolower((unsigned char)*s) != *key)
            return 0;
    }
    return 1;
}

/* One line of ps, lower-cased, into buf. Returns the next line or NULL. */
static const char *next_line(const char *line, char *buf, size_t bufsz)
{
    const char *end = strchr(line, '\n');
    size_t n = end ? (size_t)(end - line) : strlen(line);
    if (n >= bufsz)
        n = bufsz - 1;
    for (size_t k = 0; k < n; k++)
        buf[k] = (char)tolower((unsigned char)line[k]);
    buf[n] = '\0';
    return end ? end + 1 : NULL;
}

/* The command starting at p: its word up to a space or a separator. */
static size_t word_len(const char *p)
{
    size_t n = 0;
    while (p[n] && !isspace((unsigned char)p[n]) && !strchr("|;(){}='\"", p[n]))
        n++;
    return n;
}

/* Whether the command at cmd (n characters, lower-cased, rest = the whole
 * command with its arguments up to the next separator) changes something.
 * Invoke-Command is neither: the commands in its script block are read
 * on their own. */
static int command_changes(const char *cmd, size_t n, const char *rest)
{
    for (const char *const *v = changing_verbs; *v; v++) {
        if (n >= strlen(*v) && strncmp(cmd, *v, strlen(*v)) == 0)
            return 1;
    }
    if (n >= 13 && strncmp(cmd, "repair-volume", 13) == 0)
        return strstr(rest, "-spotfix") || strstr(rest, "-offlinescanandfix");
    for (size_t k = 0; k < sizeof changing_native / sizeof *changing_native;
         k++) {
        size_t cl = strlen(changing_native[k].cmd);
        if (n != cl && !(n == cl + 4 && !strncmp(cmd + cl, ".exe", 4)))
            continue;
        if (strncmp(cmd, changing_native[k].cmd, cl) != 0)
            continue;
        const char *arg = changing_native[k].arg;
        if (!*arg)
            return 1;
        char padded[1100];
        snprintf(padded, sizeof padded, " %s ", rest);
        if (strstr(padded, arg))
            return 1;
    }
    return 0;
}

/* A property assignment such as (Get-Cluster).SameSubnetThreshold = 20. */
static int assigns_property(const char *line)
{
    for (const char *p = strstr(line, ")."); p; p = strstr(p + 1, ").")) {
        const char *q = p + 2;
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        while (*q == ' ')
            q++;
        if (q > p + 2 && *q == '=' && q[1] != '=')
            return 1;
    }
    return 0;
}

int cb_ps_changes(const char *ps, char *out, size_t outsz)
{
    char buf[1024];
    for (const char *line = ps; line && *line;) {
        line = next_line(line, buf, sizeof buf);
        if (buf[0] == '#')
            continue;
        if (assigns_property(buf)) {
            snprintf(out, outsz, "a property assignment");
            return 1;
        }
        /* each command: at the line start or after | ; ( = */
        for (char *p = buf; *p;) {
            while (*p == ' ' || *p == '\t')
                p++;
            size_t n = word_len(p);
            char rest[1024];
            size_t r = strcspn(p, "|;");
            snprintf(rest, sizeof rest, "%.*s", (int)r, p);
            if (n && isalpha((unsigned char)*p) &&
                command_changes(p, n, rest)) {
                snprintf(out, outsz, "%.*s", (int)n, p);
                return 1;
            }
            p += strcspn(p, "|;(={");
            if (*p)
                p++;
        }
    }
    return 0;
}

int cb_ps_offline_repair(const char *ps)
{
    char buf[1024];
    for (const char *line = ps; line && *line;) {
        line = next_line(line, buf, sizeof buf);
        const char *c = strstr(buf, "chkdsk");
        if (c && (strstr(c, "/f") || strstr(c, "/r") || strstr(c, "/x")))
            return 1;
        const char *rv = strstr(buf, "repair-volume");
        if (rv && (strstr(rv, "-spotfix") || strstr(rv, "-offlinescanandfix")))
            return 1;
        if (strstr(buf, "repair-clustersharedvolume") && strstr(buf, "/f"))
            return 1;
    }
    return 0;
}

int cb_ps_maintenance_before(const char *ps, const char *before)
{
    size_t n = before ? (size_t)(before - ps) : strlen(ps);
    static const char key[] = "suspend-clusterresource";
    for (size_t k = 0; k + sizeof key - 1 <= n; k++) {
        if (starts_ci(ps + k, key))
            return 1;
    }
    return 0;
}

int cb_ps_drive_letter(const char *ps)
{
    for (const char *p = ps; *p; p++) {
        if (starts_ci(p, "-driveletter"))
            return 1;
    }
    return 0;
}

/* Words a template leaves where a value belongs. */
static int template_word(const char *v, size_t n)
{
    if (n < 2 || n > 40)
        return 0;
    int upper = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)v[k];
        if (islower(c) || !(isupper(c) || isdigit(c) || c == '-' || c == '_'))
            return 0;
        upper += isupper(c) != 0;
    }
    return upper >= 2;
}

int cb_ps_template_value(const char *ps, char *out, size_t outsz)
{
    static const char *const params[] = {
        "-name ",       "-vmname ",          "-node ", "-computername ",
        "-cimsession ", "-destinationhost ", NULL};
    for (const char *p = ps; *p; p++) {
        for (const char *const *k = params; *k; k++) {
            size_t kl = strlen(*k);
            if (!starts_ci(p, *k))
                continue;
            const char *v = p + kl;
            while (*v == ' ')
                v++;
            int quoted = *v == '\'' || *v == '"';
            const char *s = v + quoted;
            size_t n = strcspn(s, quoted ? "'\"" : " \n|;)");
            if (template_word(s, n)) {
                snprintf(out, outsz, "%.*s %.*s", (int)(kl - 1), p, (int)n, s);
                return 1;
            }
        }
    }
    return 0;
}

/* Whether host (n characters) ends with suffix (lower-case), ignoring case. */
static int ends_ci(const char *host, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    for (size_t k = 0; k < sl; k++) {
        if (tolower((unsigned char)host[n - sl + k]) != suffix[k])
            return 0;
    }
    return 1;
}

/* Whether host (n characters) is a public DNS name: a dot, not a numeric
 * address, not a local or private suffix. */
static int public_host(const char *host, size_t n)
{
    if (n == 0 || !memchr(host, '.', n))
        return 0;
    int digits_only = 1;
    for (size_t k = 0; k < n; k++) {
        if (!isdigit((unsigned char)host[k]) && host[k] != '.')
            digits_only = 0;
    }
    if (digits_only || memchr(host, ':', n))
        return 0;
    static const char *const private_suffix[] = {
        ".local", ".lan", ".internal", ".corp", ".home", ".localhost", NULL};
    for (const char *const *s = private_suffix; *s; s++) {
        size_t sl = strlen(*s);
        if (n >= sl && ends_ci(host, n, *s))
            return 0;
    }
    return 1;
}

const char *cb_ref_problem(const char *ref)
{
    if (strstr(ref, "http://"))
        return "cites an http:// address: use the document's https:// "
               "address";
    static const char *const internal[] = {
        "shared/", "../", "file:", "\\\\", ":\\", NULL};
    for (const char *const *s = internal; *s; s++) {
        if (strstr(ref, *s))
            return "names an internal path: cite the public document "
                   "instead";
    }
    const char *u = strstr(ref, "https://");
    if (!u)
        return "has no address: cite the public document with its "
               "https:// address";
    for (; u; u = strstr(u + 8, "https://")) {
        const char *h = u + 8;
        size_t n = strcspn(h, "/?# )>\"'");
        if (!public_host(h, n))
            return "cites an address that is not public (no domain name, a "
                   "numeric or a private host)";
    }
    return NULL;
}
