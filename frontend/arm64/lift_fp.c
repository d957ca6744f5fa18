/* lift_fp.c — (being written: issue 7). */
#include "a64_lift.h"

const A64Row a64_rows_fp[] = {
    {0},
};
void a64_fp_init(void) {}
