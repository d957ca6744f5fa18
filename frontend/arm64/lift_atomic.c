/* lift_atomic.c — (being written: issue 7). */
#include "a64_lift.h"

const A64Row a64_rows_atomic[] = {
    {0},
};
void a64_atomic_init(void) {}
