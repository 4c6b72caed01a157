/* Test-only control of the fault-injection shim (tests/faults/shim.c),
 * linked into the build/inj flavour only.  A unit test declares these weak
 * (CS_FAULT_WEAK) and skips when they are absent (the san build):
 *
 *   cs_fault_arm(1, 0, false);          // the next counted allocation fails
 *   CHECK_EQ_INT(cs_bpm_list_parse("118,122", &v, &e), CS_ERR_NOMEM);
 *   cs_fault_arm(0, 0, false);          // off
 */
#ifndef CS_FAULT_SHIM_H
#define CS_FAULT_SHIM_H

#include <stdbool.h>

#define CS_FAULT_WEAK __attribute__((weak))
/* Counting restarts at 0: the alloc_n-th allocation and the io_n-th I/O call
 * from now on fail (0: none), and every one after it when persist. */
CS_FAULT_WEAK void cs_fault_arm(long alloc_n, long io_n, bool persist);
/* Allocations / I/O calls counted since the last arm. */
CS_FAULT_WEAK long cs_fault_allocs(void);
CS_FAULT_WEAK long cs_fault_ios(void);

#endif
