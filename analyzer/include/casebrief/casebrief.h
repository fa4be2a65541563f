/*
 * casebrief.h - the public interface of the casebrief core library: what
 * a library user or a parser or renderer author needs. Internal headers
 * (alloc, stream, crc32, jsonv, host, timebasis) sit beside their code in
 * analyzer/ and are not part of it.
 */
#ifndef CASEBRIEF_H
#define CASEBRIEF_H

#include "analysis.h"
#include "arena.h"
#include "error.h"
#include "event.h"
#include "limits.h"
#include "parser.h"
#include "report.h"
#include "rules.h"
#include "run.h"
#include "scope.h"
#include "timeline.h"
#include "casebrief/version.h"

#endif
