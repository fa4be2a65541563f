/*
 * parser_list.h - every input format, listed once. Each entry X(name)
 * refers to `const struct cb_parser_ops cb_parser_<name>` defined in
 * parsers/<name>.c. Order matters only for tie reports and --help.
 */
#define CB_PARSER_LIST(X) \
    X(clusterlog) \
    X(evtx) \
    X(evtx_xml) \
    X(evtx_text) \
    X(evtx_details) \
    X(evtx_csv) \
    X(mta)
