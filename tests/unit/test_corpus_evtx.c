/*
 * test_corpus_evtx.c - the EVTX parser on the shared corpus: the corpus
 * tests of test_evtx.c, built apart so that ctest reports them as skipped
 * when the corpus is absent (see tests/CMakeLists.txt).
 */
#define CB_EVTX_CORPUS_ONLY
#include "test_evtx.c"
