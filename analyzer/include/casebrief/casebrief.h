/*
 * casebrief.h - the public interface of the casebrief core library.
 */
#ifndef CASEBRIEF_H
#define CASEBRIEF_H

#define CASEBRIEF_VERSION "0.1.0"

#include "alloc.h"
#include "arena.h"
#include "error.h"
#include "event.h"
#include "host.h"
#include "ingest.h"
#include "limits.h"
#include "mta.h"
#include "parser.h"
#include "report.h"
#include "rules.h"
#include "stream.h"
#include "timebasis.h"
#include "timeline.h"

#endif
