/*
 * renderer_list.h - every report format, listed once. Each entry
 * X(id, name, alias, file, write): the --format word, another word the
 * command accepts for it (or NULL), the file it writes in the output
 * folder, and its writer, declared in casebrief/report.h. The command
 * writes them in this order, and prints the path of the last, the one a
 * person opens.
 */
#define CB_RENDERER_LIST(X)                                                    \
    X(json, "json", NULL, "report.json", cb_report_json_input)                 \
    X(md, "md", "markdown", "report.md", cb_report_markdown)                   \
    X(html, "html", NULL, "report.html", cb_report_html)
